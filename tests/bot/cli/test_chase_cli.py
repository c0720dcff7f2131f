"""`gridbot chase import` and `gridbot chase ledger`: preview, --yes, refusals, the ledger."""

import asyncio
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.tables import ChaseImport, ChaseItem
from tests.conftest import SmallCity

EXAMPLE = Path(__file__).parents[2] / "data" / "chase_example.xlsx"
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def count(sessions: Sessions, table: type[ChaseItem] | type[ChaseImport]) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def test_chase_import_previews_then_applies_with_yes_and_exports_the_ledger(
    cli_env: Path, sessions: Sessions, small_city: SmallCity
) -> None:
    del small_city
    preview = await gridbot("chase", "import", str(EXAMPLE), "--period", "2026-11")
    assert preview.exit_code == 0, preview.output
    # The command line is city-wide: the 柳市镇 enterprise is chased too.
    assert "本次将催报 4 项（3 家企业，2 名统计员）" in preview.output
    assert "第 7 行 乐清市不在册机械有限公司（花名册中没有）" in preview.output
    assert "加 --yes 确认" in preview.output
    assert await count(sessions, ChaseImport) == 0
    applied = await gridbot("chase", "import", str(EXAMPLE), "--period", "2026-11", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "催报已确认" in applied.output
    assert "其中 2 名统计员未绑定机器人或已屏蔽" in applied.output
    assert await count(sessions, ChaseItem) == 4
    out = cli_env / "台账.xlsx"
    ledger = await gridbot("chase", "ledger", "--period", "2026-11", "--out", str(out))
    assert ledger.exit_code == 0, ledger.output
    assert "催报台账 4 项" in ledger.output
    book = openpyxl.load_workbook(BytesIO(out.read_bytes()))
    items = list(book["催报台账"].iter_rows(values_only=True))
    assert items[0][:3] == ("乡镇（街道）", "网格", "企业名称")
    assert len(items) == 5
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[-1][:5] == ("合计", None, 4, 0, 0)


async def test_chase_import_refuses_a_wrong_period_and_a_bad_file(
    cli_env: Path, sessions: Sessions, small_city: SmallCity
) -> None:
    del small_city
    wrong = await gridbot("chase", "import", str(EXAMPLE), "--period", "2026-10")
    assert wrong.exit_code == 1
    assert "报告期不一致：您指定的是 2026-10，文件中还有 2026-11" in wrong.output
    bad = cli_env / "bad.csv"
    bad.write_text("统一社会信用代码,表号,状态\n123,B204-1,未报\n", encoding="utf-8")
    refused = await gridbot("chase", "import", str(bad), "--period", "2026-11", "--yes")
    assert refused.exit_code == 1
    assert "第 2 行「统一社会信用代码」：长度错误" in refused.output
    assert await count(sessions, ChaseItem) == 0
    period = await gridbot("chase", "import", str(EXAMPLE), "--period", "11月")
    assert period.exit_code == 2
