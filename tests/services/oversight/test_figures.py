"""One definition per figure, and an evaluation that rewards the work (issue 16, items 1–2):

- the README's worked example (three grids: did nothing / did the minimum / did well), each
  component computed by hand, through services/oversight/evaluation;
- grades at the band edges reached from evidence, not from a bare score;
- attendance counts invited members only (an unbound member is not 应到), leave is not absence;
- a notice counts for the grid(s) it was sent to, not every grid of its recipients;
- one study target (services/duties/duties.toml), also in the evaluation.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod, Industry, Scale
from models.evaluation import GridRef
from models.scorecards.engagement import attendance_by_grid
from models.scorecards.notices import notice_confirmations
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    Notice,
    NoticeRecipient,
    SurveyObject,
    TelegramBinding,
)
from services.duties.config import load_duties
from services.notices import texts as notice_texts
from services.notices.drafts import Audience, Scope, ScopeKind, target_label
from services.oversight.evaluation.config import (
    EvaluationConfig,
    EvaluationConfigError,
    load_evaluation_config,
)
from services.oversight.evaluation.evidence import evaluate_year
from services.oversight.evaluation.scoring import (
    EXCELLENT,
    FAIL,
    PASS,
    GridEvidence,
    score_evidence,
)
from services.oversight.periods import parse_period
from services.oversight.scorecard import scorecard
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
CONFIG = EvaluationConfig()
REF = GridRef(1, "网格", 2, "镇")
DUTIES = load_duties()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


# --- The README's worked example -------------------------------------------------------------

# A whole year (4 quarters, 12 months due), 3 members, target 24 h each.
DID_NOTHING = GridEvidence(
    quarters_due=4,
    months_due=12,
    notices_received=4,
    members=3,
    education_target_hours=24,
    education_yearly_hours=24,
)
DID_THE_MINIMUM = GridEvidence(
    quarters_due=4,
    quarters_with_activity=4,
    attendance_expected=12,
    attendance_checked_in=6,
    notices_received=10,
    notices_confirmed=5,
    months_due=12,
    reports_on_time=12,
    members=3,
    education_progress=1.0,
    education_target_hours=24,
    education_yearly_hours=24,
)
DID_WELL = GridEvidence(
    quarters_due=4,
    quarters_with_activity=4,
    attendance_expected=24,
    attendance_checked_in=22,
    notices_received=20,
    notices_confirmed=20,
    months_due=12,
    reports_on_time=12,
    questions_asked=5,
    questions_answered=5,
    members=3,
    education_progress=3.0,
    education_target_hours=24,
    education_yearly_hours=24,
)


def _points(evidence: GridEvidence) -> dict[str, float | None]:
    evaluation = score_evidence(REF, evidence, CONFIG)
    return {c.key: c.points if c.counted else None for c in evaluation.components}


def test_worked_example_did_nothing() -> None:
    # Attendance (no activity) and questions (none asked) are left out; the rest (25 + 15 +
    # 20 + 15 = 75) scaled by 100/75; every one of them is 0.
    evaluation = score_evidence(REF, DID_NOTHING, CONFIG)
    assert _points(DID_NOTHING) == {
        "activities": 0.0,
        "attendance": None,
        "notices": 0.0,
        "reports": 0.0,
        "questions": None,
        "education": 0.0,
    }
    assert (evaluation.score, evaluation.grade, evaluation.reward_yuan) == (0.0, FAIL, 0)
    weights = {c.key: c.weight for c in evaluation.components}
    assert (weights["activities"], weights["reports"]) == (33.33, 26.67)
    assert "活动出勤、问题答复无可计事项，不计入；其余各项权重按比例折算为满分 100 分" in (
        evaluation.explanation()
    )


def test_worked_example_did_the_minimum() -> None:
    # No question asked: left out; the other 90 points scaled by 100/90.
    # activities 25 × 10/9 × 4/4 = 27.78; attendance 15 × 10/9 × 6/12 = 8.33;
    # notices 15 × 10/9 × 5/10 = 8.33; reports 20 × 10/9 × 12/12 = 22.22;
    # education 15 × 10/9 × (1/3) = 5.56 (one member of three reached 24 h).
    evaluation = score_evidence(REF, DID_THE_MINIMUM, CONFIG)
    assert _points(DID_THE_MINIMUM) == {
        "activities": 27.78,
        "attendance": 8.33,
        "notices": 8.33,
        "reports": 22.22,
        "questions": None,
        "education": 5.56,
    }
    # 72.22: 合格, 1000 + 12.22/25 × 2000 = 1977.6 -> 1900 yuan.
    assert (evaluation.score, evaluation.grade, evaluation.reward_yuan) == (72.22, PASS, 1900)
    assert "问题答复 不计入（无人提问）" in evaluation.explanation()


def test_worked_example_did_well() -> None:
    # Everything counted at its own weight: 25 + 15 × 22/24 + 15 + 20 + 10 + 15 = 98.75.
    evaluation = score_evidence(REF, DID_WELL, CONFIG)
    assert _points(DID_WELL) == {
        "activities": 25.0,
        "attendance": 13.75,
        "notices": 15.0,
        "reports": 20.0,
        "questions": 10.0,
        "education": 15.0,
    }
    # 优秀: 3000 + 13.75/15 × 2000 = 4833.3 -> 4800 yuan.
    assert (evaluation.score, evaluation.grade, evaluation.reward_yuan) == (98.75, EXCELLENT, 4800)


def test_doing_the_work_never_lowers_the_score() -> None:
    # The reported defect: one activity and one notice took a grid from 40 down to 10.71.
    idle = score_evidence(REF, DID_NOTHING, CONFIG).score
    one_activity = replace(
        DID_NOTHING,
        quarters_with_activity=1,
        attendance_expected=1,
        attendance_checked_in=1,
        notices_confirmed=1,
    )
    assert score_evidence(REF, one_activity, CONFIG).score > idle


# --- Band edges reached from evidence --------------------------------------------------------

# Activities 4/4 (25), reports 12/12 (20), education 1/1 (15), attendance, notices and
# questions counted but not done: exactly 60.
AT_PASS = GridEvidence(
    quarters_due=4,
    quarters_with_activity=4,
    attendance_expected=1,
    notices_received=1,
    months_due=12,
    reports_on_time=12,
    questions_asked=1,
    members=1,
    education_progress=1.0,
    education_target_hours=24,
)


@pytest.mark.parametrize(
    ("evidence", "score", "grade", "reward"),
    [
        (AT_PASS, 60.0, PASS, 1000),
        # One month short: 20 × 11/12 = 18.33 -> 58.33.
        (replace(AT_PASS, reports_on_time=11), 58.33, FAIL, 0),
        # Attendance and questions done too: 60 + 15 + 10 = 85.
        (
            replace(AT_PASS, attendance_checked_in=1, questions_answered=1),
            85.0,
            EXCELLENT,
            3000,
        ),
        # One month short of 85: 83.33, 1000 + 23.33/25 × 2000 = 2866.4 -> 2800.
        (
            replace(AT_PASS, attendance_checked_in=1, questions_answered=1, reports_on_time=11),
            83.33,
            PASS,
            2800,
        ),
    ],
)
def test_band_edges_from_evidence(
    evidence: GridEvidence, score: float, grade: str, reward: int
) -> None:
    evaluation = score_evidence(REF, evidence, CONFIG)
    assert (evaluation.score, evaluation.grade, evaluation.reward_yuan) == (score, grade, reward)


# --- Attendance: invited members only ---------------------------------------------------------


async def _activity(session: AsyncSession, city: SmallCity, grid_key: str, starts: datetime) -> int:
    activity = Activity(
        kind=ActivityKind.STUDY,
        title="学习",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="统计之家",
        organiser_id=city.person_id("grid_head"),
        code_secret="s",
        link_token_hash=f"h{starts.isoformat()}{grid_key}",
    )
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    grid_id = city.grids[grid_key].id
    assert grid_id is not None
    session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
    return activity.id


def _bind(
    city: SmallCity, key: str, at: datetime, *, ended: datetime | None = None
) -> TelegramBinding:
    person_id = city.person_id(key)
    return TelegramBinding(
        person_id=person_id, telegram_user_id=9000 + person_id, bound_at=at, ended_at=ended
    )


async def test_attendance_counts_invited_members_only(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    """虹桥镇网格 (陈统计, 王网格长, 李指导员) holds one activity on 10 March 2026:
    陈统计 (bound) checks in; 李指导员 (bound) does not come; 王网格长 never bound the bot, so
    was never invited. 应到 2, 签到 1. A second activity on 20 March: 李指导员 records leave
    (not absence); 陈统计's binding had ended on 15 March (he bound again on 25 March): 应到 0
    there."""
    city = small_city
    async with transaction(sessions) as session:
        # 陈统计's first binding ended on 15 March; he bound again on 25 March.
        session.add_all(
            [
                _bind(city, "member", local(2026, 3, 1), ended=local(2026, 3, 15)),
                _bind(city, "instructor", local(2026, 1, 1)),
            ]
        )
        await session.flush()
        session.add(
            TelegramBinding(
                person_id=city.person_id("member"),
                telegram_user_id=9999,
                bound_at=local(2026, 3, 25),
            )
        )
        first = await _activity(session, city, "虹桥镇网格", local(2026, 3, 10, 14))
        second = await _activity(session, city, "虹桥镇网格", local(2026, 3, 20, 14))
        session.add_all(
            [
                Attendance(
                    activity_id=first,
                    person_id=city.person_id("member"),
                    status=AttendanceStatus.CHECKED_IN,
                    method=CheckinMethod.CODE,
                    checked_in_at=local(2026, 3, 10, 14),
                ),
                Attendance(
                    activity_id=second,
                    person_id=city.person_id("instructor"),
                    status=AttendanceStatus.LEAVE,
                    leave_reason="出差",
                ),
            ]
        )
    hq = city.grids["虹桥镇网格"].id
    assert hq is not None
    async with sessions() as session:
        counts = await attendance_by_grid(
            session=session, start=local(2026, 3, 1), end=local(2026, 4, 1)
        )
        card = await scorecard(
            session=session,
            period=parse_period("2026-03"),
            now=local(2026, 4, 2),
            tz=TZ,
            duties=DUTIES,
        )
        evaluations = await evaluate_year(
            session=session, year=2026, config=CONFIG, as_of=local(2026, 4, 2), tz=TZ
        )
    assert (counts[hq].expected, counts[hq].checked_in, counts[hq].on_leave) == (2, 1, 1)
    tally = next(g for g in card.grids if g.grid_id == hq).tally
    assert (tally.attendance_slots, tally.checked_in, tally.on_leave) == (2, 1, 1)
    assert tally.attendance_rate == pytest.approx(0.5)
    evaluation = next(e for e in evaluations if e.grid_id == hq)
    attendance = next(c for c in evaluation.components if c.key == "attendance")
    assert (attendance.done, attendance.due) == (1, 2)
    assert "签到 1 人次 / 应到 2 人次" in attendance.note


# --- Notices: counted for the grids they were sent to -----------------------------------------


def _label(kind: ScopeKind, name: str) -> str:
    scope_text = {
        ScopeKind.GRID: notice_texts.NOTICE_SCOPE_GRID,
        ScopeKind.TOWN: notice_texts.NOTICE_SCOPE_TOWN,
        ScopeKind.CITY: notice_texts.NOTICE_SCOPE_CITY,
    }[kind]
    return target_label(Scope(kind, 1, scope_text.format(name=name)), Audience.ALL)


async def test_a_notice_counts_for_the_grids_it_was_sent_to(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    """陈统计 keeps statistics in 虹桥镇网格 and, from now on, in 柳市镇网格 too.

    - 柳市镇网格's notice (to 陈统计 and 周统计) counts for 柳市镇网格 only: 2 copies there,
      none in 虹桥镇网格;
    - 虹桥镇's town notice (to 陈统计) counts for 虹桥镇网格 only;
    - the city's notice (to 陈统计) counts in both of his grids.
    """
    city = small_city
    ls_grid = city.grids["柳市镇网格"]
    async with transaction(sessions) as session:
        assert ls_grid.id is not None
        assert ls_grid.parent_id is not None
        session.add(
            SurveyObject(
                name="乐清市柳市第二电器厂",
                uscc="91330382MA2OVER001",
                industry=Industry.INDUSTRY,
                scale=Scale.ABOVE_SCALE,
                town_id=ls_grid.parent_id,
                grid_id=ls_grid.id,
                statistician_id=city.person_id("member"),
            )
        )
        sent = (
            (ScopeKind.GRID, ls_grid, ("member", "other_member"), local(2026, 3, 2)),
            (ScopeKind.TOWN, city.grids["虹桥镇"], ("member",), local(2026, 3, 3)),
            (ScopeKind.CITY, None, ("member",), local(2026, 3, 4)),
        )
        for kind, target, keys, at in sent:
            notice = Notice(
                sender_id=city.person_id("admin"),
                text="通知",
                target_label=_label(kind, target.name if target else "乐清市"),
                target_grid_id=target.id if target else None,
                created_at=at,
            )
            session.add(notice)
            await session.flush()
            assert notice.id is not None
            session.add_all(
                NoticeRecipient(
                    notice_id=notice.id,
                    person_id=city.person_id(key),
                    confirmed_at=at + timedelta(hours=1),
                )
                for key in keys
            )
    hq = city.grids["虹桥镇网格"].id
    ls = ls_grid.id
    assert hq is not None
    assert ls is not None
    async with sessions() as session:
        counts = await notice_confirmations(
            session=session, start=local(2026, 3, 1), end=local(2026, 4, 1)
        )
        only_hq = await notice_confirmations(
            session=session, start=local(2026, 3, 1), end=local(2026, 4, 1), grid_ids=[hq]
        )
        card = await scorecard(
            session=session,
            period=parse_period("2026-03"),
            now=local(2026, 4, 2),
            tz=TZ,
            duties=DUTIES,
        )
        evaluations = {
            e.grid_id: e
            for e in await evaluate_year(
                session=session, year=2026, config=CONFIG, as_of=local(2026, 4, 2), tz=TZ
            )
        }
    # 虹桥镇网格: the town's and the city's notice; 柳市镇网格: its own two and the city's.
    assert (counts[hq].recipients, counts[ls].recipients) == (2, 3)
    assert only_hq[hq].recipients == 2
    tallies = {g.grid_id: g.tally for g in card.grids}
    assert (tallies[hq].notice_copies, tallies[ls].notice_copies) == (2, 3)
    # A town and the city count each copy once: 4 copies were sent to grid members (the
    # city's notice to 陈统计 is one copy, though it counts in both of his grids).
    assert card.tally.notice_copies == 4
    towns = {t.town_name: t.tally.notice_copies for t in card.towns}
    assert towns == {"虹桥镇": 2, "柳市镇": 3}
    notices = {
        grid_id: next(c for c in e.components if c.key == "notices")
        for grid_id, e in evaluations.items()
    }
    assert (notices[hq].done, notices[hq].due) == (2, 2)
    assert (notices[ls].done, notices[ls].due) == (3, 3)


# --- One study target ------------------------------------------------------------------------


def test_the_study_target_is_the_duties_files(tmp_path: Path) -> None:
    assert load_evaluation_config().education.yearly_target_hours == (
        DUTIES.education.yearly_target_hours
    )
    assert load_evaluation_config(yearly_target_hours=30).education.yearly_target_hours == 30
    path = tmp_path / "evaluation.toml"
    path.write_text("[education]\nyearly_target_hours = 22\n", encoding="utf-8")
    with pytest.raises(EvaluationConfigError, match=r"duties\.toml"):
        load_evaluation_config(path)


def test_a_pro_rated_target_names_the_yearly_one() -> None:
    evidence = replace(DID_THE_MINIMUM, education_target_hours=22)
    education = next(
        c for c in score_evidence(REF, evidence, CONFIG).components if c.key == "education"
    )
    assert "年度目标 24 学时/人，截至评定日按 22 学时计" in education.note
