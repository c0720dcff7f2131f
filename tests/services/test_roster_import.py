"""Roster import on the real database: parsing, every kind of bad row, all-or-nothing, upserts."""

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
from models.tables import Assignment, Grid, Person, SurveyObject
from services.demo_data import build_demo_roster, inject_errors
from services.partition import partition
from services.roster_import import (
    ENTERPRISE_HEADERS,
    PEOPLE_HEADERS,
    ImportReport,
    RosterFileError,
    RowError,
    error_report_path,
    format_errors,
    import_roster,
    normalise_mobile,
    read_roster,
    write_error_report,
)
from tests.factories import (
    enterprise,
    person,
    valid_mobile,
    valid_uscc,
    write_roster_csv,
    write_roster_xlsx,
)

CITY = "乐清市"


async def dump(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    async with sessions() as session:
        connection = await session.connection()
        return {
            table.name: [
                tuple(row)
                for row in await connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                )
            ]
            for table in SQLModel.metadata.sorted_tables
        }


async def row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    return {name: len(rows) for name, rows in (await dump(sessions)).items()}


async def run(session: AsyncSession, *paths: Path) -> ImportReport:
    return await import_roster(session=session, paths=list(paths), city_name=CITY)


def cells(report: ImportReport) -> list[tuple[str, int, str]]:
    return [(e.sheet, e.row, e.column) for e in report.errors]


# --- A clean roster ----------------------------------------------------------------------------


async def test_clean_roster_creates_grids_objects_people_and_assignments(
    tmp_path: Path, session: AsyncSession
) -> None:
    path = write_roster_xlsx(
        tmp_path / "roster.xlsx",
        enterprises=[
            enterprise(1),
            enterprise(2, 乡镇街道="虹桥镇", 行业="贸易", 规模="小升规培育"),
            # An agency accountant keeps both of these.
            enterprise(3, 统计员="代账王", 统计员手机=valid_mobile(99)),
            enterprise(4, 统计员="代账王", 统计员手机=valid_mobile(99)),
        ],
        people=[
            person(10, "管理员", 乡镇街道=""),
            person(11, "一级网格长", 乡镇街道="柳市镇"),
            person(12, "二级网格长"),
            person(13, "分管负责人", 乡镇街道="虹桥镇"),
            person(14, "网格长"),
            person(15, "网格指导员"),
            # The 副网格长 is the statistician of enterprise 1: same mobile, same person.
            person(16, "副网格长", 姓名="统计员1", 手机=valid_mobile(1)),
        ],
    )

    report = await run(session, path)

    assert report.ok, format_errors(report.errors)
    assert (report.towns_created, report.enterprises_created, report.people_created) == (2, 4, 9)
    assert (report.enterprises_updated, report.enterprises_unchanged) == (0, 0)
    assert report.assignments_created == 7
    city = (await session.exec(select(Grid).where(Grid.level == GridLevel.CITY))).one()
    assert city.name == CITY
    towns = {
        g.name: g for g in await session.exec(select(Grid).where(Grid.level == GridLevel.TOWN))
    }
    assert set(towns) == {"柳市镇", "虹桥镇"}
    assert all(t.parent_id == city.id for t in towns.values())

    objects = {o.uscc: o for o in await session.exec(select(SurveyObject))}
    people = {p.mobile: p for p in await session.exec(select(Person))}
    trade = objects[valid_uscc(2)]
    assert (trade.industry, trade.scale, trade.town_id) == (
        Industry.TRADE,
        Scale.CULTIVATED,
        towns["虹桥镇"].id,
    )
    assert trade.grid_id is None
    accountant = people[valid_mobile(99)]
    assert accountant.name == "代账王"
    assert {objects[valid_uscc(n)].statistician_id for n in (3, 4)} == {accountant.id}

    placed = {
        (a.person_id, a.grid_id, a.role, a.explicit) for a in await session.exec(select(Assignment))
    }
    mobile_id = {mobile: p.id for mobile, p in people.items()}
    assert placed == {
        (mobile_id["13900000010"], city.id, Role.ADMIN, True),
        (mobile_id["13900000011"], city.id, Role.CITY_HEAD, True),
        (mobile_id["13900000012"], towns["柳市镇"].id, Role.TOWN_HEAD, True),
        (mobile_id["13900000013"], towns["虹桥镇"].id, Role.TOWN_DEPUTY, True),
        # Level-3 staff without 网格 wait on the town grid for the partition.
        (mobile_id["13900000014"], towns["柳市镇"].id, Role.GRID_HEAD, False),
        (mobile_id["13900000015"], towns["柳市镇"].id, Role.INSTRUCTOR, False),
        (mobile_id[valid_mobile(1)], towns["柳市镇"].id, Role.GRID_DEPUTY, False),
    }
    assert all(a.ended_at is None for a in await session.exec(select(Assignment)))


