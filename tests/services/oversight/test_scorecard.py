"""Scorecards on a constructed month and year, with the arithmetic checked by hand, and the
scope a viewer gets (a town leader never sees another town)."""

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from matplotlib import font_manager
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind, AttendanceStatus, CheckinMethod
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Person,
    Question,
    QuestionPost,
    ReportHearing,
    StudyRecord,
    TelegramBinding,
)
from services.access import Viewer
from services.duties.config import load_duties
from services.duties.status import CITY
from services.onboarding import viewers_for
from services.oversight.chart import FONT_FILE, Series, bar_chart, chinese_font, font_path
from services.oversight.evaluation.confirmation import evaluation_for_year
from services.oversight.periods import PeriodError, parse_period
from services.oversight.scorecard import CityScorecard, scorecard, scorecard_for
from services.oversight.stats import evaluation_config, my_progress, render, render_chart
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
DUTIES = load_duties()
# Monthly deadline 25th: on 20 December the reports of January-November are due (11), and
# November's hearing (by 7 December, the 5th workday) is due too (11 hearings in the year).
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=TZ)


def local(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


@dataclass
class Ids:
    hq: int
    ls: int
    hq_town: int
    ls_town: int


async def _activity(
    session: AsyncSession,
    city: SmallCity,
    *,
    kind: ActivityKind,
    starts: datetime,
    grid_id: int,
    cancelled: bool = False,
) -> int:
    activity = Activity(
        kind=kind,
        title=f"{kind.value}活动",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="会议室",
        organiser_id=city.person_id("instructor"),
        code_secret="s",
        link_token_hash=f"h{starts.isoformat()}{kind.value}",
        cancelled_at=starts if cancelled else None,
    )
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
    return activity.id


def _attend(activity_id: int, person_id: int, status: AttendanceStatus) -> Attendance:
    checked = status == AttendanceStatus.CHECKED_IN
    return Attendance(
        activity_id=activity_id,
        person_id=person_id,
        status=status,
        method=CheckinMethod.CODE if checked else None,
        checked_in_at=local(11, 5) if checked else None,
        leave_reason=None if checked else "出差",
    )


@pytest.fixture
async def year_of_work(sessions: async_sessionmaker[AsyncSession], small_city: SmallCity) -> Ids:
    """A year in 虹桥镇网格 (members: 陈统计, 王网格长, 李指导员) and a little in 柳市镇网格
    (member: 周统计)."""
    city = small_city
    hq, ls = city.grids["虹桥镇网格"].id, city.grids["柳市镇网格"].id
    hq_town, ls_town = city.grids["虹桥镇"].id, city.grids["柳市镇"].id
    assert hq
    assert ls
    assert hq_town
    assert ls_town
    member, head, instructor = (
        city.person_id("member"),
        city.person_id("grid_head"),
        city.person_id("instructor"),
    )
    other = city.person_id("other_member")
    async with sessions() as session, session.begin():
        # Activities: two in November (one cancelled on top), one in October.
        study = await _activity(
            session, city, kind=ActivityKind.STUDY, starts=local(11, 5), grid_id=hq
        )
        talk = await _activity(
            session, city, kind=ActivityKind.EXCHANGE, starts=local(11, 20), grid_id=hq
        )
        await _activity(
            session, city, kind=ActivityKind.TEAM, starts=local(11, 21), grid_id=hq, cancelled=True
        )
        await _activity(session, city, kind=ActivityKind.STUDY, starts=local(10, 8), grid_id=hq)
        session.add_all(
            [
                _attend(study, member, AttendanceStatus.CHECKED_IN),
                _attend(study, head, AttendanceStatus.CHECKED_IN),
                _attend(study, instructor, AttendanceStatus.LEAVE),
                # Not a member of 虹桥镇网格: does not count for it.
                _attend(study, other, AttendanceStatus.CHECKED_IN),
                _attend(talk, member, AttendanceStatus.CHECKED_IN),
            ]
        )
        # Notices: November's to all four; October's to 陈统计 only.
        november = Notice(
            sender_id=instructor, text="通知", target_label="全体", created_at=local(11, 2)
        )
        october = Notice(
            sender_id=instructor, text="通知", target_label="全体", created_at=local(10, 2)
        )
        session.add_all([november, october])
        await session.flush()
        assert november.id
        assert october.id
        session.add_all(
            [
                NoticeRecipient(
                    notice_id=november.id, person_id=member, confirmed_at=local(11, 2, 10)
                ),
                NoticeRecipient(
                    notice_id=november.id, person_id=head, confirmed_at=local(11, 2, 12)
                ),
                NoticeRecipient(notice_id=november.id, person_id=instructor),
                NoticeRecipient(notice_id=november.id, person_id=other),
                NoticeRecipient(
                    notice_id=october.id, person_id=member, confirmed_at=local(10, 2, 14)
                ),
            ]
        )
        # Monthly reports: October late, November on time; November heard by the town.
        for period, late in (("2026-10", True), ("2026-11", False)):
            session.add(
                MonthlyReport(
                    grid_id=hq,
                    period=period,
                    author_id=head,
                    activities="a",
                    problems="p",
                    help_needed="h",
                    plan="p",
                    late=late,
                    submitted_at=local(int(period[-2:]), 24),
                )
            )
        session.add(
            ReportHearing(
                town_id=hq_town,
                period="2026-11",
                confirmed_by=city.person_id("town_head"),
                confirmed_at=local(12, 2),
            )
        )
        # Hearings of January to March "confirmed" in December, months after their digests
        # (a forged or back-dated button): outside the duties file's window, they never count.
        session.add_all(
            ReportHearing(
                town_id=hq_town,
                period=month,
                confirmed_by=city.person_id("town_head"),
                confirmed_at=local(12, 2),
            )
            for month in ("2026-01", "2026-02", "2026-03")
        )
        # Questions in November: one answered after 4 hours (a later answer does not count),
        # one never answered.
        answered = Question(asker_id=member, grid_id=hq, text="问", created_at=local(11, 3, 10))
        waiting = Question(asker_id=member, grid_id=hq, text="问", created_at=local(11, 10))
        session.add_all([answered, waiting])
        await session.flush()
        assert answered.id
        assert waiting.id
        for hour, kind in ((10, "question"), (14, "answer"), (16, "answer")):
            session.add(
                QuestionPost(
                    question_id=answered.id,
                    author_id=instructor if kind == "answer" else member,
                    kind=kind,
                    body="…",
                    created_at=local(11, 3, hour),
                )
            )
        # Study: 陈统计 20 h in March + 4 h in November = 24 (the target); 王网格长 10 h;
        # 李指导员 30 h in December (only in the year).
        for person_id, day, hours in (
            (member, date(2026, 3, 1), 20.0),
            (member, date(2026, 11, 1), 4.0),
            (head, date(2026, 6, 1), 10.0),
            (instructor, date(2026, 12, 1), 30.0),
            # Last year's hours never count.
            (head, date(2025, 12, 31), 50.0),
        ):
            session.add(
                StudyRecord(
                    person_id=person_id, studied_on=day, topic=f"t{day}", hours=hours, source="self"
                )
            )
        blocked = await session.get(Person, head)
        assert blocked is not None
        blocked.unreachable_at = local(9, 1)
        # Bound to Telegram since January (invited to every activity): 陈统计 and 李指导员;
        # 王网格长 never bound (and blocked): invited to none, counted only when checked in.
        session.add_all(
            TelegramBinding(person_id=person_id, telegram_user_id=7000 + person_id, bound_at=at)
            for person_id, at in ((member, local(1, 1)), (instructor, local(1, 1)))
        )
    return Ids(hq=hq, ls=ls, hq_town=hq_town, ls_town=ls_town)


async def load_viewer_by_person(*, session: AsyncSession, person_id: int) -> Viewer | None:
    person = await session.get(Person, person_id)
    assert person is not None
    return (await viewers_for(session=session, persons=[person])).get(person_id)


async def _card(session: AsyncSession, period: str) -> CityScorecard:
    return await scorecard(
        session=session, period=parse_period(period), now=NOW, tz=TZ, duties=DUTIES
    )


async def test_month_by_hand(session: AsyncSession, year_of_work: Ids) -> None:
    card = await _card(session, "2026-11")
    hq = next(g for g in card.grids if g.grid_id == year_of_work.hq).tally
    assert hq.members == 3
    assert dict(hq.activities) == {ActivityKind.STUDY: 1, ActivityKind.EXCHANGE: 1}
    # 应到 counts invited members (bound, reachable) and whoever checked in: the study day
    # 陈统计 and 王网格长 (checked in; 李指导员's leave is not absence), the exchange 陈统计
    # (checked in) and 李指导员 (absent); 王网格长, unbound and blocked, was not invited to it.
    assert (hq.attendance_slots, hq.checked_in, hq.on_leave) == (4, 3, 1)
    assert hq.attendance_rate == pytest.approx(0.75)
    # 3 copies to members; confirmed after 1 h and 3 h: rate 2/3, median 2 h.
    assert (hq.notice_copies, hq.notices_confirmed) == (3, 2)
    assert hq.confirm_median_hours == pytest.approx(2.0)
    # November's deadline passed: 1 due, submitted on time.
    assert (hq.reports_due, hq.reports_submitted, hq.reports_on_time) == (1, 1, 1)
    assert (hq.questions_asked, hq.questions_answered) == (2, 1)
    assert hq.answer_median_hours == pytest.approx(4.0)
    # Up to 30 November: 陈统计 24 h (reached), 王网格长 10 h, 李指导员 none yet.
    assert hq.study_hours == pytest.approx(34.0)
    assert hq.study_reached == 1
    assert hq.unreachable == 1

    town = next(t for t in card.towns if t.town_id == year_of_work.hq_town)
    assert (town.hearings_confirmed, town.hearings_due) == (1, 1)
    liushi = next(t for t in card.towns if t.town_id == year_of_work.ls_town)
    assert (liushi.hearings_confirmed, liushi.hearings_due) == (0, 1)
    # City: 4 members; copies 3 + 1 (周统计, unconfirmed) = 4, confirmed 2 -> 50 %.
    assert card.tally.members == 4
    assert (card.tally.notice_copies, card.tally.notices_confirmed) == (4, 2)
    assert card.tally.confirm_rate == pytest.approx(0.5)
    assert card.tally.confirm_median_hours == pytest.approx(2.0)
    assert (card.tally.reports_due, card.tally.reports_on_time) == (2, 1)
    assert (card.hearings_confirmed, card.hearings_due) == (1, 2)


async def test_year_by_hand(session: AsyncSession, year_of_work: Ids) -> None:
    card = await _card(session, "2026")
    hq = next(g for g in card.grids if g.grid_id == year_of_work.hq).tally
    assert dict(hq.activities) == {ActivityKind.STUDY: 2, ActivityKind.EXCHANGE: 1}
    # November's 4, and October's 陈统计 and 李指导员 (bound, both absent): 6; 3 check-ins.
    assert (hq.attendance_slots, hq.checked_in) == (6, 3)
    assert hq.attendance_rate == pytest.approx(0.5)
    # 4 copies, confirmed after 1 h, 3 h, 5 h: median 3 h.
    assert (hq.notice_copies, hq.notices_confirmed) == (4, 3)
    assert hq.confirm_median_hours == pytest.approx(3.0)
    # January to November due (11); October late, November on time.
    assert (hq.reports_due, hq.reports_submitted, hq.reports_on_time) == (11, 2, 1)
    assert hq.on_time_rate == pytest.approx(1 / 11)
    # The whole year: 24 + 10 + 30 = 64 h; 陈统计 and 李指导员 reach 24 h.
    assert hq.study_hours == pytest.approx(64.0)
    assert hq.study_reached == 2
    town = next(t for t in card.towns if t.town_id == year_of_work.hq_town)
    assert (town.hearings_confirmed, town.hearings_due) == (1, 11)

    # A quarter: Q4 holds all three activities; Q1 none.
    q4 = next(g for g in (await _card(session, "2026Q4")).grids if g.grid_id == year_of_work.hq)
    assert q4.tally.activity_total == 3
    q1 = next(g for g in (await _card(session, "2026Q1")).grids if g.grid_id == year_of_work.hq)
    assert q1.tally.activity_total == 0
    assert q1.tally.reports_due == 3


async def test_town_leader_sees_only_own_town(
    session: AsyncSession, small_city: SmallCity, year_of_work: Ids
) -> None:
    viewer = await load_viewer_by_person(
        session=session, person_id=small_city.person_id("other_town_head")
    )
    assert viewer is not None
    scope, card = await scorecard_for(
        session=session, viewer=viewer, period=parse_period("2026"), now=NOW, tz=TZ, duties=DUTIES
    )
    assert [t.town_id for t in card.towns] == [year_of_work.ls_town]
    assert [g.grid_id for g in card.grids] == [year_of_work.ls]
    text = render(card, scope, tz=TZ).text
    assert "柳市镇" in text
    assert "虹桥" not in text

    instructor = await load_viewer_by_person(
        session=session, person_id=small_city.person_id("instructor")
    )
    assert instructor is not None
    scope, own = await scorecard_for(
        session=session,
        viewer=instructor,
        period=parse_period("2026"),
        now=NOW,
        tz=TZ,
        duties=DUTIES,
    )
    assert [g.grid_id for g in own.grids] == [year_of_work.hq]
    # A grid's staff do not see their town's hearings.
    assert own.hearings_due == 0
    assert "柳市" not in render(own, scope, tz=TZ).text


def test_periods() -> None:
    assert parse_period("2026-11").months == ("2026-11",)
    assert parse_period("2026q4").months == ("2026-10", "2026-11", "2026-12")
    assert len(parse_period("2026").months) == 12
    start, end = parse_period("2026-12").bounds(TZ)
    assert start == datetime(2026, 11, 30, 16, tzinfo=ZoneInfo("UTC"))
    assert end == datetime(2026, 12, 31, 16, tzinfo=ZoneInfo("UTC"))
    for bad in ("2026-13", "2026Q5", "26", "2026-1", "=1+1"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_chart_font_found_and_chinese_has_glyphs() -> None:
    path = font_path()
    assert path.name == FONT_FILE
    assert path.is_file()
    # matplotlib resolves our properties to exactly that file, not a fallback font.
    assert font_manager.findfont(chinese_font(), fallback_to_default=False) == str(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = bar_chart(
            title="2026年 虹桥镇 主要指标",
            groups=["虹桥镇·工业网格1", "柳市镇·工业网格1"],
            series=[Series("活动出勤率", [0.5, None]), Series("通知已阅率", [1.0, 0.25])],
        )
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


async def test_render_chart_of_a_scorecard(session: AsyncSession, year_of_work: Ids) -> None:
    del year_of_work
    card = await _card(session, "2026")
    view = render(card, CITY, tz=TZ)
    assert "全市" in view.text
    assert view.chart is not None
    assert [name for name, _ in view.chart.groups] == ["柳市镇", "虹桥镇"]
    assert render_chart(view.chart).startswith(b"\x89PNG")


async def test_my_progress_against_the_lines(
    session: AsyncSession, small_city: SmallCity, year_of_work: Ids
) -> None:
    del year_of_work
    viewer = await load_viewer_by_person(session=session, person_id=small_city.person_id("member"))
    assert viewer is not None
    config = evaluation_config()
    text = await my_progress(session=session, viewer=viewer, now=NOW, tz=TZ, duties=DUTIES)
    outcome = await evaluation_for_year(session=session, year=2026, config=config, as_of=NOW, tz=TZ)
    grid_id = small_city.grids["虹桥镇网格"].id
    result = next(e for e in outcome.evaluations if e.grid_id == grid_id)
    assert f"综合得分 {result.score:.2f} 分，档次：<b>{result.grade}</b>" in text
    if result.score < config.grades.pass_min:
        assert f"距合格线还差 {config.grades.pass_min - result.score:.1f} 分" in text
    elif result.score < config.grades.excellent_min:
        assert f"距优秀线还差 {config.grades.excellent_min - result.score:.1f} 分" in text
    for component in result.components:
        if component.counted:
            assert f"{component.label}：{component.points:.2f}/{component.weight:g} 分" in text
        else:
            assert f"{component.label}：不计入" in text
    # One study target on the whole page: the duties file's 24 h (the evaluation's pro-rated
    # share of it so far is named as such, never as a second target).
    assert set(re.findall(r"目标 ([\d.]+) 学时", text)) == {"24"}
    assert "截至评定日按 23.2 学时计" in text
    # The scorecard's own numbers for the year follow: 3 activities, 1/3 attendance.
    assert "活动 3 次（学习 2、交流 1）；出勤率 50%（签到 3/6 人次，请假 1）" in text
    assert "柳市" not in text
