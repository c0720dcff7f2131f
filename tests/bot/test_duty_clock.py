"""The duty clock and quiet hours end to end: the JobQueue job runs the engine over the bot's
duties, a wrong duties file stops the bot with a Chinese message, and the outbox worker holds
messages through the quiet window."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from typer.testing import CliRunner

from bot import clock
from bot.app import build_application
from bot.cli import app as cli
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from handlers.context import GridApplication
from knowledge.base import KnowledgeBase
from models import duties as claims
from models.db import transaction
from models.enums import ReminderStatus
from services.duties.base import Reminder
from services.duties.config import DutyConfigError
from services.outbox import enqueue_text
from services.outbox.quiet_hours import QuietHours
from services.outbox.worker import OutboxConfig, OutboxWorker
from tests.conftest import TOKEN, SmallCity
from tests.handlers.chat import bind

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMBER_TG = 8301


class EveryoneAtNine:
    """Remind the given people at 09:00 on the day of `at` (a stand-in for any policy duty)."""

    name = "test_nine"

    def __init__(self, person_ids: Sequence[int]) -> None:
        self.person_ids = person_ids

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        del session
        nine = datetime.combine(at.astimezone(SHANGHAI).date(), time(9), tzinfo=SHANGHAI)
        return [
            Reminder(
                duty=self.name,
                target=f"person:{pid}",
                period=f"{nine:%Y-%m-%d}",
                step="d0",
                person_id=pid,
                text="⏰ 今天是月报截止日",
                due_at=nine,
            )
            for pid in self.person_ids
            if nine <= at
        ]


def engine_job(app: GridApplication):  # type: ignore[no-untyped-def]
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name(clock.JOB_NAME)
    return job


async def test_the_clock_job_runs_the_engine_over_the_bots_duties(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    bot_app: GridApplication,
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    job = engine_job(bot_app)
    # Set deliberately: late runs still run (and collapse into one), never two at once.
    assert job.job.misfire_grace_time == 5 * 60
    assert job.job.coalesce is True
    assert job.job.max_instances == 1
    # The registry's duties are loaded at start; the test swaps in one it controls.
    assert {d.name for d in bot_app.bot_data.duties} >= {"question_sla", "notice_unread"}
    bot_app.bot_data.duties = [EveryoneAtNine([small_city.person_id("member")])]
    mark = emulator.checkpoint()
    with time_machine.travel(datetime(2026, 12, 24, 8, 30, tzinfo=SHANGHAI), tick=True):
        await job.run(bot_app)
    with time_machine.travel(datetime(2026, 12, 24, 9, 5, tzinfo=SHANGHAI), tick=True):
        await job.run(bot_app)
        # A second process, or the next tick: the claim stops it.
        await job.run(bot_app)
    reminder = await emulator.wait_for_message(
        MEMBER_TG, lambda m: "月报截止日" in (m.text or ""), after=mark
    )
    async with sessions() as session:
        [claim] = await claims.claims_of(session=session, duties=["test_nine"])
    assert (claim.period, claim.status) == ("2026-12-24", ReminderStatus.QUEUED)
    assert [m for m in emulator.sent_messages(MEMBER_TG) if m.seq > mark] == [reminder]


async def test_an_invalid_duties_file_stops_the_bot(
    emulator: BotApiEmulator, database_url: str, knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    wrong = tmp_path / "duties.toml"
    wrong.write_text("[monthly_report]\ndeadline_day = 31\n", encoding="utf-8")
    settings = load_settings(
        token=TOKEN, database_url=database_url, api_base_url=emulator.base_url, duties_file=wrong
    )
    with pytest.raises(
        DutyConfigError, match=r"职责配置文件 .* 有误：\[monthly_report.deadline_day\]"
    ):
        async with polling(build_application(settings, knowledge=knowledge), poll_timeout=1):
            pass


def test_gridbot_run_prints_the_duties_file_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    wrong = tmp_path / "duties.toml"
    wrong.write_text("[engine]\ntick_minutes = 0\nsend_time = 09:00:00\n", encoding="utf-8")
    monkeypatch.setenv("GRIDBOT_TOKEN", TOKEN)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("GRIDBOT_DUTIES_FILE", str(wrong))
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "职责配置文件" in result.output
    assert "engine.tick_minutes" in result.output


async def test_quiet_hours_hold_a_message_queued_at_night_until_eight(
    emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    emulator.user(MEMBER_TG)
    now = [datetime(2026, 12, 24, 22, 30, tzinfo=SHANGHAI).astimezone(UTC)]
    looked = asyncio.Event()

    def wall_clock() -> datetime:
        looked.set()
        return now[0]

    async with transaction(sessions) as session:
        await enqueue_text(
            session=session, chat_id=MEMBER_TG, text="夜里入队的提醒", kind="reminder"
        )
    async with Bot(TOKEN, base_url=emulator.bot_base_url) as bot:
        worker = OutboxWorker(
            bot=bot,
            sessions=sessions,
            config=OutboxConfig(poll_interval=0.02),
            quiet_hours=QuietHours(start=time(21), end=time(8), tz=SHANGHAI),
            clock=wall_clock,
        )
        await worker.start()
        try:
            # Let the worker look at the clock a few times during the night: nothing goes out.
            for moment in ("2026-12-24T22:30", "2026-12-25T03:00", "2026-12-25T07:59"):
                now[0] = datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI).astimezone(UTC)
                for _ in range(3):
                    looked.clear()
                    worker.wake()
                    await looked.wait()
                assert emulator.sent_messages(MEMBER_TG) == []
            now[0] = datetime(2026, 12, 25, 8, 0, tzinfo=SHANGHAI).astimezone(UTC)
            worker.wake()
            sent = await emulator.wait_for_message(MEMBER_TG, lambda m: "夜里" in (m.text or ""))
        finally:
            await worker.stop()
    assert sent.text == "夜里入队的提醒"
    assert worker.stats.sent == 1


async def test_the_bot_takes_quiet_hours_from_the_duties_file_unless_switched_off(
    emulator: BotApiEmulator, database_url: str, knowledge: KnowledgeBase
) -> None:
    settings = load_settings(
        token=TOKEN, database_url=database_url, api_base_url=emulator.base_url, quiet_hours=True
    )
    async with polling(build_application(settings, knowledge=knowledge), poll_timeout=1) as app:
        quiet = app.bot_data.outbox.quiet_hours
        assert quiet is not None
        assert (quiet.start, quiet.end) == (time(21), time(8))
        assert app.bot_data.duties_config.engine.tick_minutes == 5
    off = settings.model_copy(update={"quiet_hours": False})
    async with polling(build_application(off, knowledge=knowledge), poll_timeout=1) as app:
        assert app.bot_data.outbox.quiet_hours is None