async def test_reimporting_the_same_roster_changes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=4, enterprises=150, seed=3)
    first = await run(session, demo.path)
    assert first.ok, format_errors(first.errors)
    before = await dump(sessions)

    again = await run(session, demo.path)

    assert again.ok
    assert await dump(sessions) == before
    assert (again.towns_created, again.enterprises_created, again.enterprises_updated) == (0, 0, 0)
    assert (again.people_created, again.assignments_created, again.assignments_updated) == (0, 0, 0)
    assert again.enterprises_unchanged == 150
    assert "新增 0 家，更新 0 家，未变 150 家" in again.summary()


async def test_reimport_after_the_partition_changes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=6, enterprises=300, seed=5)
    assert (await run(session, demo.path)).ok
    async with sessions() as other:
        await partition(session=other)
    before = await dump(sessions)

    again = await run(session, demo.path)

    assert (again.enterprises_updated, again.assignments_created) == (0, 0)
    assert again.assignments_updated == 0
    assert await dump(sessions) == before


async def test_reimport_updates_changed_enterprises_and_keeps_the_rest(
    tmp_path: Path, session: AsyncSession
) -> None:
    rows = [enterprise(n) for n in range(1, 4)]
    await run(session, write_roster_xlsx(tmp_path / "v1.xlsx", enterprises=rows))
    town = (await session.exec(select(Grid).where(Grid.name == "柳市镇"))).one()
    grid = Grid(level=GridLevel.GRID, name="柳市镇·工业网格1", parent_id=town.id, seq=1)
    session.add(grid)
    await session.commit()
    grid_id = grid.id
    for obj in await session.exec(select(SurveyObject)):
        obj.grid_id = grid_id
        session.add(obj)
    await session.commit()

    rows[0] = enterprise(1, 统计员="新统计员", 统计员手机=valid_mobile(50))
    rows[1] = enterprise(2, 乡镇街道="虹桥镇")
    report = await run(session, write_roster_xlsx(tmp_path / "v2.xlsx", enterprises=rows))

    assert report.ok, format_errors(report.errors)
    assert (report.enterprises_updated, report.enterprises_unchanged) == (2, 1)
    assert (report.people_created, report.towns_created) == (1, 1)
    session.expire_all()
    objects = {o.uscc: o for o in await session.exec(select(SurveyObject))}
    newcomer = (await session.exec(select(Person).where(Person.mobile == valid_mobile(50)))).one()
    assert objects[valid_uscc(1)].statistician_id == newcomer.id
    # Same town: the object stays in its grid. New town: the partition must place it again.
    assert objects[valid_uscc(1)].grid_id == grid_id
    assert objects[valid_uscc(2)].grid_id is None
    assert objects[valid_uscc(3)].grid_id == grid_id


async def test_people_sheet_alone_can_be_imported_later(
    tmp_path: Path, session: AsyncSession
) -> None:
    await run(session, write_roster_xlsx(tmp_path / "e.xlsx", enterprises=[enterprise(1)]))

    report = await run(
        session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, "二级网格长")])
    )

    assert report.ok, format_errors(report.errors)
    assert (report.people_created, report.assignments_created, report.towns_created) == (1, 1, 0)


# --- Bad rows ----------------------------------------------------------------------------------

