"""The annual evaluation: scoring a constructed year by hand, grades and rewards at the band
edges, the config file's validation, confirmation freezing a year, and the
sheets written without formula injection (the funding ledger: test_funding.py)."""

import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod
from models.evaluation import GridRef
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    Grid,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Question,
    QuestionPost,
    StudyRecord,
    TelegramBinding,
)
from services.oversight.evaluation.config import (
    EvaluationConfig,
    EvaluationConfigError,
    Grades,
    load_evaluation_config,
)
from services.oversight.evaluation.confirmation import (
    AlreadyConfirmed,
    confirm_year,
    evaluation_for_year,
    score_grid,
)
from services.oversight.evaluation.evidence import evaluate_year
from services.oversight.evaluation.scoring import (
    EXCELLENT,
    FAIL,
    PASS,
    GridEvidence,
    grade_for,
    score_evidence,
)
from services.oversight.evaluation.sheet import evaluation_xlsx
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
CONFIG = EvaluationConfig()
CONFIRMED_AT = datetime(2026, 1, 20, 2, 0, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


# --- Grades at the band edges ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade", "reward"),
    [
        (0, FAIL, 0),
        (59.99, FAIL, 0),
        (60, PASS, 1000),
        (60.04, PASS, 1000),  # 1003.2 yuan, rounded down to 100
        (72.5, PASS, 2000),  # halfway through 60–85: 1000 + 0.5 × 2000
        (84.99, PASS, 2900),  # 2999.2 rounded down: still inside the 合格 band
        (85, EXCELLENT, 3000),
        (92.5, EXCELLENT, 4000),
        (99.99, EXCELLENT, 4900),
        (100, EXCELLENT, 5000),
    ],
)
def test_grade_and_reward_at_the_band_edges(score: float, grade: str, reward: int) -> None:
    assert grade_for(score, CONFIG.grades) == (grade, reward)


def test_reward_step_of_one_yuan() -> None:
    grades = Grades(reward_step=1)
    # 1000 + (70 − 60) / 25 × 2000 = 1800; 3000 + (90 − 85) / 15 × 2000 = 3666.67 -> 3666.
    assert grade_for(70, grades) == (PASS, 1800)
    assert grade_for(90, grades) == (EXCELLENT, 3666)


# --- The config file -------------------------------------------------------------------------


def test_shipped_file_is_the_documented_default() -> None:
    assert load_evaluation_config() == EvaluationConfig()


