"""`gridbot evaluate`, `evaluate confirm`, `funding` and `departments` in-process against the
real test database."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.tables import DepartmentCheck, EvaluationResult, SurveyObject


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


@pytest.mark.usefixtures("small_city")
async def test_funding_writes_the_ledger(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        for obj in (await session.exec(select(SurveyObject))).all():
            # Midnight of 1 January 2026 in Shanghai: on the roster all of 2026.
            obj.created_at = datetime(2025, 12, 31, 16, tzinfo=UTC)
            session.add(obj)
    result = await gridbot("funding", "--year", "2026", "--out", "funding.xlsx")
    assert result.exit_code == 0, result.output
    assert "虹桥镇：调查对象 2 个（年内新增 0 个），活动经费 1000.00 元，奖励 0 元" in result.output
    assert "奖励未计入" in result.output
    book = openpyxl.load_workbook(cli_env / "funding.xlsx")
    assert book["经费汇总"]["A2"].value == "柳市镇"
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
