"""The hand-built month and year of test_scorecard.py (year_of_work), with every figure computed
by hand there, read back on every surface that shows it: /stats, /duties and `gridbot duties
status`, the exports, the evaluation and /mystats. One definition each (activities held,
attendance, notices, reports, hearings, questions, study hours), so every surface agrees."""

import asyncio
from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner

from bot.cli import app
from services.duties.status import scope_of
from services.oversight.evaluation.evidence import evaluate_year
from services.oversight.exports import ExportKind, build_export, scope_for_town
from services.oversight.periods import parse_period
from services.oversight.scorecard import scorecard_for
from services.oversight.stats import evaluation_config, my_progress, render
from services.reports.status import monthly_text
from tests.conftest import SmallCity
from tests.services.oversight.test_exports import open_sheets, records
from tests.services.oversight.test_scorecard import (
    DUTIES,
    NOW,
    TZ,
    Ids,
    load_viewer_by_person,
    year_of_work,
)

__all__ = ["year_of_work"]  # the fixture, shared with test_scorecard.py

# 虹桥镇网格 in November, by hand (test_scorecard.test_month_by_hand): 2 activities, 4 invited,
# 3 check-ins (75 %), 1 leave; 3 notice copies, 2 confirmed (67 %); the report due and on time;
# 2 questions, 1 answered; 1 of 3 members reached the study target; 1 unreachable.
NOVEMBER_ROW = (
    "· 虹桥镇·工业网格1：活动 2｜出勤 75%｜已阅 67%｜汇报 1/1｜答复 1/2｜学时达标 1/3｜失联 1"
)


async def test_november_reads_the_same_on_stats_duties_and_the_exports(
    session: AsyncSession, small_city: SmallCity, year_of_work: Ids, cli_env: Path
) -> None:
    del cli_env
    head = await load_viewer_by_person(session=session, person_id=small_city.person_id("town_head"))
    assert head is not None
    scope, card = await scorecard_for(
        session=session, viewer=head, period=parse_period("2026-11"), now=NOW, tz=TZ, duties=DUTIES
    )
    text = render(card, scope, tz=TZ).text
    assert NOVEMBER_ROW in text
    assert "出勤率 75%（签到 3/4 人次，请假 1）" in text
    assert "通知已阅 67%（2/3 份）" in text
    assert "月度汇报按时 1/1（已交 1 份）" in text
    assert "听取汇报 1/1 个月" in text

    # /duties and `gridbot duties status`: the same report, submitted, and the same hearing.
    duties_text = await monthly_text(
        session=session, period="2026-11", scope=await scope_of(session=session, viewer=head), tz=TZ
    )
    assert "<b>虹桥镇</b>（已提交 1/1）" in duties_text
    assert "✅ 已听取汇报：虹桥镇长" in duties_text
    await session.commit()
    status = await asyncio.to_thread(
        CliRunner().invoke, app, ["duties", "status", "--period", "2026-11"]
    )
    assert status.exit_code == 0, status.output
    assert "虹桥镇（已提交 1/1）" in status.output
    assert "柳市镇（已提交 0/1）" in status.output

    # The activity ledger: 应到 / 签到 / 请假 per activity add up to the scorecard's 4 / 3 / 1.
    hq_town = year_of_work.hq_town
    export = await build_export(
        session=session,
        kind=ExportKind.ACTIVITIES,
        period=parse_period("2026-11"),
        tz=TZ,
        scope=scope_for_town(hq_town),
    )
    rows = records(open_sheets(export.content)[0])
    held = [r for r in rows if r["状态"] != "已取消"]
    assert len(held) == 2
    assert sum(int(str(r["应到人数（受邀成员）"])) for r in held) == 4
    assert sum(int(str(r["签到人数"])) for r in held) == 3
    assert sum(int(str(r["请假人数"])) for r in held) == 1
    # The report ledger: the one report of the month, on time.
    reports = await build_export(
        session=session,
        kind=ExportKind.REPORTS,
        period=parse_period("2026-11"),
        tz=TZ,
        scope=scope_for_town(hq_town),
    )
    report_rows = records(open_sheets(reports.content)[0])
    assert len([r for r in report_rows if r.get("网格") == "虹桥镇·工业网格1"]) == 1


async def test_the_year_reads_the_same_in_the_evaluation_and_mystats(
    session: AsyncSession, small_city: SmallCity, year_of_work: Ids
) -> None:
    """The year to 20 December, by hand (test_scorecard.test_year_by_hand): 6 invited, 3
    check-ins; 4 copies, 3 confirmed; 11 reports due, 1 on time; 2 questions, 1 answered; no
    quarter but the fourth held an activity (Q1-Q3 ended, Q4 not yet)."""
    config = evaluation_config().with_target(DUTIES.education.yearly_target_hours)
    results = {
        e.grid_id: e
        for e in await evaluate_year(session=session, year=2026, config=config, as_of=NOW, tz=TZ)
    }
    components = {c.key: c for c in results[year_of_work.hq].components}
    assert (components["attendance"].done, components["attendance"].due) == (3, 6)
    assert (components["notices"].done, components["notices"].due) == (3, 4)
    assert (components["reports"].done, components["reports"].due) == (1, 11)
    assert (components["questions"].done, components["questions"].due) == (1, 2)
    assert (components["activities"].done, components["activities"].due) == (0, 3)

    member = await load_viewer_by_person(session=session, person_id=small_city.person_id("member"))
    assert member is not None
    text = await my_progress(session=session, viewer=member, now=NOW, tz=TZ, duties=DUTIES)
    assert "签到 3 人次 / 应到 6 人次" in text
    assert "已阅 3 / 收到 4 份通知" in text
    assert "已结束的 11 个月中按时汇报 1 个月" in text
    assert "答复 1 / 提问 2 个" in text
    # The scorecard's lines under it, for the same year: the same numbers.
    assert "通知已阅 75%（3/4 份）" in text
    assert "月度汇报按时 1/11（已交 2 份）" in text


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path