def test_weights_must_sum_to_100(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.toml"
    path.write_text("[weights]\nactivities = 30\n", encoding="utf-8")
    with pytest.raises(EvaluationConfigError, match="权重之和应为 100，现为 105"):
        load_evaluation_config(path)


def test_rewards_must_stay_inside_the_policy_bands(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.toml"
    path.write_text("[grades]\nexcellent_reward_max = 6000\n", encoding="utf-8")
    with pytest.raises(EvaluationConfigError, match="3000–5000 元之内"):
        load_evaluation_config(path)
    path.write_text("[grades]\npass_min = 90\n", encoding="utf-8")
    with pytest.raises(EvaluationConfigError, match="合格线"):
        load_evaluation_config(path)
    path.write_text("[grades]\npass_min = \n", encoding="utf-8")
    with pytest.raises(EvaluationConfigError, match="格式错误"):
        load_evaluation_config(path)


# --- Scoring evidence -----------------------------------------------------------------------


def test_nothing_to_measure_earns_nothing() -> None:
    ref = GridRef(1, "网格", 2, "镇")
    evaluation = score_evidence(ref, GridEvidence(), CONFIG)
    assert (evaluation.score, evaluation.grade, evaluation.reward_yuan) == (0, FAIL, 0)
    assert not any(c.counted for c in evaluation.components)
    assert "尚无可计事项，得 0 分" in evaluation.explanation()


# --- A constructed year --------------------------------------------------------------------


async def _activity(
    session: AsyncSession, city: SmallCity, starts_at: datetime, *, cancelled: bool = False
) -> int:
    activity = Activity(
        kind=ActivityKind.STUDY,
        title=f"学习 {starts_at:%m-%d}",
        starts_at=starts_at,
        ends_at=starts_at.replace(hour=starts_at.hour + 2),
        place="统计之家",
        organiser_id=city.person_id("grid_head"),
        code_secret="s",
        link_token_hash=f"h{starts_at.isoformat()}",
        cancelled_at=starts_at if cancelled else None,
    )
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    grid_id = city.grids["虹桥镇网格"].id
    assert grid_id is not None
    session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
    return activity.id


def _attend(session: AsyncSession, city: SmallCity, activity_id: int, key: str) -> None:
    session.add(
        Attendance(
            activity_id=activity_id,
            person_id=city.person_id(key),
            status=AttendanceStatus.CHECKED_IN,
            method=CheckinMethod.CODE,
            checked_in_at=datetime.now(UTC),
        )
    )


@pytest.fixture
async def year_2025(sessions: async_sessionmaker[AsyncSession], small_city: SmallCity) -> SmallCity:
    """虹桥镇网格 (members grid_head, instructor, member) in 2025:

    activities in Q1, Q2, Q3 (Q4's was cancelled): 3/4 quarters -> 25 × 0.75 = 18.75;
    all three bound to Telegram since January, so invited to every activity: check-ins
    3 + 1 + 2 = 6 of 应到 3 + 2 + 3 = 8 (grid_head's leave in Q2 is not absence)
    -> 15 × 6/8 = 11.25;
    notices to 虹桥镇: 2 of 3 and 3 of 3 confirmed -> 15 × 5/6 = 12.5;
    reports on time for 9 months (and one late) -> 20 × 9/12 = 15;
    questions: 1 of 2 answered -> 10 × 0.5 = 5;
    education (24 h target): 24 h, 12 h, 0 h -> (1 + 0.5 + 0) / 3 -> 15 × 0.5 = 7.5.
    Total 70.00: 合格, reward 1000 + 10/25 × 2000 = 1800.
    """
    city = small_city
    hq = city.grids["虹桥镇网格"].id
    assert hq is not None
    members = ("grid_head", "instructor", "member")
    async with transaction(sessions) as session:
        q1 = await _activity(session, city, local(2025, 2, 10, 14))
        q2 = await _activity(session, city, local(2025, 5, 10, 14))
        q3 = await _activity(session, city, local(2025, 8, 10, 14))
        await _activity(session, city, local(2025, 11, 10, 14), cancelled=True)
        for key in members:
            _attend(session, city, q1, key)
        # other_member is no member of 虹桥镇网格: not counted.
        _attend(session, city, q1, "other_member")
        _attend(session, city, q2, "member")
        session.add(
            Attendance(
                activity_id=q2,
                person_id=city.person_id("grid_head"),
                status=AttendanceStatus.LEAVE,
                leave_reason="出差",
            )
        )
        _attend(session, city, q3, "member")
        _attend(session, city, q3, "grid_head")
        for number, confirming in ((1, ("member", "grid_head")), (2, members)):
            notice = Notice(
                sender_id=city.person_id("town_head"),
                text=f"通知{number}",
                target_label="虹桥镇全镇（街道） · 全体人员",
                created_at=local(2025, 3 * number, 1, 9),
            )
            session.add(notice)
            await session.flush()
            assert notice.id is not None
            for key in members:
                session.add(
                    NoticeRecipient(
                        notice_id=notice.id,
                        person_id=city.person_id(key),
                        confirmed_at=local(2025, 3 * number, 2) if key in confirming else None,
                    )
                )
        # A notice of 2024 does not count in 2025.
        old = Notice(
            sender_id=city.person_id("town_head"),
            text="去年的通知",
            target_label="虹桥镇全体",
            created_at=local(2024, 12, 31, 9),
        )
        session.add(old)
        await session.flush()
        assert old.id is not None
        session.add(NoticeRecipient(notice_id=old.id, person_id=city.person_id("member")))
        for month in range(1, 11):
            session.add(
                MonthlyReport(
                    grid_id=hq,
                    period=f"2025-{month:02d}",
                    author_id=city.person_id("grid_head"),
                    activities="a",
                    problems="p",
                    help_needed="h",
                    plan="n",
                    late=month == 10,
                )
            )
        answered = Question(
            asker_id=city.person_id("member"),
            grid_id=hq,
            text="问题一",
            created_at=local(2025, 4, 1, 10),
            answered_at=local(2025, 4, 1, 11),
        )
        session.add(answered)
        await session.flush()
        assert answered.id is not None
        # Answered means it has an answer (models/scorecards/engagement.question_answers).
        session.add(
            QuestionPost(
                question_id=answered.id,
                author_id=city.person_id("instructor"),
                kind="answer",
                body="答复",
                created_at=local(2025, 4, 1, 11),
            )
        )
        session.add(
            Question(
                asker_id=city.person_id("member"),
                grid_id=hq,
                text="问题二",
                created_at=local(2025, 12, 30, 10),
            )
        )
        for key, hours in (("member", 24.0), ("grid_head", 12.0)):
            session.add(
                StudyRecord(
                    person_id=city.person_id(key),
                    studied_on=date(2025, 6, 1),
                    topic="统计法培训",
                    hours=hours,
                    source="self",
                )
            )
        session.add_all(
            TelegramBinding(
                person_id=city.person_id(key),
                telegram_user_id=8000 + city.person_id(key),
                bound_at=local(2025, 1, 1),
            )
            for key in members
        )
    return city


@pytest.mark.usefixtures("year_2025")
async def test_constructed_year_scores_as_computed_by_hand(session: AsyncSession) -> None:
    evaluations = {
        e.grid_name: e
        for e in await evaluate_year(session=session, year=2025, config=CONFIG, tz=TZ)
    }
    hongqiao = evaluations["虹桥镇·工业网格1"]
    assert {c.key: c.points for c in hongqiao.components} == {
        "activities": 18.75,
        "attendance": 11.25,
        "notices": 12.5,
        "reports": 15.0,
        "questions": 5.0,
        "education": 7.5,
    }
    assert (hongqiao.score, hongqiao.grade, hongqiao.reward_yuan) == (70.0, PASS, 1800)
    assert hongqiao.town_name == "虹桥镇"
    assert "已结束的 4 个季度中 3 个季度组织了活动" in hongqiao.explanation()
    assert "签到 6 人次 / 应到 8 人次" in hongqiao.explanation()
    assert "请假 1 人次不计缺勤" in hongqiao.explanation()
    # 柳市镇网格 (other_member only) did nothing: activities 0, reports 0, education 0;
    # attendance, notices and questions had nothing to measure and are left out: 0, 不合格.
    liushi = evaluations["柳市镇·工业网格1"]
    assert (liushi.score, liushi.grade, liushi.reward_yuan) == (0.0, FAIL, 0)


async def test_standing_so_far_counts_only_ended_periods(
    session: AsyncSession, year_2025: SmallCity
) -> None:
    grid_id = year_2025.grids["虹桥镇网格"].id
    assert grid_id is not None
    # On 1 July: Q1 and Q2 ended (both with an activity); 6 months due, all on time; the
    # target is pro-rated to 181/365 of 24 h = 11.9 h: member and grid_head reach it.
    standing = await score_grid(
        session=session, grid_id=grid_id, year=2025, config=CONFIG, as_of=local(2025, 7, 1), tz=TZ
    )
    assert standing is not None
    points = {c.key: c.points for c in standing.components}
    assert points["activities"] == 25
    assert points["reports"] == 20
    assert points["education"] == 10  # 15 × 2/3
    assert points["questions"] == 10  # the April question was answered
    assert points["attendance"] == 12  # check-ins 3 + 1 of 应到 3 + 2 -> 15 × 4/5
    assert not standing.frozen


async def test_confirmation_freezes_the_year(
    sessions: async_sessionmaker[AsyncSession], year_2025: SmallCity
) -> None:
    async with transaction(sessions) as session:
        outcome = await confirm_year(
            session=session,
            year=2025,
            config=CONFIG,
            confirmed_by="市统计局",
            now=CONFIRMED_AT,
            tz=TZ,
        )
    assert outcome.run is not None
    # Later data changes: a Q4 activity appears and the grid is renamed.
    async with transaction(sessions) as session:
        await _activity(session, year_2025, local(2025, 12, 1, 14))
        grid = await session.get(Grid, year_2025.grids["虹桥镇网格"].id)
        assert grid is not None
        grid.name = "虹桥镇·新网格"
        session.add(grid)
    async with sessions() as session:
        live = {
            e.grid_id: e
            for e in await evaluate_year(session=session, year=2025, config=CONFIG, tz=TZ)
        }
        frozen = await evaluation_for_year(session=session, year=2025, config=CONFIG, tz=TZ)
    hq_id = year_2025.grids["虹桥镇网格"].id
    # The live numbers moved: 4/4 quarters (+6.25) but nobody checked in at the new activity
    # (6 of 11: 8.18, −3.07).
    assert live[hq_id].score == 73.18
    assert frozen.run is not None
    frozen_hq = next(e for e in frozen.evaluations if e.grid_id == hq_id)
    assert (frozen_hq.grid_name, frozen_hq.score, frozen_hq.reward_yuan) == (
        "虹桥镇·工业网格1",
        70.0,
        1800,
    )
    assert frozen_hq.frozen
    assert (
        frozen_hq.explanation()
        == next(e for e in outcome.evaluations if e.grid_id == hq_id).explanation()
    )
    async with transaction(sessions) as session:
        with pytest.raises(AlreadyConfirmed):
            await confirm_year(
                session=session, year=2025, config=CONFIG, confirmed_by="x", now=CONFIRMED_AT, tz=TZ
            )


async def test_evaluation_sheet_keeps_formula_looking_names_as_text(
    sessions: async_sessionmaker[AsyncSession], year_2025: SmallCity
) -> None:
    async with transaction(sessions) as session:
        grid = await session.get(Grid, year_2025.grids["柳市镇网格"].id)
        assert grid is not None
        grid.name = '=HYPERLINK("http://evil","点我")'
        session.add(grid)
    async with sessions() as session:
        outcome = await evaluation_for_year(session=session, year=2025, config=CONFIG, tz=TZ)
    book = openpyxl.load_workbook(io.BytesIO(evaluation_xlsx(outcome, CONFIG, tz=TZ)))
    sheet = book["评定结果"]
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["乡镇（街道）", "网格", "得分", "等级", "建议奖励（元）"]
    assert headers[5] == "季度活动（25分）"
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    evil = rows['=HYPERLINK("http://evil","点我")']
    assert evil[1].data_type == "s"
    assert [evil[2].value, evil[3].value, evil[4].value] == [0, FAIL, 0]
    # Nothing to measure in its attendance, notices and questions: shown as left out.
    assert [evil[6].value, evil[7].value, evil[9].value] == ["不计入"] * 3
    hongqiao = rows["虹桥镇·工业网格1"]
    assert [hongqiao[2].value, hongqiao[3].value, hongqiao[4].value] == [70, PASS, 1800]
    assert "签到 6 人次 / 应到 8 人次" in hongqiao[-1].value
    assert "未确认" in [c.value for c in book["评分办法"]["B"]][2]