BAD_ENTERPRISE_CELLS = [
    ("统一社会信用代码", valid_uscc(1)[:-1] + "0", "校验位错误"),
    ("统一社会信用代码", valid_uscc(1)[:17], "长度错误：应为 18 位，实际为 17 位"),
    ("统一社会信用代码", "A" + valid_uscc(1)[1:], "格式错误"),
    ("统一社会信用代码", 9.13303820000001e17, "15 位以后的数字已丢失"),
    ("统一社会信用代码", "", "不能为空"),
    ("统计员手机", "1381234567", "应为 11 位"),
    ("统计员手机", "12812345678", "应以 13–19 开头"),
    ("统计员手机", "138-1234-567a", "只能包含数字"),
    ("行业", "农业", "无法识别的行业"),
    ("规模", "规下", "无法识别的规模"),
    ("企业名称", "", "不能为空"),
    ("企业名称", "企" * 201, "太长"),
    ("乡镇街道", "", "不能为空"),
    ("统计员", "", "不能为空"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_ENTERPRISE_CELLS)
async def test_each_bad_enterprise_cell_is_reported_at_its_cell(
    tmp_path: Path,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    column: str,
    value: object,
    reason: str,
) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[enterprise(2), enterprise(1, **{column: value})],
        people=[person(1, "二级网格长")],
    )

    report = await run(session, path)

    assert cells(report) == [("企业", 3, column)]
    assert reason in report.errors[0].reason
    assert not report.ok
    assert set((await row_counts(sessions)).values()) == {0}


BAD_PEOPLE_CELLS = [
    (person(1, "组长"), "角色", "无法识别的角色"),
    (person(1, "网格员"), "角色", "网格员就是企业的统计员"),
    (person(1, "", 姓名="张三"), "角色", "不能为空"),
    (person(1, 手机="+1 202 555 0100"), "手机", "手机号"),
    (person(1, 姓名=""), "姓名", "不能为空"),
    (person(1, "二级网格长", 乡镇街道=""), "乡镇街道", "不能为空"),
    (person(1, "网格长", 乡镇街道=""), "乡镇街道", "不能为空"),
    (person(1, "分管负责人", 网格="工业网格1"), "网格", "「网格」请留空"),
    (person(1, "网格长", 网格="工业网格1"), "网格", "gridbot grids partition"),
    (person(1, "网格长", 乡镇街道="柳世镇"), "乡镇街道", "系统中没有这个乡镇街道"),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD_PEOPLE_CELLS)
async def test_each_bad_people_cell_is_reported_at_its_cell(
    tmp_path: Path,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    row: dict[str, object],
    column: str,
    reason: str,
) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[enterprise(1)],
        people=[person(2, "管理员"), row],
    )

    report = await run(session, path)

    assert cells(report) == [("人员", 3, column)], format_errors(report.errors)
    assert reason in report.errors[0].reason
    assert set((await row_counts(sessions)).values()) == {0}


async def test_duplicates_inside_the_file_are_reported_on_the_later_row(
    tmp_path: Path, session: AsyncSession
) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[
            enterprise(1),
            enterprise(2, 统一社会信用代码=valid_uscc(1)),
            enterprise(3, 企业名称=enterprise(1)["企业名称"]),
            # The same name in another town is a different enterprise.
            enterprise(4, 企业名称=enterprise(1)["企业名称"], 乡镇街道="虹桥镇"),
            enterprise(5, 统计员="李四", 统计员手机=valid_mobile(1)),
        ],
        people=[
            person(1, "网格长"),
            person(1, "网格长"),
            person(1, "网格指导员"),
            person(6, "二级网格长", 姓名="王五", 手机=valid_mobile(4)),
        ],
    )

    report = await run(session, path)

    assert cells(report) == [
        ("企业", 3, "统一社会信用代码"),
        ("企业", 4, "企业名称"),
        ("企业", 6, "统计员"),
        ("人员", 3, "手机"),
        ("人员", 5, "姓名"),
    ]
    reasons = [e.reason for e in report.errors]
    assert reasons[0] == "与第2行重复"
    assert reasons[1] == "同一乡镇街道内企业名称与第2行重复"
    assert "第2行登记的姓名是「统计员1」" in reasons[2]
    assert reasons[3].startswith("与第2行重复")
    assert "企业 第5行登记的姓名是「统计员4」" in reasons[4]


