"""Two `gridbot run` processes on one PostgreSQL against the emulator: kill -9 of the active one
while a 500-recipient notice drains and while a user is halfway through /notice. The standby
takes over within 10 s, the user finishes the notice on it, nothing queued is lost, only what
was in flight at the kill may arrive twice, and no reminder goes out twice.
(bench/takeover.py times ten such takeovers.) An active instance frozen (SIGSTOP: to the
database, a network partition) is replaced once the server has ended its lock session, and
when it wakes up it finds itself demoted instead of sending."""

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models import outbox
from models.db import transaction
from models.enums import OutboxStatus
from models.tables import ConversationState, Notice, OutboxMessage, ReminderClaim, TelegramBinding
from services.duties.engine import REMINDER_KIND
from services.notices import texts as notice_texts
from services.onboarding import load_viewer
from services.outbox import Recipient, enqueue_broadcast
from services.questions.filing import file_question
from tests.bot.instances import (
    ACTIVE_LOG,
    STANDBY_LOG,
    Instance,
    first_poll_after,
    start_instance,
    stop_instance,
)
from tests.conftest import TEST_DATABASE_URL, SmallCity
from tests.handlers.chat import command, press

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="several instances need PostgreSQL (SQLite serves one process)",
)

INSTRUCTOR_TG, MEMBER_TG = 8401, 8402
RECIPIENTS = 500
FIRST_CHAT = 40_000
TAKEOVER_LIMIT_SECONDS = 10.0


async def until(
    seconds: float, what: str, check: Callable[[], Awaitable[bool]], *logs: Instance
) -> None:
    """Wait until `check()` holds; the instances' logs tell why it did not."""
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {seconds}s\n" + "\n".join(i.tail() for i in logs))
        await asyncio.sleep(0.05)


async def prepare(sessions: async_sessionmaker[AsyncSession], city: SmallCity) -> None:
    """The instructor and a member bound; a question of the member's unanswered for ten days,
    so that its reminder is due as soon as an instance's duty clock runs."""
    async with transaction(sessions) as session:
        session.add(
            TelegramBinding(person_id=city.person_id("instructor"), telegram_user_id=INSTRUCTOR_TG)
        )
        session.add(TelegramBinding(person_id=city.person_id("member"), telegram_user_id=MEMBER_TG))
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER_TG)
        assert viewer is not None
        await file_question(
            session=session,
            viewer=viewer,
            text="一套表平台的登录密码忘记了怎么办",
            now=datetime.now(UTC) - timedelta(days=10),
        )
        await session.commit()


async def open_messages(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        counts = await outbox.status_counts(session=session)
    return counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING]


async def claims(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(ReminderClaim))).one()


async def test_kill_9_of_the_active_instance_mid_broadcast_and_mid_notice(
    emulator: BotApiEmulator,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    tmp_path: Path,
) -> None:
    for telegram_id in (INSTRUCTOR_TG, MEMBER_TG):
        emulator.user(telegram_id)
    chat_ids = range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS)
    for chat_id in chat_ids:
        emulator.user(chat_id)
    await prepare(sessions, small_city)
    env = {"GRIDBOT_DUTY_FIRST_RUN_SECONDS": "1"}
    first = await start_instance(
        "first", database_url=database_url, emulator=emulator, log_dir=tmp_path, env=env
    )
    second: Instance | None = None
    try:
        await first.wait_for_log(ACTIVE_LOG)
        second = await start_instance(
            "second", database_url=database_url, emulator=emulator, log_dir=tmp_path, env=env
        )
        await second.wait_for_log(STANDBY_LOG)

        # The first instance's duty clock has run and its reminders went out.
        async def reminded() -> bool:
            return await claims(sessions) > 0 and await open_messages(sessions) == 0

        await until(30, "no reminder sent", reminded, first)
        claimed_before = await claims(sessions)

        # Halfway through /notice: the body is written, the attachment step is next.
        prompt = await command(emulator, INSTRUCTOR_TG, "/notice")
        assert prompt.text == notice_texts.NOTICE_ASK_TEXT
        body = "请于本月10日前完成联网直报"
        ask_media = await command(emulator, INSTRUCTOR_TG, body)
        assert "请现在发送" in (ask_media.text or "")

        async def step_written() -> bool:
            async with sessions() as session:
                row = await session.get(ConversationState, (INSTRUCTOR_TG, INSTRUCTOR_TG))
            return row is not None and row.state == 1  # handlers.notices.compose.MEDIA

        await until(5, "the notice step not written", step_written, first)

        async with transaction(sessions) as session:
            await enqueue_broadcast(
                session=session,
                recipients=[Recipient(chat_id=chat_id) for chat_id in chat_ids],
                text="<b>紧急通知</b>：请于今日完成月报",
                kind="notice",
            )

        def delivered() -> int:
            return sum(1 for chat_id in chat_ids if emulator.sent_messages(chat_id))

        async def halfway() -> bool:
            return delivered() >= RECIPIENTS // 2

        await until(60, "half the broadcast not sent", halfway, first)
        mark = len(emulator.calls)
        killed_at = time.monotonic()
        first.kill()
        await first.process.wait()
        async with sessions() as session:
            in_flight = (await outbox.status_counts(session=session))[OutboxStatus.SENDING]
        polled_at = await first_poll_after(emulator, mark)
        takeover = polled_at - killed_at
        await second.wait_for_log(ACTIVE_LOG, seconds=5)
        assert takeover < TAKEOVER_LIMIT_SECONDS, second.tail()

        # The user carries on where they were, on the other instance.
        answer, targets = await press(emulator, INSTRUCTOR_TG, ask_media, "nt:skip", forge=False)
        assert answer == ""
        assert targets is not None
        assert "发送给谁" in (targets.text or "")
        preview = await _preview(emulator, targets)
        answer, panel = await press(
            emulator, INSTRUCTOR_TG, preview, preview.callback_data("确认发送"), forge=False
        )
        assert answer == ""
        assert panel is not None
        assert "通知 #" in (panel.text or "")

        async def drained() -> bool:
            return await open_messages(sessions) == 0

        await until(60, "the outbox not drained", drained, second)
        received = Counter({chat_id: len(emulator.sent_messages(chat_id)) for chat_id in chat_ids})
        lost = [chat_id for chat_id in chat_ids if received[chat_id] == 0]
        duplicates = sum(n - 1 for n in received.values() if n > 1)
        print(  # noqa: T201 - the figures the issue asks for
            f"\ntakeover {takeover:.2f} s after kill -9; {in_flight} in flight at the kill: "
            f"lost {len(lost)}, sent twice {duplicates}"
        )
        assert lost == []
        assert duplicates <= in_flight
        async with sessions() as session:
            notices = (await session.exec(select(Notice))).all()
            reminders = (
                await session.exec(
                    select(OutboxMessage).where(col(OutboxMessage.kind) == REMINDER_KIND)
                )
            ).all()
        assert [n.text for n in notices] == [body]
        assert any("📢" in (m.text or "") for m in emulator.sent_messages(MEMBER_TG))
        # The second instance's catch-up found every reminder claimed: none went out again.
        assert await claims(sessions) == claimed_before
        assert reminders
        for reminder in reminders:
            copies = [m for m in emulator.sent_messages(reminder.chat_id) if _same(m, reminder)]
            assert len(copies) == 1, reminder.text
    finally:
        await stop_instance(first)
        if second is not None:
            await stop_instance(second)


