"""The `gridbot` command line, run in-process against the real test database."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from models.tables import Grid, Invite, Person, SurveyObject, TelegramBinding
from services.onboarding import BindOutcome, redeem_invite
from tests.conftest import SmallCity
from tests.factories import enterprise, person, write_roster_xlsx


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run the CLI on the test database from an empty directory (no stray .env)."""
    monkeypatch.chdir(tmp_path)
    for name in ("GRIDBOT_TOKEN", "GRIDBOT_BOT_USERNAME", "GRIDBOT_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def count(sessions: async_sessionmaker[AsyncSession], table: type) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


def test_run_without_token_fails_fast_in_chinese_and_english(
    cli_env: Path,
) -> None:
    del cli_env
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "GRIDBOT_TOKEN" in result.output
    assert "未设置机器人令牌" in result.output
    assert "No bot token" in result.output


def test_invalid_setting_is_reported_not_traced(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    del cli_env
    monkeypatch.setenv("GRIDBOT_TIMEZONE", "Mars/Olympus")
    result = CliRunner().invoke(app, ["grids", "show"])
    assert result.exit_code == 2
    assert "GRIDBOT_TIMEZONE" in result.output
    assert "Traceback" not in result.output


async def test_roster_to_invites_from_the_command_line(
    cli_env: Path, engine: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    del engine
    upgrade = await gridbot("db", "upgrade")
    assert upgrade.exit_code == 0, upgrade.output
    assert "最新结构" in upgrade.output

    bad = cli_env / "bad.xlsx"
    write_roster_xlsx(
        bad,
        enterprises=[enterprise(1), enterprise(2, 统一社会信用代码="91330382000000001X")],
        people=[],
    )
    refused = await gridbot("import", str(bad))
    assert refused.exit_code == 1
    assert "企业 第3行 统一社会信用代码" in refused.output
    assert "未导入任何数据" in refused.output
    report = cli_env / "bad.错误报告.xlsx"
    sheet = openpyxl.load_workbook(report).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:3] == ["企业", 3, "统一社会信用代码"]
    assert await count(sessions, SurveyObject) == 0

    good = cli_env / "roster.xlsx"
    write_roster_xlsx(
        good,
        enterprises=[enterprise(n) for n in range(1, 46)],
        people=[person(1, "网格长"), person(2, "网格指导员"), person(3, "二级网格长")],
    )
    imported = await gridbot("import", str(good))
    assert imported.exit_code == 0, imported.output
    assert await count(sessions, SurveyObject) == 45

    dry = await gridbot("grids", "partition", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert await count(sessions, Grid) == 2  # the city and its town only
    applied = await gridbot("grids", "partition")
    assert applied.exit_code == 0, applied.output
    assert "柳市镇·工业网格1" in applied.output
    assert "柳市镇·工业网格2" in applied.output
    shown = await gridbot("grids", "show")
    assert "柳市镇·工业网格1" in shown.output
    assert "23" in shown.output
    assert "22" in shown.output

    no_name = await gridbot("invites", "export", "--out", "invites.xlsx")
    assert no_name.exit_code == 2
    assert "--bot-username" in no_name.output
    exported = await gridbot(
        "invites", "export", "--out", "invites.xlsx", "--bot-username", "leqing_grid_bot"
    )
    assert exported.exit_code == 0, exported.output
    invites = openpyxl.load_workbook(cli_env / "invites.xlsx").active
    assert invites is not None
    rows = list(invites.iter_rows(values_only=True))
    assert len(rows) == 1 + 45 + 3  # header, statisticians, staff
    assert all(str(r[4]).startswith("https://t.me/leqing_grid_bot?start=") for r in rows[1:])
    assert await count(sessions, Invite) == 48

    token = str(rows[1][4]).rsplit("=", 1)[1]
    async with sessions() as session, session.begin():
        bound = await redeem_invite(
            session=session, token=token, telegram_user_id=42, now=datetime.now(UTC)
        )
        assert bound.outcome == BindOutcome.BOUND
    mobile = str(rows[1][1])
    rebound = await gridbot(
        "people",
        "rebind",
        mobile,
        "--new-name",
        "接任者",
        "--new-mobile",
        "137 0000 0000",
        "--bot-username",
        "leqing_grid_bot",
    )
    assert rebound.exit_code == 0, rebound.output
    assert "已解除" in rebound.output
    assert "接任者" in rebound.output
    assert "https://t.me/leqing_grid_bot?start=" in rebound.output
    async with sessions() as session:
        live = await session.exec(
            select(TelegramBinding).where(col(TelegramBinding.ended_at).is_(None))
        )
        assert live.all() == []

    wrong = await gridbot("people", "rebind", "12345", "--bot-username", "x")
    assert wrong.exit_code == 1
    assert "手机号格式有误" in wrong.output


async def test_invites_export_writes_the_file_before_it_revokes_the_old_links(
    cli_env: Path, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # A name from before the roster import refused control characters: openpyxl cannot
    # store \x01, which used to fail the export after the commit had revoked every link.
    async with sessions() as session, session.begin():
        member = await session.get(Person, small_city.person_id("member"))
        assert member is not None
        member.name = "张\x01三"

    async def redeem(token: str, telegram_id: int) -> BindOutcome:
        async with sessions() as session, session.begin():
            result = await redeem_invite(
                session=session, token=token, telegram_user_id=telegram_id, now=datetime.now(UTC)
            )
        return result.outcome

    failed = await gridbot(
        "invites", "export", "--out", "no/such/folder/invites.xlsx", "--bot-username", "g_bot"
    )
    assert failed.exit_code == 1
    assert "无法写入 no/such/folder/invites.xlsx" in failed.output
    assert "原有的邀请链接仍然有效" in failed.output
    assert "Traceback" not in failed.output
    assert await redeem(small_city.tokens["grid_head"], 4201) == BindOutcome.BOUND

    exported = await gridbot(
        "invites", "export", "--out", "invites.xlsx", "--bot-username", "g_bot"
    )
    assert exported.exit_code == 0, exported.output
    left = await asyncio.to_thread(lambda: [p.name for p in cli_env.glob("*invites.xlsx*")])
    assert left == ["invites.xlsx"]  # no temporary file left beside it
    sheet = openpyxl.load_workbook(cli_env / "invites.xlsx").active
    assert sheet is not None
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "张三" in names
    # The new file replaced the links of the first export: the old ones are void now.
    assert await redeem(small_city.tokens["member"], 4202) != BindOutcome.BOUND
    link = next(str(r[4]) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "张三")
    assert await redeem(link.rsplit("=", 1)[1], 4202) == BindOutcome.BOUND