async def test_conflicts_with_the_database_are_reported(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await run(session, write_roster_xlsx(tmp_path / "a.xlsx", enterprises=[enterprise(1)]))
    assert first.ok
    before = await dump(sessions)
    path = write_roster_xlsx(
        tmp_path / "b.xlsx",
        enterprises=[
            # A known mobile under another name.
            enterprise(2, 统计员="改名了", 统计员手机=valid_mobile(1)),
            # A known enterprise name in the same town with another USCC.
            enterprise(3, 企业名称=enterprise(1)["企业名称"]),
        ],
        people=[person(1, "网格长", 姓名="也改名了", 手机=valid_mobile(1))],
    )

    report = await run(session, path)

    assert cells(report) == [("企业", 2, "统计员"), ("企业", 3, "企业名称"), ("人员", 2, "姓名")]
    assert "在系统中登记的是「统计员1」" in report.errors[0].reason
    assert valid_uscc(1) in report.errors[1].reason
    assert await dump(sessions) == before


async def test_an_enterprise_may_take_a_name_its_old_holder_gives_up(
    tmp_path: Path, session: AsyncSession
) -> None:
    await run(session, write_roster_xlsx(tmp_path / "a.xlsx", enterprises=[enterprise(1)]))
    name = enterprise(1)["企业名称"]

    report = await run(
        session,
        write_roster_xlsx(
            tmp_path / "b.xlsx",
            enterprises=[
                enterprise(1, 企业名称="乐清市改名电气有限公司"),
                enterprise(2, 企业名称=name),
            ],
        ),
    )

    assert report.ok, format_errors(report.errors)


async def test_2000_rows_with_40_bad_rows_reports_exactly_those_and_writes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=8, enterprises=2000, seed=11)
    bad_path = tmp_path / "bad.xlsx"
    planted = inject_errors(demo.path, bad_path, count=40, seed=5)
    assert len({(p.sheet, p.row, p.column) for p in planted}) == 40

    report = await run(session, bad_path)

    assert sorted(cells(report)) == sorted((p.sheet, p.row, p.column) for p in planted)
    assert set((await row_counts(sessions)).values()) == {0}

    written = write_error_report(report.errors, error_report_path(bad_path))
    assert written == tmp_path / "bad.错误报告.xlsx"
    workbook = openpyxl.load_workbook(written)
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "列", "内容", "问题")
    assert sheet.freeze_panes == "A2"
    # openpyxl reads an empty cell back as None.
    assert rows[1:] == [
        (e.sheet, e.row, e.column, e.value or None, e.reason) for e in report.errors
    ]


# --- Forgiving input ---------------------------------------------------------------------------


async def test_aliases_numbers_and_full_width_text_are_accepted(
    tmp_path: Path, session: AsyncSession
) -> None:
    full_width = str.maketrans(
        "0123456789ABCDEFGHJKLMNPQRTUWXY",
        "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
    )
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[
            enterprise(1, 行业="批零", 规模="限上", 统计员手机=13800000001.0),
            enterprise(2, 行业="房地产业", 规模="培育", 统计员手机=13800000002),
            enterprise(3, 行业=" 制造业 ", 规模="规上", 统计员手机="+86 138-0000-0003"),
            enterprise(
                4,
                行业="住宿和餐饮业",
                规模="小升规",
                统一社会信用代码=" " + valid_uscc(4).translate(full_width) + "\u3000",
                统计员手机=("86" + valid_mobile(4)).translate(full_width),
            ),
            enterprise(5, 行业="建筑", 规模="四上企业", 统计员="\u3000统计 员5 "),
            enterprise(6, 行业="其他服务业", 统一社会信用代码=valid_uscc(6).lower()),
        ],
        people=[person(7, "指导员", 手机="139 0000 0007"), person(8, "三级网格长")],
    )

    report = await run(session, path)

    assert report.ok, format_errors(report.errors)
    objects = {o.uscc: o for o in await session.exec(select(SurveyObject))}
    assert [objects[valid_uscc(n)].industry for n in range(1, 7)] == [
        Industry.TRADE,
        Industry.REAL_ESTATE,
        Industry.INDUSTRY,
        Industry.TRADE,
        Industry.CONSTRUCTION,
        Industry.SERVICE,
    ]
    assert [objects[valid_uscc(n)].scale for n in range(1, 6)] == [
        Scale.ABOVE_SCALE,
        Scale.CULTIVATED,
        Scale.ABOVE_SCALE,
        Scale.CULTIVATED,
        Scale.ABOVE_SCALE,
    ]
    people = {p.mobile: p.name for p in await session.exec(select(Person))}
    assert {valid_mobile(n) for n in range(1, 7)} <= set(people)
    assert people[valid_mobile(5)] == "统计员5"
    roles = set((await session.exec(select(Assignment.role))).all())
    assert roles == {Role.INSTRUCTOR, Role.GRID_HEAD}


