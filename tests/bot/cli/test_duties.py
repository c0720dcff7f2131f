"""`gridbot duties preview` and `status` in-process against the real test database."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.cli.duties import parse_moment
from core.settings import load_settings
from models.db import transaction
from models.tables import OutboxMessage, ReminderClaim, TelegramBinding
from services.onboarding import viewers_for
from services.questions import filing
from tests.conftest import SmallCity

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        claims = (await session.exec(select(func.count()).select_from(ReminderClaim))).one()
        queued = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
    return claims, queued


async def test_preview_prints_who_would_be_reminded_and_writes_nothing(
    cli_env: Path, sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    del cli_env
    async with transaction(sessions) as session:
        session.add(
            TelegramBinding(person_id=small_city.person_id("instructor"), telegram_user_id=8501)
        )
        member = small_city.people["member"]
        viewer = (await viewers_for(session=session, persons=[member]))[member.id or 0]
        # Monday 10:00: 24 working hours pass on Tuesday 10:00, 72 on Thursday 10:00.
        await filing.file_question(
            session=session,
            viewer=viewer,
            text="台账要保存几年？",
            now=datetime(2026, 12, 21, 10, 0, tzinfo=SHANGHAI),
        )
    before = await counts(sessions)
    early = await gridbot("duties", "preview", "--at", "2026-12-22 09:00")
    assert early.exit_code == 0, early.output
    assert "[问题超时]" not in early.output
    result = await gridbot("duties", "preview", "--at", "2026-12-24 09:00")
    assert result.exit_code == 0, result.output
    assert "2026-12-24 09:00 将处理的提醒" in result.output
    assert "仅预览，不发送、不记录" in result.output
    line = next(x for x in result.output.splitlines() if "[问题超时]" in x)
    assert "李指导员：" in line
    assert "台账要保存几年？" in line
    # Nothing was claimed or queued: the preview can be run again and shows the same.
    assert await counts(sessions) == before
    again = await gridbot("duties", "preview", "--at", "2026-12-24 09:00")
    assert again.output == result.output
    # Past the escalation point the reminder would be skipped; 虹桥镇's leader is not bound.
    late = await gridbot("duties", "preview", "--at", "2026-12-24 10:30")
    assert "李指导员（将跳过：过期未发）" in late.output
    assert "虹桥镇长（将跳过：未绑定 Telegram）" in late.output


async def test_preview_rejects_a_malformed_moment(cli_env: Path) -> None:
    del cli_env
    result = await gridbot("duties", "preview", "--at", "24/12/2026")
    assert result.exit_code == 2
    assert "YYYY-MM-DD HH:MM" in result.output


async def test_status_prints_per_town_and_grid(cli_env: Path, small_city: SmallCity) -> None:
    del cli_env, small_city
    result = await gridbot("duties", "status", "--period", "2026-12", "--quarter", "2026Q4")
    assert result.exit_code == 0, result.output
    assert "2026-12 网格月度情况汇报" in result.output
    assert "虹桥镇（已提交 0/1）" in result.output
    assert "柳市镇·工业网格1：❌ 未提交" in result.output
    assert "2026Q4 网格活动" in result.output
    assert "<b>" not in result.output
    missing = await gridbot("duties", "status")
    assert missing.exit_code == 2
    bad = await gridbot("duties", "status", "--period", "2026-13x")
    assert bad.exit_code == 2
    assert "YYYY-MM" in bad.output


@settings(max_examples=200)
@given(
    st.text(max_size=30)
    | st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}", fullmatch=True)
)
@example("0001-01-01 00:00")  # before year 1 in UTC: OverflowError escaped
@example("9999-12-31 23:59")
def test_any_moment_text_is_a_utc_moment_or_the_usage(text: str) -> None:
    config = load_settings(tz="Asia/Shanghai")
    try:
        moment = parse_moment(text, config)
    except typer.Exit as refusal:
        code = refusal.exit_code
    else:
        code = 0
        assert moment.tzinfo == UTC
    assert code in (0, 2)
