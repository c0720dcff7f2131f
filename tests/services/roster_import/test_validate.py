"""Roster import on the real database: every kind of bad row, all-or-nothing, forgiving input."""

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Industry, Role, Scale
from models.tables import Assignment, Person, SurveyObject
from services.demo_data.faults import inject_errors
from services.demo_data.roster import build_demo_roster
from services.roster_import.report import (
    error_report_path,
    format_errors,
    write_error_report,
)
from services.roster_import.vocabulary import ENTERPRISE_HEADERS, PEOPLE_HEADERS
from tests.factories import (
    enterprise,
    person,
    valid_mobile,
    valid_uscc,
    write_roster_csv,
    write_roster_xlsx,
)
from tests.services.roster_import.helpers import cells, dump, row_counts, run

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


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("企业名称", "乐清市\x00测试电气有限公司", "U+0000"),
        ("统计员", "张\x1b[31m三", "U+001B"),
        ("乡镇街道", "柳市\x7f镇", "U+007F"),
        ("统计员手机", "138\x0012345678", "U+0000"),
        ("企业名称", "乐清市\u202e司公限有", "U+202E"),
    ],
)
async def test_control_characters_are_a_row_error_and_nothing_is_written(
    tmp_path: Path,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    column: str,
    value: str,
    code: str,
) -> None:
    # A CSV: openpyxl cannot even write these characters into an .xlsx.
    companies = write_roster_csv(
        tmp_path / "企业.csv",
        [enterprise(2), enterprise(1, **{column: value})],
        ENTERPRISE_HEADERS,
    )
    staff = write_roster_csv(
        tmp_path / "人员.csv",
        [person(3, "二级网格长"), person(4, "网格长", 网格="工\x00业")],
        PEOPLE_HEADERS,
    )

    report = await run(session, companies, staff)

    assert cells(report) == [("企业（企业.csv）", 3, column), ("人员（人员.csv）", 3, "网格")]
    assert code in report.errors[0].reason
    assert "控制字符" in report.errors[0].reason
    assert f"[{code}]" in report.errors[0].value
    assert set((await row_counts(sessions)).values()) == {0}
    # The error report itself is a workbook: it must be writable.
    write_error_report(report.errors, tmp_path / "错误报告.xlsx")


async def test_tabs_and_line_breaks_in_a_cell_become_spaces(
    tmp_path: Path, session: AsyncSession
) -> None:
    companies = write_roster_csv(
        tmp_path / "企业.csv",
        [enterprise(1, 企业名称="乐清市测试\n电气\t有限公司")],
        ENTERPRISE_HEADERS,
    )
    staff = write_roster_csv(tmp_path / "人员.csv", [person(3, "二级网格长")], PEOPLE_HEADERS)

    report = await run(session, companies, staff)

    assert report.ok, format_errors(report.errors)
    name = (await session.exec(select(SurveyObject.name))).one()
    assert name == "乐清市测试 电气 有限公司"
