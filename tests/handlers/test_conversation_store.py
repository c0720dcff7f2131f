"""Guided conversations survive the process: a user halfway through any of them carries on
with another Application on the same database (a takeover, a restart), drafts included; a
conversation silent past its timeout ends once, with its message, whichever instance sees it
first; a stored draft this version cannot read ends the conversation politely."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from handlers.context import GridApplication
from knowledge.base import KnowledgeBase
from models.db import transaction
from models.tables import ConversationState, Notice, OutboxMessage
from services import texts as shared_texts
from services.notices import texts as notice_texts
from services.notices.drafts import Draft as NoticeDraft
from tests.conftest import TOKEN, SmallCity
from tests.handlers.chat import bind, command
from tests.handlers.flows import FLOWS, TG, conversations, everything_person, start
from tests.handlers.notices.flow import INSTRUCTOR_TG, compose, send


@asynccontextmanager
async def instance(
    emulator: BotApiEmulator, database_url: str, knowledge: KnowledgeBase
) -> AsyncIterator[GridApplication]:
    """One bot process's Application (a test starts several, one after the other)."""
    settings = load_settings(
        token=TOKEN,
        database_url=database_url,
        api_base_url=emulator.base_url,
        quiet_hours=False,
        duty_first_run_seconds=24 * 3600,
    )
    async with polling(build_application(settings, knowledge=knowledge), poll_timeout=1) as app:
        yield app


async def stored(sessions: async_sessionmaker[AsyncSession]) -> ConversationState | None:
    async with sessions() as session:
        return (await session.exec(select(ConversationState))).first()


async def written(
    sessions: async_sessionmaker[AsyncSession], *, gone: bool = False, state: object = None
) -> ConversationState | None:
    """A step's reply reaches the user just before its state is written: wait for the row (in
    `state`, if given) or, with `gone`, for it to go."""
    for _ in range(200):
        row = await stored(sessions)
        if gone and row is None:
            return None
        if not gone and row is not None and state in (None, row.state):
            return row
        await asyncio.sleep(0.02)
    raise AssertionError("the conversation's row was not written")


async def expire(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Let the open conversation's timeout pass (as if the user had been silent that long)."""
    async with transaction(sessions) as session:
        await session.exec(
            sa.update(ConversationState).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def timeouts_queued(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).startswith("timeout:"))
        )
        return found.one()


@pytest.mark.parametrize("flow_key", list(FLOWS))
async def test_a_conversation_goes_on_in_the_next_instance(
    flow_key: str,
    emulator: BotApiEmulator,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    knowledge: KnowledgeBase,
) -> None:
    flow = FLOWS[flow_key]
    async with instance(emulator, database_url, knowledge):
        activity, member = await everything_person(emulator, sessions, small_city)
        await start(emulator, flow, activity, member)
        await written(sessions)
    # The first instance is gone; the next one has never seen this user.
    async with instance(emulator, database_url, knowledge):
        answer = await command(emulator, TG, flow.probe)
        assert flow.took(answer.text or ""), f"{flow_key}: {answer.text!r}"
        await command(emulator, TG, "/cancel")
        await written(sessions, gone=True)


async def test_a_notice_begun_on_one_instance_is_sent_from_the_next(
    emulator: BotApiEmulator,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    knowledge: KnowledgeBase,
) -> None:
    await_body = "请于本月10日前完成联网直报"
    async with instance(emulator, database_url, knowledge):
        await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
        prompt = await command(emulator, INSTRUCTOR_TG, "/notice")
        assert prompt.text == notice_texts.NOTICE_ASK_TEXT
        ask_media = await command(emulator, INSTRUCTOR_TG, await_body)
        assert "图片或文件" in (ask_media.text or "")
        row = await written(sessions, state=1)  # handlers.notices.compose.MEDIA
        assert row is not None
        assert row.name == "notice"
        assert row.drafts != {}
    async with instance(emulator, database_url, knowledge) as second:
        user = second.user_data[INSTRUCTOR_TG]
        assert user.get(NoticeDraft) is None  # nothing in memory until the user writes
        mark = emulator.checkpoint()
        callback = await emulator.press_button(INSTRUCTOR_TG, ask_media.message_id, "nt:skip")
        assert (await emulator.wait_for_callback_answer(callback)).text in (None, "")
        targets = await emulator.wait_for_message(INSTRUCTOR_TG, after=mark)
        assert "发送给谁" in (targets.text or "")
        draft = user.get(NoticeDraft)
        assert draft is not None
        assert draft.text == await_body
    # And a third instance finishes it from the scope on (compose's later steps, by hand).
    async with instance(emulator, database_url, knowledge):
        preview = await _choose(emulator, targets)
        await send(emulator, INSTRUCTOR_TG, preview)
    async with sessions() as session:
        notices = (await session.exec(select(Notice))).all()
    assert [n.text for n in notices] == [await_body]
    await written(sessions, gone=True)