async def test_header_order_extra_columns_aliases_and_blank_rows(
    tmp_path: Path, session: AsyncSession
) -> None:
    headers = ["备注", *reversed(ENTERPRISE_HEADERS)]
    headers[headers.index("统计员手机")] = "统计员手机号"
    rows = [
        {**enterprise(1), "统计员手机号": valid_mobile(1), "备注": "随便写"},
        {},
        {"备注": "只有备注的一行"},
        {**enterprise(2), "统计员手机号": valid_mobile(2)},
    ]
    path = write_roster_xlsx(tmp_path / "r.xlsx", enterprises=rows, enterprise_headers=headers)

    report = await run(session, path)

    assert report.ok, format_errors(report.errors)
    assert report.enterprises_created == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
async def test_csv_files_in_each_encoding_import_together(
    tmp_path: Path, session: AsyncSession, encoding: str
) -> None:
    companies = write_roster_csv(
        tmp_path / "企业.csv",
        [enterprise(1, 统计员="张三"), enterprise(2, 乡镇街道="乐成街道")],
        ENTERPRISE_HEADERS,
        encoding=encoding,
    )
    staff = write_roster_csv(
        tmp_path / "人员.csv",
        [
            person(3, "二级网格长", 乡镇街道="乐成街道"),
            person(4, "副网格长", 姓名="张三", 手机=valid_mobile(1)),
        ],
        PEOPLE_HEADERS,
        encoding=encoding,
    )

    report = await run(session, companies, staff)

    assert report.ok, format_errors(report.errors)
    assert (report.enterprises_created, report.people_created) == (2, 3)


async def test_errors_in_several_files_name_the_file(tmp_path: Path, session: AsyncSession) -> None:
    companies = write_roster_csv(
        tmp_path / "a.csv", [enterprise(1, 行业="农业")], ENTERPRISE_HEADERS, encoding="gb18030"
    )
    staff = write_roster_xlsx(
        tmp_path / "b.xlsx", people=[person(2, 姓名="X", 手机=valid_mobile(1))]
    )

    report = await run(session, companies, staff)

    assert cells(report) == [("企业（a.csv）", 2, "行业"), ("人员（b.xlsx）", 2, "姓名")]
    assert "企业（a.csv） 第2行登记的姓名是「统计员1」" in report.errors[1].reason


# --- Files that cannot be read -----------------------------------------------------------------


def test_missing_headers_are_reported_once_per_sheet(tmp_path: Path) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[enterprise(n) for n in range(5)],
        people=[person(1)],
        enterprise_headers=[h for h in ENTERPRISE_HEADERS if h not in ("行业", "规模")],
        people_headers=["姓名", "手机", "乡镇街道"],
    )

    with pytest.raises(RosterFileError) as raised:
        read_roster([path])

    assert [(e.sheet, e.row, e.column) for e in raised.value.errors] == [
        ("企业", 1, "行业"),
        ("企业", 1, "规模"),
        ("人员", 1, "角色"),
    ]
    assert "企业 第1行 规模：缺少这一必需的列" in str(raised.value)


async def test_import_with_missing_headers_raises_and_writes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[enterprise(1)],
        people=[person(1)],
        people_headers=["姓名", "角色", "乡镇街道"],
    )

    with pytest.raises(RosterFileError, match="人员 第1行 手机：缺少这一必需的列"):
        await run(session, path)
    assert set((await row_counts(sessions)).values()) == {0}


