"""`gridbot evaluate`, `evaluate confirm`, `funding` and `departments` in-process against the
real test database."""

import asyncio
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.tables import DepartmentCheck, EvaluationResult
from services.roster_import.vocabulary import ENTERPRISE_DATE_HEADERS, ENTERPRISE_HEADERS
from tests.conftest import SmallCity
from tests.factories import enterprise, write_roster_xlsx


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


@pytest.mark.usefixtures("small_city")
async def test_evaluate_then_confirm_once(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    result = await gridbot("evaluate", "--year", "2025", "--out", "eval.xlsx")
    assert result.exit_code == 0, result.output
    assert "尚未确认" in result.output
    assert "共 2 个三级网格" in result.output
    sheet = openpyxl.load_workbook(cli_env / "eval.xlsx")["评定结果"]
    assert sheet.max_row == 3

    result = await gridbot("evaluate", "confirm", "--year", "2025", "--by", "市统计局张三")
    assert result.exit_code == 0, result.output
    assert "由 市统计局张三 确认" in result.output
    assert (cli_env / "网格绩效评定_2025_已确认.xlsx").is_file()
    async with sessions() as session:
        assert len((await session.exec(select(EvaluationResult))).all()) == 2

    again = await gridbot("evaluate", "confirm", "--year", "2025")
    assert again.exit_code == 1
    assert "已确认过" in again.output
    shown = await gridbot("evaluate", "--year", "2025")
    assert "结果已冻结" in shown.output


async def test_evaluate_needs_a_year_and_a_valid_config(cli_env: Path) -> None:
    result = await gridbot("evaluate")
    assert result.exit_code == 2
    assert "--year" in result.output
    bad = cli_env / "bad.toml"
    bad.write_text("[weights]\nreports = 50\n", encoding="utf-8")
    result = await gridbot("evaluate", "--year", "2025", "--config", str(bad))
    assert result.exit_code == 2
    assert "权重之和应为 100" in result.output


async def test_funding_by_the_roster_dates_from_import_to_ledger(
    cli_env: Path, engine: object
) -> None:
    del engine
    roster = cli_env / "roster.xlsx"
    write_roster_xlsx(
        roster,
        enterprises=[
            enterprise(1, 纳入日期="2026/7/1"),  # 184 days: 252.05
            enterprise(2),  # no 纳入日期: --joined-on 2026-03-01, 306 days: 419.18
            enterprise(3, 乡镇街道="虹桥镇", 纳入日期="2025年1月1日", 退出日期="2026-10-01"),
        ],
        enterprise_headers=ENTERPRISE_HEADERS + ENTERPRISE_DATE_HEADERS,
    )
    refused = await gridbot("import", str(roster), "--joined-on", "2026-02-30")
    assert refused.exit_code == 2
    assert "--joined-on「2026-02-30」：日期不存在：2026年2月30日" in refused.output

    imported = await gridbot("import", str(roster), "--joined-on", "2026年3月1日")
    assert imported.exit_code == 0, imported.output
    assert "新增企业按 2026-03-01 纳入（导入时指定的 --joined-on）" in imported.output
    assert "花名册填写了退出日期的企业 1 家" in imported.output

    result = await gridbot("funding", "--year", "2026", "--out", "funding.xlsx")
    assert result.exit_code == 0, result.output
    # 虹桥镇: 3 from 1 January to 30 September, 273 days: 500 × 273 / 365 = 373.972… = 373.97.
    assert result.output.splitlines()[:4] == [
        "柳市镇：调查对象 2 个（年内纳入 2 个，年内退出 0 个）；"
        "活动经费 671.23 元（乡镇（街道）承担）；确认奖励 0 元（市财政承担）",
        "虹桥镇：调查对象 1 个（年内纳入 0 个，年内退出 1 个）；"
        "活动经费 373.97 元（乡镇（街道）承担）；确认奖励 0 元（市财政承担）",
        "全市合计：调查对象 3 个；活动经费 1045.20 元（乡镇（街道）承担）；"
        "确认奖励 0 元（市财政承担）",
        "2026 年度评定尚未确认，奖励未计入。",
    ]
    book = openpyxl.load_workbook(cli_env / "funding.xlsx")
    summary = book["经费汇总"]
    assert [c.value for c in summary[4]] == ["全市合计", 3, 2, 1, 1045.2, 0]
    assert summary["F1"].value == "确认奖励（元，市财政承担；评定未确认）"
    assert book["调查对象明细"].max_row == 4


async def test_departments_add_set_and_report(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await gridbot("departments", "add", "市经信局")).exit_code == 0
    assert (await gridbot("departments", "add", "市商务局")).exit_code == 0
    duplicate = await gridbot("departments", "add", "市商务局")
    assert duplicate.exit_code == 1
    assert "已存在" in duplicate.output
    for item in ("leader", "office", "network", "team", "rules"):
        result = await gridbot(
            "departments",
            "set",
            "市经信局",
            item,
            "--evidence",
            "=经信〔2026〕1号",
            "--date",
            "2026-03-01",
        )
        assert result.exit_code == 0, result.output
    await gridbot("departments", "set", "市商务局", "leader", "--evidence", "分管副局长")
    await gridbot("departments", "set", "市商务局", "rules", "--not-met")
    unknown = await gridbot("departments", "set", "市商务局", "money")
    assert unknown.exit_code == 1
    assert "未知的项目" in unknown.output
    missing = await gridbot("departments", "set", "市教育局", "leader")
    assert "请先用 departments add" in missing.output

    report = await gridbot("departments", "report", "--out", "wuyou.xlsx")
    assert report.exit_code == 0, report.output
    assert "“五有”达标部门 1/2 个：市经信局" in report.output
    assert "市商务局 未达标：缺 有一个责任科室、有一个健全的组织网络" in report.output
    sheet = openpyxl.load_workbook(cli_env / "wuyou.xlsx")["五有达标情况"]
    evidence = [row[3] for row in sheet.iter_rows(min_row=2) if row[0].value == "市经信局"]
    assert evidence[0].value == "=经信〔2026〕1号"
    assert evidence[0].data_type == "s"
    async with sessions() as session:
        assert len((await session.exec(select(DepartmentCheck))).all()) == 7


async def test_evaluate_scores_the_towns_hearings_and_reads_the_configured_duties_file(
    cli_env: Path,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Live since 1 September 2026: 虹桥镇 owes September to December's hearings and confirmed
    September's and November's on the 28th, inside their windows (digests on 28 September and
    26 November): 2 of 4, 50.00, October and December at 0; 柳市镇 heard none: 0.00. The
    study target is the configured duties file's 30 hours, not the shipped 24."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from models.db import transaction
    from models.grids import set_go_live
    from models.tables import ReportHearing

    shanghai = ZoneInfo("Asia/Shanghai")
    async with transaction(sessions) as session:
        await set_go_live(session=session, day=date(2026, 9, 1))
        for month in (9, 11):
            session.add(
                ReportHearing(
                    town_id=small_city.grids["虹桥镇"].id or 0,
                    period=f"2026-{month:02d}",
                    confirmed_by=small_city.person_id("town_head"),
                    confirmed_at=datetime(2026, month, 28, 15, tzinfo=shanghai),
                )
            )
    duties = cli_env / "duties.toml"
    duties.write_text(
        "[education]\nyearly_target_hours = 30\n[reporting_deadlines]\nenabled = false\n", "utf-8"
    )
    monkeypatch.setenv("GRIDBOT_DUTIES_FILE", str(duties))

    result = await gridbot("evaluate", "--year", "2026", "--out", "eval.xlsx")
    assert result.exit_code == 0, result.output
    assert "虹桥镇 听取汇报 50.00 分：应听取 4 个月，按时确认 2 个月；未听取：10月、12月" in (
        result.output
    )
    assert "柳市镇 听取汇报 0.00 分：应听取 4 个月，按时确认 0 个月" in result.output
    assert "2026年9月1日起纳入考核" in result.output
    book = openpyxl.load_workbook(cli_env / "eval.xlsx")
    towns = [row for row in book["乡镇听取汇报"].iter_rows(values_only=True)][1:]
    assert [(r[0], r[1], r[2], r[3]) for r in towns] == [("柳市镇", 4, 0, 0), ("虹桥镇", 4, 2, 50)]
    method = {r[0]: r[1] for r in book["评分办法"].iter_rows(values_only=True)}
    assert method["继续教育目标"] == "30 学时/人/年"
