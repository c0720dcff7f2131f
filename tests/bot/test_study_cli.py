"""`gridbot study import`: all or nothing, and importing twice adds nothing."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.tables import StudyRecord
from tests.conftest import SmallCity


def today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


async def records(sessions: async_sessionmaker[AsyncSession]) -> list[StudyRecord]:
    async with sessions() as session:
        return list((await session.exec(select(StudyRecord))).all())


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("GRIDBOT_TOKEN", "GRIDBOT_BOT_USERNAME", "GRIDBOT_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def test_cli_import_all_or_nothing_and_idempotent(
    cli_env: Path, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    del small_city
    day = (today() - timedelta(days=2)).isoformat()

    def sheet(name: str, rows: list[list[object]]) -> Path:
        workbook = openpyxl.Workbook()
        worksheet = workbook.active
        assert worksheet is not None
        worksheet.append(["手机号", "日期", "内容", "学时"])
        for row in rows:
            worksheet.append(row)
        workbook.save(cli_env / name)
        return cli_env / name

    bad = sheet("bad.xlsx", [["13812345678", day, "培训", 2], ["13812345678", day, "直报", 20]])
    result = await gridbot("study", "import", str(bad))
    assert result.exit_code == 1
    assert "第3行 学时" in result.output
    assert "未导入任何数据" in result.output
    assert await records(sessions) == []

    good = sheet("good.xlsx", [["13812345678", day, "培训", 2], ["13900000007", day, "直报", 3]])
    result = await gridbot("study", "import", str(good))
    assert result.exit_code == 0, result.output
    assert "已导入 2 条" in result.output
    result = await gridbot("study", "import", str(good))
    assert result.exit_code == 0, result.output
    assert "已导入 0 条" in result.output
    assert "跳过已有记录 2 条" in result.output
    assert len(await records(sessions)) == 2


async def test_cli_import_caps_the_day_from_the_duties_file(
    cli_env: Path,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    del small_city
    day = (today() - timedelta(days=2)).isoformat()
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.append(["手机号", "日期", "内容", "学时"])
    for topic in ("上午", "下午", "晚上"):
        worksheet.append(["13812345678", day, topic, 3])
    workbook.save(cli_env / "day.xlsx")
    result = await gridbot("study", "import", str(cli_env / "day.xlsx"))
    assert result.exit_code == 1
    assert f"第4行 学时：{day} 共 9 学时，超过每天 8 学时的上限" in result.output
    assert await records(sessions) == []

    duties = cli_env / "duties.toml"
    duties.write_text(
        "[reporting_deadlines]\nenabled = false\n[education]\nmax_hours_per_day = 10\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GRIDBOT_DUTIES_FILE", str(duties))
    result = await gridbot("study", "import", str(cli_env / "day.xlsx"))
    assert result.exit_code == 0, result.output
    assert "已导入 3 条" in result.output
