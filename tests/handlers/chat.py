"""Acting as users in the emulator: bind by invite link, send a command, press a button."""

from emulator import BotApiEmulator, SentMessage
from tests.conftest import SmallCity


async def bind(emulator: BotApiEmulator, city: SmallCity, key: str, telegram_id: int) -> None:
    emulator.user(telegram_id, first_name=key)
    await emulator.send_text(telegram_id, f"/start {city.tokens[key]}")
    await emulator.wait_for_message(telegram_id, lambda m: "绑定成功" in (m.text or ""))


async def command(emulator: BotApiEmulator, telegram_id: int, text: str) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_text(telegram_id, text)
    return await emulator.wait_for_message(telegram_id, after=mark)


async def press(
    emulator: BotApiEmulator, telegram_id: int, message: SentMessage, data: str, *, forge: bool
) -> tuple[str, SentMessage | None]:
    """Press a button; returns the callback answer's text and, after a silent answer (the
    handler accepted the press), the message as the handler edited it."""
    mark = emulator.checkpoint()
    callback_id = await emulator.press_button(telegram_id, message.message_id, data, forge=forge)
    answer = await emulator.wait_for_callback_answer(callback_id)
    if answer.text:
        # A refusal: the handler answered with an alert and must not have touched the chat.
        return answer.text, next(
            (m for m in emulator.sent_messages(telegram_id) if m.seq > mark), None
        )
    return "", await emulator.wait_for_message(telegram_id, after=mark)
