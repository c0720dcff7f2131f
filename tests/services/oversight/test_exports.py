"""Excel 台账: a constructed month of activities, notices, reports and questions, exported
for the city and for one town, then read back with openpyxl."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind, AttendanceStatus, CheckinMethod, QuestionStatus
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Question,
    QuestionPost,
    ReportHearing,
)
from services.oversight import texts
from services.oversight.exports import (
    YEARLY_KINDS,
    ExportError,
    ExportKind,
    build_export,
    named_scope,
    parse_kind,
    parse_period,
    recent_periods,
    scope_for_town,
)
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
NOV = parse_period("2026-11")

# User text that Excel would run as a formula if it were not stored as text.
FORMULA = '=HYPERLINK("http://evil.example","点我")'
PLUS, MINUS, AT = "+86 138", "-1 已处理", "@SUM(A1)"


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Beijing wall-clock time in 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def wall(day: int, hour: int, minute: int = 0) -> datetime:
    """How a November time reads in the workbook: Beijing wall clock, no time zone."""
    return utc(day, hour, minute).astimezone(TZ).replace(tzinfo=None)


@dataclass
class Seeded:
    hq_activity: int
    ls_activity: int
    notice: int
    question: int


async def seed(sessions: async_sessionmaker[AsyncSession], city: SmallCity) -> Seeded:
    """One month: each town's grid holds an activity, a notice to both towns' members,
    虹桥镇 reports (with formula-looking text) and hears it, 柳市镇 does not report, and a
    question in each town."""
    hq_grid, ls_grid = city.grids["虹桥镇网格"].id, city.grids["柳市镇网格"].id
    hq_town = city.grids["虹桥镇"].id
    assert hq_grid is not None
    assert ls_grid is not None
    assert hq_town is not None
    member, other = city.person_id("member"), city.person_id("other_member")
    head, instructor = city.person_id("grid_head"), city.person_id("instructor")
    async with sessions() as session, session.begin():
        activities = []
        for grid_id, title, organiser in ((hq_grid, FORMULA, head), (ls_grid, "柳市学习", other)):
            activity = Activity(
                kind=ActivityKind.STUDY,
                title=title,
                starts_at=utc(10, 14),
                ends_at=utc(10, 16),
                place="镇政府三楼",
                organiser_id=organiser,
                code_secret="s",
                link_token_hash=f"hash-{grid_id}",
            )
            session.add(activity)
            await session.flush()
            assert activity.id is not None
            session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
            activities.append(activity.id)
        # Outside the month: never exported for November.
        late = Activity(
            kind=ActivityKind.TEAM,
            title="十二月团建",
            starts_at=utc(1, 9, month=12),
            ends_at=utc(1, 11, month=12),
            place="公园",
            organiser_id=head,
            code_secret="s",
            link_token_hash="hash-dec",
        )
        session.add(late)
        await session.flush()
        assert late.id is not None
        session.add(ActivityGrid(activity_id=late.id, grid_id=hq_grid))
        session.add_all(
            [
                Attendance(
                    activity_id=activities[0],
                    person_id=member,
                    status=AttendanceStatus.CHECKED_IN,
                    method=CheckinMethod.CODE,
                    checked_in_at=utc(10, 14, 5),
                ),
                Attendance(
                    activity_id=activities[0],
                    person_id=instructor,
                    status=AttendanceStatus.LEAVE,
                    leave_reason=MINUS,
                    recorded_by=head,
                ),
                Attendance(
                    activity_id=activities[1],
                    person_id=other,
                    status=AttendanceStatus.CHECKED_IN,
                    method=CheckinMethod.LOCATION,
                    checked_in_at=utc(10, 14, 30),
                ),
            ]
        )
        notice = Notice(
            sender_id=city.person_id("admin"),
            text=AT,
            target_label="全市网格员",
            created_at=utc(3, 9),
        )
        session.add(notice)
        await session.flush()
        assert notice.id is not None
        session.add_all(
            [
                # Confirmed after 1.5 hours.
                NoticeRecipient(notice_id=notice.id, person_id=member, confirmed_at=utc(3, 10, 30)),
                NoticeRecipient(notice_id=notice.id, person_id=other, reminders=2),
            ]
        )
        session.add(
            MonthlyReport(
                grid_id=hq_grid,
                period="2026-11",
                author_id=head,
                activities="组织学习一次",
                problems=PLUS,
                help_needed="无",
                plan="继续学习",
                submitted_at=utc(28, 17),
            )
        )
        session.add(
            ReportHearing(
                town_id=hq_town,
                period="2026-11",
                confirmed_by=city.person_id("town_head"),
                confirmed_at=utc(30, 9),
            )
        )
        questions = []
        for asker, grid_id, text in ((member, hq_grid, FORMULA), (other, ls_grid, "柳市的问题")):
            question = Question(
                asker_id=asker,
                grid_id=grid_id,
                assignee_id=instructor,
                text=text,
                status=QuestionStatus.ANSWERED,
                created_at=utc(12, 9),
            )
            session.add(question)
            await session.flush()
            assert question.id is not None
            questions.append(question.id)
        session.add_all(
            [
                QuestionPost(
                    question_id=questions[0],
                    author_id=instructor,
                    kind="answer",
                    body="首次回复",
                    created_at=utc(12, 11, 30),
                ),
                QuestionPost(
                    question_id=questions[0],
                    author_id=instructor,
                    kind="answer",
                    body="第二次回复",
                    created_at=utc(13, 9),
                ),
            ]
        )
    return Seeded(activities[0], activities[1], notice.id, questions[0])


def open_sheets(content: bytes) -> list[Worksheet]:
    book = openpyxl.load_workbook(BytesIO(content))
    return [book[name] for name in book.sheetnames]


def records(sheet: Worksheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_periods_parse_to_local_bounds() -> None:
    assert (NOV.first_day, NOV.end_day, NOV.months) == (
        date(2026, 11, 1),
        date(2026, 12, 1),
        ("2026-11",),
    )
    quarter = parse_period("2026q4")
    assert (quarter.label, quarter.end_day, quarter.months) == (
        "2026Q4",
        date(2027, 1, 1),
        ("2026-10", "2026-11", "2026-12"),
    )
    year = parse_period("2026")
    assert (year.first_day, year.end_day, len(year.months)) == (
        date(2026, 1, 1),
        date(2027, 1, 1),
        12,
    )
    start, end = NOV.bounds(TZ)
    # Beijing midnight is 16:00 UTC the day before.
    assert start.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 30, 16, tzinfo=UTC)
    for bad in ("2026-13", "2026Q5", "26-11", "2026-11; drop", ""):
        with pytest.raises(ExportError, match="无法识别的期间"):
            parse_period(bad)
    assert recent_periods(date(2026, 1, 15)) == [
        "2026-01",
        "2025-12",
        "2026Q1",
        "2025Q4",
        "2026",
        "2025",
    ]


async def test_activity_ledger_with_attendance_and_formula_text(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    seeded = await seed(sessions, small_city)
    async with sessions() as session:
        export = await build_export(
            session=session, kind=ExportKind.ACTIVITIES, period=NOV, tz=TZ, scope_label="全市"
        )
    assert export.filename == "活动台账_全市_2026-11.xlsx"
    assert export.rows == 2
    activities, attendance = open_sheets(export.content)
    assert (activities.title, attendance.title) == ("活动", "签到明细")
    for sheet, headers in (
        (activities, texts.EXPORT_ACTIVITY_HEADERS),
        (attendance, texts.EXPORT_ATTENDANCE_HEADERS),
    ):
        assert [c.value for c in sheet[1]] == list(headers)
        assert sheet.freeze_panes == "A2"
        # CJK headers are two columns wide each: "乡镇（街道）" needs 12 + margin.
        assert (sheet.column_dimensions["B"].width or 0) >= 8
    rows = records(activities)
    hq = next(r for r in rows if r["活动编号"] == seeded.hq_activity)
    # 应到 is the scorecards' (invited members: bound and reachable, or checked in). No one
    # is bound here: only the member who checked in was invited; the instructor's leave is
    # no absence and 王网格长 was never invited: 1 of 1 = 100%.
    expected = "应到人数（受邀成员）"
    assert (hq[expected], hq["签到人数"], hq["请假人数"], hq["签到率"]) == (1, 1, 1, "100%")
    assert hq["开始时间"] == wall(10, 14)
    assert (hq["乡镇（街道）"], hq["网格"], hq["组织者"]) == (
        "虹桥镇",
        "虹桥镇·工业网格1",
        "王网格长",
    )
    ls = next(r for r in rows if r["活动编号"] == seeded.ls_activity)
    # 柳市镇网格 people: other_member only; checked in: 100%.
    assert (ls[expected], ls["签到人数"], ls["签到率"]) == (1, 1, "100%")
    # The formula-looking title is stored as text, not as a formula.
    title = activities.cell(row=2 + rows.index(hq), column=5)
    assert (title.value, title.data_type) == (FORMULA, "s")
    detail = records(attendance)
    assert len(detail) == 3
    checked = next(r for r in detail if r["姓名"] == "陈统计")
    assert (checked["签到方式"], checked["签到时间"], checked["所属网格"]) == (
        "签到码",
        wall(10, 14, 5),
        "虹桥镇·工业网格1",
    )
    leave = next(r for r in detail if r["姓名"] == "李指导员")
    assert (leave["状态"], leave["请假原因"], leave["登记人"]) == ("请假", MINUS, "王网格长")
    reason = attendance.cell(row=2 + detail.index(leave), column=9)
    assert reason.data_type == "s"


async def test_town_scope_never_shows_another_town(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await seed(sessions, small_city)
    town = small_city.grids["虹桥镇"].id
    assert town is not None
    async with sessions() as session:
        for kind in set(ExportKind) - YEARLY_KINDS:
            export = await build_export(
                session=session, kind=kind, period=NOV, tz=TZ, scope=scope_for_town(town)
            )
            for sheet in open_sheets(export.content):
                values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
                assert not any("柳市" in v or "周统计" in v for v in values), (kind, sheet.title)
                assert len(values) > len(sheet[1]), (kind, sheet.title)  # not just headers


async def test_notice_confirmation_list(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    seeded = await seed(sessions, small_city)
    async with sessions() as session:
        export = await build_export(session=session, kind=ExportKind.NOTICES, period=NOV, tz=TZ)
    notices, receipts = open_sheets(export.content)
    [row] = records(notices)
    # 2 recipients, 1 confirmed 1.5 h after sending.
    assert (row["通知编号"], row["接收人数"], row["已确认"], row["确认率"]) == (
        seeded.notice,
        2,
        1,
        "50%",
    )
    assert row["确认用时中位数（小时）"] == 1.5
    assert notices.cell(row=2, column=5).data_type == "s"  # "@SUM(A1)" stays text
    by_name = {r["接收人"]: r for r in records(receipts)}
    assert by_name["陈统计"]["确认时间"] == wall(3, 10, 30)
    assert by_name["周统计"]["状态"] == "未确认"
    assert by_name["周统计"]["提醒次数"] == 2


async def test_reports_with_hearings_and_missing_grids(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await seed(sessions, small_city)
    async with sessions() as session:
        export = await build_export(
            session=session, kind=ExportKind.REPORTS, period=parse_period("2026Q4"), tz=TZ
        )
    [sheet] = open_sheets(export.content)
    assert [c.value for c in sheet[1]] == list(texts.EXPORT_REPORT_HEADERS)
    rows = records(sheet)
    # Three months x two grids, one row each, reported or not.
    assert len(rows) == 6
    hq = next(r for r in rows if r["月份"] == "2026-11" and r["乡镇（街道）"] == "虹桥镇")
    assert (hq["状态"], hq["提交人"], hq["存在问题"], hq["听取汇报人"]) == (
        "按时提交",
        "王网格长",
        PLUS,
        "虹桥镇长",
    )
    assert hq["听取时间"] == wall(30, 9)
    assert sheet.cell(row=2 + rows.index(hq), column=8).data_type == "s"
    ls = next(r for r in rows if r["月份"] == "2026-11" and r["乡镇（街道）"] == "柳市镇")
    assert (ls["状态"], ls["提交人"], ls["听取汇报人"]) == ("未提交", None, None)


async def test_question_log_with_first_answer(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    seeded = await seed(sessions, small_city)
    async with sessions() as session:
        scope, label = await named_scope(session=session, town=None, grid="虹桥镇·工业网格1")
        export = await build_export(
            session=session,
            kind=ExportKind.QUESTIONS,
            period=NOV,
            tz=TZ,
            scope=scope,
            scope_label=label,
        )
    assert export.filename == "问题台账_虹桥镇·工业网格1_2026-11.xlsx"
    [sheet] = open_sheets(export.content)
    [row] = records(sheet)
    # Asked 09:00, first answered 11:30: 2.5 hours; the later answer is not the first.
    assert (row["编号"], row["首次回复内容"], row["回复用时（小时）"]) == (
        seeded.question,
        "首次回复",
        2.5,
    )
    assert (row["提问人"], row["承办人"], row["首次回复人"]) == ("陈统计", "李指导员", "李指导员")
    question = sheet.cell(row=2, column=6)
    assert (question.value, question.data_type) == (FORMULA, "s")


async def test_named_scope_errors(session: AsyncSession, small_city: SmallCity) -> None:
    del small_city
    with pytest.raises(ExportError, match="没有名为“火星镇”"):
        await named_scope(session=session, town="火星镇", grid=None)
    with pytest.raises(ExportError, match="只能指定一个"):
        await named_scope(session=session, town="虹桥镇", grid="虹桥镇·工业网格1")


async def test_yearly_workbooks_filtered_to_the_scope(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await seed(sessions, small_city)
    town = small_city.grids["虹桥镇"].id
    assert town is not None
    year = parse_period("2026")
    async with sessions() as session:
        evaluation = await build_export(
            session=session,
            kind=ExportKind.EVALUATION,
            period=year,
            tz=TZ,
            scope=scope_for_town(town),
        )
        funding = await build_export(
            session=session,
            kind=ExportKind.FUNDING,
            period=year,
            tz=TZ,
            scope=scope_for_town(town),
        )
        city_funding = await build_export(
            session=session, kind=ExportKind.FUNDING, period=year, tz=TZ
        )
        with pytest.raises(ExportError, match="按年度导出"):
            await build_export(session=session, kind=ExportKind.EVALUATION, period=NOV, tz=TZ)
        grid, _ = await named_scope(session=session, town=None, grid="虹桥镇·工业网格1")
        with pytest.raises(ExportError, match="仅限全市和乡镇"):
            await build_export(
                session=session, kind=ExportKind.FUNDING, period=year, tz=TZ, scope=grid
            )
    # One grid and one town in 虹桥镇; the city has two towns.
    assert (evaluation.rows, funding.rows, city_funding.rows) == (1, 1, 2)
    for export in (evaluation, funding):
        values = [
            str(v)
            for sheet in open_sheets(export.content)
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        ]
        assert "虹桥镇" in values
        assert not any("柳市" in v for v in values)
    # The funding summary ends with the totals of the towns shown: 全市合计 for the city, only
    # 合计 for a town's cut; the two payers are separate columns.
    for export, label, towns in ((funding, "合计", 1), (city_funding, "全市合计", 2)):
        rows = list(open_sheets(export.content)[0].iter_rows(values_only=True))
        header, body, total = rows[0], rows[1 : 1 + towns], rows[1 + towns]
        assert "乡镇（街道）承担" in str(header[4])
        assert "市财政承担" in str(header[5])
        assert len(rows) == towns + 2
        assert total[0] == label
        for column in (1, 4, 5):
            assert total[column] == pytest.approx(sum(float(row[column] or 0) for row in body))


async def test_shared_activity_shows_a_town_only_its_own_attendance(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    """One activity for a grid of each town, attended from both: each town's export lists
    only its own grid and its own people; the city sees both."""
    await seed(sessions, small_city)
    hq_grid, ls_grid = small_city.grids["虹桥镇网格"].id, small_city.grids["柳市镇网格"].id
    assert hq_grid is not None
    assert ls_grid is not None
    async with sessions() as session, session.begin():
        shared = Activity(
            kind=ActivityKind.STUDY,
            title="两镇联学",
            starts_at=utc(20, 14),
            ends_at=utc(20, 16),
            place="市局会议室",
            organiser_id=small_city.person_id("grid_head"),
            code_secret="s",
            link_token_hash="hash-shared",
        )
        session.add(shared)
        await session.flush()
        assert shared.id is not None
        session.add_all(
            [ActivityGrid(activity_id=shared.id, grid_id=g) for g in (hq_grid, ls_grid)]
        )
        for person in ("member", "other_member"):
            session.add(
                Attendance(
                    activity_id=shared.id,
                    person_id=small_city.person_id(person),
                    status=AttendanceStatus.CHECKED_IN,
                    method=CheckinMethod.CODE,
                    checked_in_at=utc(20, 14, 5),
                )
            )
    hq_town, ls_town = small_city.grids["虹桥镇"].id, small_city.grids["柳市镇"].id
    assert hq_town is not None
    assert ls_town is not None
    seen: dict[str, list[str]] = {}
    async with sessions() as session:
        for label, scope in (("hq", scope_for_town(hq_town)), ("ls", scope_for_town(ls_town))):
            export = await build_export(
                session=session, kind=ExportKind.ACTIVITIES, period=NOV, tz=TZ, scope=scope
            )
            _activities, attendance = open_sheets(export.content)
            seen[label] = sorted(
                str(r["姓名"]) for r in records(attendance) if r["主题"] == "两镇联学"
            )
        city = await build_export(session=session, kind=ExportKind.ACTIVITIES, period=NOV, tz=TZ)
    _activities, attendance = open_sheets(city.content)
    everyone = sorted(str(r["姓名"]) for r in records(attendance) if r["主题"] == "两镇联学")
    assert len(everyone) == 2
    assert seen["hq"] == ["陈统计"]
    assert len(seen["ls"]) == 1
    assert seen["ls"] != seen["hq"]


_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@settings(max_examples=200)
@given(
    kind=st.sampled_from(ExportKind),
    upper=st.booleans(),
    full_width=st.booleans(),
    padding=st.sampled_from(["", " ", "\u3000"]),
)
def test_a_kind_reads_back_in_any_case_or_width(
    kind: ExportKind, upper: bool, full_width: bool, padding: str
) -> None:
    typed = kind.value.upper() if upper else kind.value
    if full_width:
        typed = typed.translate(str.maketrans(_FULL_WIDTH))
    assert parse_kind(padding + typed + padding) is kind


@settings(max_examples=200)
@given(
    st.text(max_size=20) | st.sampled_from([k.value for k in ExportKind]).map(lambda v: v + "\x00")
)
@example("{kind}{kinds}")
@example("x" * 10_000)
def test_any_text_is_a_kind_or_a_chinese_refusal(text: str) -> None:
    for parse in (parse_kind, parse_period):
        try:
            parse(text)
        except ExportError as refusal:
            reason = str(refusal)
        else:
            reason = ""
        assert not reason or reason.startswith("无法识别的")


@given(kind=st.sampled_from(ExportKind), padding=st.sampled_from(["", " ", "\u3000"]))
def test_a_kind_reads_back_by_its_chinese_name_and_short_forms(
    kind: ExportKind, padding: str
) -> None:
    from services.oversight import texts as oversight_texts

    assert parse_kind(padding + oversight_texts.EXPORT_KIND_NAMES[kind.value] + padding) is kind
    for alias in oversight_texts.EXPORT_KIND_ALIASES[kind.value]:
        assert parse_kind(alias) is kind


def test_an_unknown_kind_lists_the_chinese_names() -> None:
    with pytest.raises(ExportError) as refused:
        parse_kind("工资表")
    assert str(refused.value) == (
        "无法识别的台账类型“工资表”，可选：活动台账、通知确认名单、月度情况汇报、问题台账、"
        "年度绩效评定、经费台账。"
    )
