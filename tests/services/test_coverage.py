"""Judge only what was judgeable (services/coverage.py): a city that went live on 1 December is
neither reminded nor judged for periods that began before it, and a grid added by a later
re-partition not for periods before its own day -- on every surface: the duty preview, /duties,
the scorecard, the evaluation and /mystats."""

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.db import transaction
from models.grids import judging_starts, set_go_live
from models.tables import Grid
from services.coverage import Coverage, load_coverage
from services.duties.config import load_duties
from services.duties.status import CITY
from services.oversight.evaluation.evidence import evaluate_year
from services.oversight.evaluation.scoring import NOT_JUDGED
from services.oversight.periods import parse_period
from services.oversight.scorecard import scorecard
from services.oversight.stats import evaluation_config, render
from services.reports.quarterly_activity import QuarterlyActivityDuty
from services.reports.status import monthly_text, quarterly_text
from tests.conftest import SmallCity

Sessions = async_sessionmaker[AsyncSession]
TZ = ZoneInfo("Asia/Shanghai")
DUTIES = load_duties()


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def go_live(sessions: Sessions, day: date) -> None:
    async with transaction(sessions) as session:
        assert await set_go_live(session=session, day=day) == 1


async def grid_started(sessions: Sessions, city: SmallCity, key: str, day: date) -> None:
    async with transaction(sessions) as session:
        grid = await session.get(Grid, city.grids[key].id)
        assert grid is not None
        grid.started_on = day
        session.add(grid)


def test_the_rule_takes_the_latest_day_and_judges_whole_periods_only() -> None:
    coverage = Coverage(
        go_live=date(2026, 3, 1),
        towns={1: None, 2: date(2026, 6, 10)},
        grids={10: (1, None), 11: (1, date(2026, 12, 5)), 20: (2, None)},
    )
    assert coverage.grid_from(10) == date(2026, 3, 1)
    assert coverage.grid_from(11) == date(2026, 12, 5)
    assert coverage.grid_from(20) == date(2026, 6, 10)
    assert coverage.grid_covers(10, date(2026, 3, 1))
    assert not coverage.grid_covers(10, date(2026, 2, 1))
    # The month it began in is not judged: it could not be done in full.
    assert not coverage.grid_covers(20, date(2026, 6, 1))
    assert coverage.grid_covers(20, date(2026, 7, 1))
    assert not coverage.town_covers(2, date(2026, 6, 1))
    # Nothing recorded: every period (a database from before go-live dates).
    assert Coverage().grid_covers(10, date(2000, 1, 1))