async def _choose(emulator: BotApiEmulator, targets: object) -> object:
    from emulator import SentMessage
    from tests.handlers.chat import press

    assert isinstance(targets, SentMessage)
    scope = next(b["text"] for b in targets.buttons if "网格" in b["text"])
    _answer, roles = await press(
        emulator, INSTRUCTOR_TG, targets, targets.callback_data(scope), forge=False
    )
    assert roles is not None
    _answer, preview = await press(
        emulator, INSTRUCTOR_TG, roles, roles.callback_data("全体人员"), forge=False
    )
    assert preview is not None
    assert "通知预览" in (preview.text or "")
    return preview


async def test_a_silent_conversation_times_out_once_with_its_message(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await command(emulator, INSTRUCTOR_TG, "/notice")
    await command(emulator, INSTRUCTOR_TG, "请于本月10日前完成联网直报")
    await written(sessions, state=1)
    await expire(sessions)
    [job] = bot_app.job_queue.get_jobs_by_name("conversations:timeouts")  # type: ignore[union-attr]
    # Two instances' timers at once: the conversation ends once.
    await asyncio.gather(job.run(bot_app), job.run(bot_app))
    timed_out = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: m.text == notice_texts.NOTICE_TIMEOUT
    )
    assert await stored(sessions) is None
    assert await timeouts_queued(sessions) == 1
    # The draft is gone: the next text is a question to the knowledge base, not a notice body.
    answer = await command(emulator, INSTRUCTOR_TG, "跳过")
    assert "请现在发送" not in (answer.text or "")
    assert bot_app.user_data[INSTRUCTOR_TG].get(NoticeDraft) is None
    assert [m.text for m in emulator.sent_messages(INSTRUCTOR_TG)].count(timed_out.text) == 1


async def test_a_user_back_after_the_timeout_is_told_and_starts_afresh(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    del bot_app
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await command(emulator, INSTRUCTOR_TG, "/notice")
    await written(sessions)
    await expire(sessions)
    # Before any timer ran: the body written too late is not taken as the notice's.
    await emulator.send_text(INSTRUCTOR_TG, "请于本月10日前完成联网直报")
    told = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: m.text == notice_texts.NOTICE_TIMEOUT
    )
    # Then the text is answered as any text outside a conversation.
    await emulator.wait_for_message(INSTRUCTOR_TG, after=told)
    assert await stored(sessions) is None
    assert not [m for m in emulator.sent_messages(INSTRUCTOR_TG) if "请现在发送" in (m.text or "")]
    preview = await compose(emulator, INSTRUCTOR_TG, "新的通知", scope="我的网格：虹桥镇·工业网格1")
    assert "新的通知" in (preview.text or "")


async def test_a_draft_this_version_cannot_read_ends_the_conversation_politely(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await command(emulator, INSTRUCTOR_TG, "/notice")
    await command(emulator, INSTRUCTOR_TG, "请于本月10日前完成联网直报")
    await written(sessions, state=1)
    async with transaction(sessions) as session:
        row = (await session.exec(select(ConversationState))).one()
        row.drafts = {key: {"body": "an older version's field"} for key in row.drafts}
        session.add(row)
    mark = emulator.checkpoint()
    await emulator.send_text(INSTRUCTOR_TG, "/cancel")
    notice = conversations(bot_app)["通知"]
    told = shared_texts.STEP_FAILED.format(label=notice.label, restart=notice.restart)
    await emulator.wait_for_message(INSTRUCTOR_TG, lambda m: m.text == told, after=mark)
    assert not notice.is_open((INSTRUCTOR_TG, INSTRUCTOR_TG))
    assert await stored(sessions) is None