def _same(message: SentMessage, queued: OutboxMessage) -> bool:
    return message.source_text == queued.text or message.text == queued.text


async def _preview(emulator: BotApiEmulator, targets: SentMessage) -> SentMessage:
    scope = next(b["text"] for b in targets.buttons if "网格" in b["text"])
    answer, roles = await press(
        emulator, INSTRUCTOR_TG, targets, targets.callback_data(scope), forge=False
    )
    assert answer == ""
    assert roles is not None
    answer, preview = await press(
        emulator, INSTRUCTOR_TG, roles, roles.callback_data("全体人员"), forge=False
    )
    assert answer == ""
    assert preview is not None
    assert "通知预览" in (preview.text or "")
    return preview


async def test_a_frozen_active_instance_is_replaced_and_wakes_up_as_standby(
    emulator: BotApiEmulator,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    chat_ids = range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS // 2)
    for chat_id in chat_ids:
        emulator.user(chat_id)
    first = await start_instance(
        "first", database_url=database_url, emulator=emulator, log_dir=tmp_path
    )
    second: Instance | None = None
    try:
        await first.wait_for_log(ACTIVE_LOG)
        second = await start_instance(
            "second", database_url=database_url, emulator=emulator, log_dir=tmp_path
        )
        await second.wait_for_log(STANDBY_LOG)
        async with transaction(sessions) as session:
            await enqueue_broadcast(
                session=session,
                recipients=[Recipient(chat_id=chat_id) for chat_id in chat_ids],
                text="<b>紧急通知</b>：请于今日完成月报",
                kind="notice",
            )

        async def started() -> bool:
            return sum(1 for chat_id in chat_ids if emulator.sent_messages(chat_id)) >= 50

        await until(60, "the broadcast did not start", started, first)
        mark = len(emulator.calls)
        frozen_at = time.monotonic()
        # Its sockets stay open and silent: what the database sees of a partitioned instance.
        first.process.send_signal(signal.SIGSTOP)
        async with sessions() as session:
            in_flight = (await outbox.status_counts(session=session))[OutboxStatus.SENDING]
        polled_at = await first_poll_after(emulator, mark)
        takeover = polled_at - frozen_at
        await second.wait_for_log(ACTIVE_LOG, seconds=5)
        first.process.send_signal(signal.SIGCONT)
        await first.wait_for_log("now standby", seconds=10)

        async def drained() -> bool:
            return await open_messages(sessions) == 0

        await until(60, "the outbox not drained", drained, second)
        received = Counter({chat_id: len(emulator.sent_messages(chat_id)) for chat_id in chat_ids})
        duplicates = sum(n - 1 for n in received.values() if n > 1)
        print(  # noqa: T201
            f"\ntakeover {takeover:.2f} s after SIGSTOP; {in_flight} claimed at the freeze, "
            f"sent twice {duplicates}"
        )
        # Not before the server ended the silent session, and well within the limit.
        assert 3.0 < takeover < TAKEOVER_LIMIT_SECONDS
        assert min(received.values()) == 1
        assert duplicates <= in_flight
    finally:
        if first.process.returncode is None:
            first.process.send_signal(signal.SIGCONT)
        await stop_instance(first)
        if second is not None:
            await stop_instance(second)
