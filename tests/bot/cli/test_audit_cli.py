"""The audit trail of the CLI's administrative changes, and `gridbot audit export`."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.tables import AuditEntry
from tests.factories import enterprise, person, write_roster_xlsx


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("GRIDBOT_TOKEN", "GRIDBOT_BOT_USERNAME", "GRIDBOT_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("GRIDBOT_BOT_USERNAME", "gridbot_test_bot")
    return tmp_path


async def gridbot(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def entries(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as session:
        return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def test_cli_changes_are_audited_and_exported(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    bad = cli_env / "bad.xlsx"
    write_roster_xlsx(bad, enterprises=[enterprise(1, 统一社会信用代码="x")], people=[])
    assert (await gridbot("import", str(bad))).exit_code == 1
    # A refused import changed nothing, so there is nothing to audit.
    assert await entries(sessions) == []

    good = cli_env / "roster.xlsx"
    write_roster_xlsx(
        good,
        enterprises=[enterprise(n) for n in range(1, 26)],
        people=[person(1, "网格长"), person(2, "网格指导员")],
    )
    assert (await gridbot("import", str(good))).exit_code == 0
    assert (await gridbot("grids", "partition", "--dry-run")).exit_code == 0
    assert (await gridbot("grids", "partition")).exit_code == 0
    handover = await gridbot(
        "people", "rebind", "13900000001", "--new-name", "新网格长", "--new-mobile", "13700000001"
    )
    assert handover.exit_code == 0, handover.output
    year = str(datetime.now(UTC).year - 1)
    assert (await gridbot("evaluate", "confirm", "--year", year)).exit_code == 0

    study = openpyxl.Workbook()
    sheet = study.active
    assert sheet is not None
    sheet.append(["手机号", "日期", "内容", "学时"])
    sheet.append(["13700000001", datetime.now(UTC).date().isoformat(), "统计法培训", 2])
    study.save(cli_env / "学时.xlsx")
    studied = await gridbot("study", "import", str(cli_env / "学时.xlsx"))
    assert studied.exit_code == 0, studied.output

    found = await entries(sessions)
    assert [e.action for e in found] == [
        "roster.import",
        "grids.partition",
        "person.handover",
        "evaluation.confirm",
        "study.import",
    ]
    assert all(e.channel == "cli" and e.actor_id is None for e in found)
    assert all(e.actor_label.startswith("命令行") for e in found)
    assert "企业新增 25" in found[0].summary
    assert "划入企业 25 家" in found[1].summary
    assert "新网格长" in found[2].summary
    assert "导入学时记录 1 条" in found[4].summary

    exported = await gridbot("audit", "export", "--out", "记录.xlsx")
    assert exported.exit_code == 0, exported.output
    assert "已导出 5 条" in exported.output
    book = openpyxl.load_workbook(cli_env / "记录.xlsx").active
    assert book is not None
    rows = [[c.value for c in row] for row in book.iter_rows()]
    assert rows[0] == ["时间", "操作人", "途径", "操作", "内容"]
    labels = ["导入花名册", "网格划分", "人员交接", "确认年度评定", "导入学时"]
    assert [r[3] for r in rows[1:]] == labels
    assert {r[2] for r in rows[1:]} == {"命令行"}