def test_wrong_missing_and_broken_files_are_all_named(tmp_path: Path) -> None:
    old_excel = tmp_path / "old.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    unknown = write_roster_csv(tmp_path / "x.csv", [{"甲": 1}], ["甲", "乙"])

    with pytest.raises(RosterFileError) as raised:
        read_roster([old_excel, text, broken, tmp_path / "missing.xlsx", unknown])

    message = str(raised.value)
    assert "old.xls：不支持的文件类型，旧版 .xls 请在 Excel 中另存为 .xlsx" in message
    assert "notes.txt：不支持的文件类型" in message
    assert "broken.xlsx：无法打开，不是有效的 .xlsx 文件" in message
    assert "missing.xlsx：找不到文件" in message
    assert "x.csv：认不出是企业表还是人员表" in message


def test_csv_in_an_unknown_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("企业名称".encode("utf-16"))

    with pytest.raises(RosterFileError, match="无法识别文件编码"):
        read_roster([path])


def test_sheets_with_other_names_are_recognised_by_their_headers(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(list(ENTERPRISE_HEADERS))
    sheet.append(list(enterprise(1).values()))
    workbook.save(path)

    roster = read_roster([path])

    assert [(s.label, len(s.rows)) for s in roster.sheets] == [("企业", 1)]


def test_excel_shared_strings_and_inline_strings_read_alike(tmp_path: Path) -> None:
    normal = write_roster_xlsx(tmp_path / "normal.xlsx", enterprises=[enterprise(1)])
    streamed = tmp_path / "streamed.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("企业")
    sheet.append(list(ENTERPRISE_HEADERS))
    sheet.append(list(enterprise(1).values()))
    workbook.save(streamed)

    assert read_roster([normal]).sheets[0].rows == read_roster([streamed]).sheets[0].rows


# --- Placement of level-3 staff ----------------------------------------------------------------


async def _town_with_grid(tmp_path: Path, session: AsyncSession) -> tuple[Grid, Grid]:
    await run(session, write_roster_xlsx(tmp_path / "e.xlsx", enterprises=[enterprise(1)]))
    town = (await session.exec(select(Grid).where(Grid.name == "柳市镇"))).one()
    grid = Grid(level=GridLevel.GRID, name="柳市镇·工业网格1", parent_id=town.id, seq=1)
    session.add(grid)
    await session.commit()
    return town, grid


@pytest.mark.parametrize("grid_text", ["工业网格1", "柳市镇·工业网格1", " 柳市镇・工业网格１ "])
async def test_named_grid_gets_an_explicit_assignment(
    tmp_path: Path, session: AsyncSession, grid_text: str
) -> None:
    _, grid = await _town_with_grid(tmp_path, session)

    report = await run(
        session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, 网格=grid_text)])
    )

    assert report.ok, format_errors(report.errors)
    assignment = (await session.exec(select(Assignment))).one()
    assert (assignment.grid_id, assignment.role, assignment.explicit) == (
        grid.id,
        Role.GRID_HEAD,
        True,
    )


async def test_naming_the_grid_later_moves_the_waiting_assignment(
    tmp_path: Path, session: AsyncSession
) -> None:
    town, grid = await _town_with_grid(tmp_path, session)
    town_id, grid_id = town.id, grid.id
    await run(session, write_roster_xlsx(tmp_path / "p1.xlsx", people=[person(1)]))
    waiting = (await session.exec(select(Assignment))).one()
    waiting_id = waiting.id
    assert (waiting.grid_id, waiting.explicit) == (town_id, False)

    report = await run(
        session, write_roster_xlsx(tmp_path / "p2.xlsx", people=[person(1, 网格="工业网格1")])
    )

    assert (report.assignments_created, report.assignments_updated) == (0, 1)
    session.expire_all()
    moved = (await session.exec(select(Assignment))).one()
    assert (moved.id, moved.grid_id, moved.explicit) == (waiting_id, grid_id, True)


async def test_staff_already_placed_in_the_town_are_left_alone(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    _, grid = await _town_with_grid(tmp_path, session)
    await run(session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1)]))
    # What the partition does: move the waiting 网格长 onto a level-3 grid.
    waiting = (await session.exec(select(Assignment))).one()
    waiting.grid_id = grid.id
    session.add(waiting)
    await session.commit()
    before = await dump(sessions)

    report = await run(session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1)]))

    assert report.ok
    assert report.assignments_created == 0
    assert await dump(sessions) == before


