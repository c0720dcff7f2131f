"""`gridbot export`: a town's monthly reports written to a file, and clear errors."""

import asyncio
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from tests.conftest import SmallCity
from tests.services.oversight.test_exports import PLUS, seed


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run the CLI on the test database from an empty directory (no stray .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def test_export_town_reports_to_file(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await seed(sessions, small_city)
    out = cli_env / "reports.xlsx"
    result = await gridbot(
        "export", "reports", "--period", "2026-11", "--town", "虹桥镇", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "已导出月度情况汇报（2026-11，1 条）" in result.output
    sheet = openpyxl.load_workbook(BytesIO(out.read_bytes())).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("月份", "乡镇（街道）", "网格", "状态")
    assert rows[1][:4] == ("2026-11", "虹桥镇", "虹桥镇·工业网格1", "按时提交")
    assert sheet.cell(row=2, column=8).value == PLUS
    assert sheet.cell(row=2, column=8).data_type == "s"


async def test_export_default_file_name_and_errors(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await seed(sessions, small_city)
    result = await gridbot("export", "notices", "--period", "2026Q4")
    assert result.exit_code == 0, result.output
    assert (cli_env / "通知确认名单_2026Q4.xlsx").exists()
    bad_kind = await gridbot("export", "salaries", "--period", "2026")
    assert bad_kind.exit_code == 2
    assert "无法识别的台账类型" in bad_kind.output
    bad_grid = await gridbot("export", "questions", "--period", "2026", "--grid", "火星网格")
    assert bad_grid.exit_code == 1
    assert "没有名为“火星网格”的三级网格" in bad_grid.output
