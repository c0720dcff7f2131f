"""Updates of one chat run in order; different chats run side by side."""

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor


def update(update_id: int, chat_id: int) -> Update:
    user = User(id=chat_id, first_name="u", is_bot=False)
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=chat_id, type=Chat.PRIVATE),
        from_user=user,
        text="hi",
    )
    return Update(update_id=update_id, message=message)


async def test_one_chat_in_order_and_other_chats_meanwhile() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=8)
    events: list[str] = []
    first_started = asyncio.Event()
    release_first = asyncio.Event()

    async def slow() -> None:
        events.append("a1 start")
        first_started.set()
        await release_first.wait()
        events.append("a1 end")

    async def quick(name: str) -> None:
        events.append(name)

    first = asyncio.create_task(processor.process_update(update(1, 100), slow()))
    await first_started.wait()
    same_chat = asyncio.create_task(processor.process_update(update(2, 100), quick("a2")))
    other_chat = asyncio.create_task(processor.process_update(update(3, 200), quick("b1")))
    await other_chat
    # The other chat did not wait for the slow update; the same chat's next one did.
    assert events == ["a1 start", "b1"]
    release_first.set()
    await asyncio.gather(first, same_chat)
    assert events == ["a1 start", "b1", "a1 end", "a2"]
    # Nothing is kept for chats with nothing in progress.
    assert processor._chats == {}


async def test_updates_without_a_chat_or_user_still_run() -> None:
    processor = PerChatUpdateProcessor()
    done: list[object] = []

    async def record() -> None:
        done.append(True)

    await processor.process_update(object(), record())
    assert done == [True]