@pytest.mark.usefixtures("small_city")
async def test_a_city_live_since_1_december_is_not_reminded_about_earlier_periods(
    cli_env: Path, sessions: Sessions
) -> None:
    del cli_env
    # Without a go-live date (before the migration) the old behaviour: Q3's summary and Q4's
    # reminders would go out on 21 December.
    before = await gridbot("duties", "preview", "--at", "2026-12-21 09:00")
    assert before.exit_code == 0, before.output
    assert "2026Q3" in before.output or "第三季度" in before.output
    assert "11月" in before.output

    result = await gridbot("grids", "golive", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "改为 2026-12-01" in result.output
    shown = await gridbot("grids", "golive")
    assert "启用日期：2026-12-01" in shown.output

    after = await gridbot("duties", "preview", "--at", "2026-12-21 09:00")
    assert after.exit_code == 0, after.output
    assert "第三季度" not in after.output
    assert "2026Q3" not in after.output
    assert "第四季度" not in after.output
    assert "2026Q4" not in after.output
    assert "11月" not in after.output  # November began before go-live: no digest
    assert "12月" in after.output  # December is judged: its report is reminded

    # /duties and `gridbot duties status` say 未纳入 instead of failures.
    async with sessions() as session:
        quarter = await quarterly_text(session=session, quarter="2026Q4", scope=CITY, tz=TZ)
        month = await monthly_text(session=session, period="2026-11", scope=CITY, tz=TZ)
        december = await monthly_text(session=session, period="2026-12", scope=CITY, tz=TZ)
    assert "❌" not in quarter
    assert "❌" not in month
    assert "本期未纳入（2026年12月1日（周二）起纳入考核）" in quarter
    assert "本期未纳入" in month
    assert "二级网格长尚未确认听取汇报" not in month
    assert "❌ 未提交" in december
    status = await gridbot("duties", "status", "--quarter", "2026Q3")
    assert status.exit_code == 0, status.output
    assert "未纳入" in status.output
    assert "❌" not in status.output


async def test_a_grid_added_in_december_is_neither_reminded_nor_judged_for_q3(
    sessions: Sessions, small_city: SmallCity
) -> None:
    await go_live(sessions, date(2026, 1, 1))
    await grid_started(sessions, small_city, "虹桥镇网格", date(2026, 12, 5))
    duty = QuarterlyActivityDuty(
        DUTIES.quarterly_activity, send_time=DUTIES.engine.send_time, tz=TZ
    )
    async with sessions() as session:
        found = await duty.reminders(session=session, at=datetime(2026, 12, 21, 9, 0, tzinfo=TZ))
        coverage = await load_coverage(session=session)
    texts = "\n".join(r.text for r in found)
    assert "虹桥镇·工业网格1" not in texts
    assert "柳市镇·工业网格1" in texts  # the old grid is still reminded and summarised
    assert coverage.grid_from(small_city.grids["虹桥镇网格"].id or 0) == date(2026, 12, 5)

    # The 2026 evaluation: the new grid is 未纳入 with no reward, the old one is judged.
    config = evaluation_config().with_target(DUTIES.education.yearly_target_hours)
    async with sessions() as session:
        results = {
            e.grid_name: e
            for e in await evaluate_year(session=session, year=2026, config=config, tz=TZ)
        }
    new = results["虹桥镇·工业网格1"]
    assert (new.grade, new.score, new.reward_yuan, new.components) == (NOT_JUDGED, 0.0, 0, ())
    assert "2026年12月5日起纳入考核" in new.explanation()
    old = results["柳市镇·工业网格1"]
    assert old.grade != NOT_JUDGED
    assert old.explanation().startswith("季度活动")  # the whole year, no coverage note

    # The scorecard of 2026Q3 shows it as 未纳入 and owes it no report.
    async with sessions() as session:
        card = await scorecard(
            session=session,
            period=parse_period("2026Q3"),
            now=datetime(2026, 12, 21, 9, 0, tzinfo=TZ),
            tz=TZ,
            duties=DUTIES,
        )
    by_name = {g.grid_name: g for g in card.grids}
    assert by_name["虹桥镇·工业网格1"].tally.reports_due == 0
    assert not by_name["虹桥镇·工业网格1"].judged
    assert by_name["柳市镇·工业网格1"].tally.reports_due == 3
    assert card.tally.reports_due == 3
    assert card.tally.not_judged == 1
    text = render(card, CITY, tz=TZ).text
    assert "未纳入 1 个网格" in text


async def test_a_partial_first_year_is_judged_over_the_periods_covered(
    sessions: Sessions, small_city: SmallCity
) -> None:
    del small_city
    await go_live(sessions, date(2026, 12, 1))
    config = evaluation_config().with_target(24.0)
    async with sessions() as session:
        starts = await judging_starts(session=session)
        results = await evaluate_year(
            session=session,
            year=2026,
            config=config,
            as_of=datetime(2027, 1, 1, tzinfo=TZ),
            tz=TZ,
        )
    assert starts.go_live == date(2026, 12, 1)
    for result in results:
        components = {c.key: c for c in result.components}
        # Only December is due (no quarter began on or after 1 December), and the study
        # target is pro-rated to the 31 days judged: 24 × 31 / 365 = 2.0 hours.
        assert components["reports"].due == 1
        assert not components["activities"].counted
        assert "截至评定日按 2 学时计" in components["education"].note
        assert "2026年12月1日起纳入考核，本年度只计此后开始的月份和季度" in result.explanation()
        assert result.grade == "不合格"  # December's report was not submitted


async def test_the_first_import_records_go_live_and_later_towns_and_grids_their_own_day(
    tmp_path: Path, session: AsyncSession
) -> None:
    from services.grids.partition.run import partition
    from services.roster_import import import_roster
    from tests.factories import enterprise, write_roster_xlsx

    first = write_roster_xlsx(tmp_path / "first.xlsx", enterprises=[enterprise(1), enterprise(2)])
    report = await import_roster(
        session=session, paths=[first], city_name="乐清市", today=date(2026, 12, 3)
    )
    assert report.ok
    assert report.go_live == date(2026, 12, 3)
    assert "启用日期：2026-12-03（首次导入当天）" in report.summary()
    await partition(session=session, today=date(2026, 12, 3))
    starts = await judging_starts(session=session)
    assert starts.go_live == date(2026, 12, 3)
    # The first partition's grids are there since go-live.
    assert {own for _town, own in starts.grids.values()} == {None}
    first_grids = set(starts.grids)

    # Three months later a new town comes with the roster, and a re-partition builds its grid.
    later = write_roster_xlsx(
        tmp_path / "later.xlsx",
        enterprises=[
            enterprise(1),
            enterprise(2),
            *(enterprise(n, 乡镇街道="虹桥镇") for n in range(3, 23)),
        ],
    )
    again = await import_roster(
        session=session, paths=[later], city_name="乐清市", today=date(2027, 3, 10)
    )
    assert again.ok
    assert again.go_live is None
    assert "启用日期" not in again.summary()
    await partition(session=session, today=date(2027, 3, 10))
    starts = await judging_starts(session=session)
    assert starts.go_live == date(2026, 12, 3)  # unchanged by later imports
    assert sorted(d for d in starts.towns.values() if d) == [date(2027, 3, 10)]
    new = {gid: own for gid, (_town, own) in starts.grids.items() if gid not in first_grids}
    assert new
    assert set(new.values()) == {date(2027, 3, 10)}
    coverage = Coverage.of(starts)
    new_id = next(iter(new))
    assert not coverage.grid_covers(new_id, date(2027, 3, 1))
    assert coverage.grid_covers(new_id, date(2027, 4, 1))


async def test_import_with_a_go_live_flag_and_a_bad_date(cli_env: Path, sessions: Sessions) -> None:
    from tests.factories import enterprise, write_roster_xlsx

    path = write_roster_xlsx(cli_env / "roster.xlsx", enterprises=[enterprise(1)])
    bad = await gridbot("import", str(path), "--go-live", "2026-13-01")
    assert bad.exit_code == 2
    assert "--go-live「2026-13-01」" in bad.output
    good = await gridbot("import", str(path), "--go-live", "2026-11-01")
    assert good.exit_code == 0, good.output
    assert "启用日期：2026-11-01（导入时指定）" in good.output
    async with sessions() as session:
        assert (await judging_starts(session=session)).go_live == date(2026, 11, 1)
    refused = await gridbot("grids", "golive", "明天")
    assert refused.exit_code == 2
    assert "启用日期「明天」" in refused.output


async def test_an_object_that_left_no_longer_makes_its_statistician_a_member(
    sessions: Sessions, small_city: SmallCity
) -> None:
    """周统计 keeps 柳市镇's only enterprise; once it left (退出日期 passed) they are no member of
    the grid: not counted, not a notice recipient, no member post; a future 退出日期 not yet."""
    from sqlmodel import col, select

    from models.notices import statisticians
    from models.scorecards.grids import member_counts
    from models.tables import SurveyObject
    from services.onboarding import viewers_for

    ls_grid = small_city.grids["柳市镇网格"].id or 0
    keeper = small_city.people["other_member"]

    async def leave_on(day: date) -> None:
        async with transaction(sessions) as session:
            result = await session.exec(
                select(SurveyObject).where(col(SurveyObject.grid_id) == ls_grid)
            )
            for survey_object in result.all():
                survey_object.left_on = day
                session.add(survey_object)

    async def seen() -> tuple[int, bool, bool]:
        async with sessions() as session:
            counts = await member_counts(session=session, grid_ids=[ls_grid])
            recipients = await statisticians(session=session, grid_ids=[ls_grid])
            viewer = (await viewers_for(session=session, persons=[keeper]))[keeper.id or 0]
        members = counts[ls_grid].members if ls_grid in counts else 0
        return members, keeper.id in recipients, any(p.grid_id == ls_grid for p in viewer.posts)

    assert await seen() == (1, True, True)
    await leave_on(date(2999, 1, 1))  # leaving later: still on the grid until then
    assert await seen() == (1, True, True)
    await leave_on(date(2026, 1, 1))
    assert await seen() == (0, False, False)