async def test_cross_town_grids_count_for_the_towns_they_serve(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    roster = [enterprise(1), enterprise(2, 乡镇街道="虹桥镇")]
    await run(session, write_roster_xlsx(tmp_path / "e.xlsx", enterprises=roster))
    towns = {
        g.name: g for g in await session.exec(select(Grid).where(Grid.level == GridLevel.TOWN))
    }
    # A grid parented by 柳市镇 that also holds 虹桥镇's enterprise.
    shared = Grid(
        level=GridLevel.GRID,
        name="柳市镇·跨区域网格1",
        parent_id=towns["柳市镇"].id,
        seq=1,
        cross_town=True,
    )
    session.add(shared)
    await session.commit()
    shared_id = shared.id
    for obj in await session.exec(select(SurveyObject)):
        obj.grid_id = shared_id
        session.add(obj)
    await session.commit()

    named = await run(
        session,
        write_roster_xlsx(
            tmp_path / "p.xlsx",
            people=[
                person(1, 乡镇街道="虹桥镇", 网格="柳市镇·跨区域网格1"),
                person(2, 乡镇街道="虹桥镇"),
            ],
        ),
    )
    assert named.ok, format_errors(named.errors)
    waiting = (
        await session.exec(
            select(Assignment).where(
                Assignment.role == Role.GRID_HEAD, Assignment.grid_id == towns["虹桥镇"].id
            )
        )
    ).one()
    waiting.grid_id = shared_id
    session.add(waiting)
    await session.commit()
    before = await dump(sessions)

    again = await run(
        session,
        write_roster_xlsx(
            tmp_path / "p.xlsx",
            people=[person(1, 乡镇街道="虹桥镇", 网格="跨区域网格1"), person(2, 乡镇街道="虹桥镇")],
        ),
    )

    assert (again.assignments_created, again.assignments_updated) == (0, 0)
    assert await dump(sessions) == before


async def test_ended_assignments_do_not_count_as_placed(
    tmp_path: Path, session: AsyncSession
) -> None:
    town, _ = await _town_with_grid(tmp_path, session)
    await run(session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, "二级网格长")]))
    old = (await session.exec(select(Assignment))).one()
    old.ended_at = old.started_at
    session.add(old)
    await session.commit()

    report = await run(
        session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, "二级网格长")])
    )

    assert report.assignments_created == 1
    live = (await session.exec(select(Assignment).where(col(Assignment.ended_at).is_(None)))).one()
    assert live.grid_id == town.id


# --- Reporting ---------------------------------------------------------------------------------


def test_format_errors_lines() -> None:
    errors = [
        RowError("企业", 12, "统一社会信用代码", "91330382MA2ABCDE1X", "校验位错误"),
        RowError("人员", 3, "姓名", "", "不能为空"),
    ]

    assert format_errors(errors) == (
        "企业 第12行 统一社会信用代码「91330382MA2ABCDE1X」：校验位错误\n人员 第3行 姓名：不能为空"
    )


def test_error_report_keeps_formula_like_text_inert(tmp_path: Path) -> None:
    errors = [
        RowError("企业", 2, "企业名称", '=HYPERLINK("http://x")', "不能为空"),
        RowError("企业", 3, "统计员手机", "+86 1", "手机号应为 11 位"),
        RowError("人员", 4, "姓名", "@SUM(A1)", "不能为空"),
        RowError("人员", 5, "手机", "-1", "手机号应为 11 位"),
    ]

    path = write_error_report(errors, error_report_path(tmp_path / "名单.csv"))

    assert path == tmp_path / "名单.错误报告.xlsx"
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [e.value for e in errors]
    # Stored as text with Excel's leading-apostrophe marker: shown as typed, never evaluated.
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["B"].width


@pytest.mark.parametrize(
    ("text", "mobile"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        ("13812345678.0", "13812345678"),
        ("1381234567", None),
        ("23812345678", None),
        ("", None),
    ],
)
def test_normalise_mobile(text: str, mobile: str | None) -> None:
    assert normalise_mobile(text) == mobile
