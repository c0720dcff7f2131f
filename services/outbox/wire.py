"""What one send of an outbox message is: the Bot API call, and how it came out."""

from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message

from models.tables import OutboxMessage


@dataclass(frozen=True)
class Sent:
    message_id: int


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Unreachable:
    reason: str


@dataclass(frozen=True)
class Retry:
    reason: str


@dataclass(frozen=True)
class Halted:
    """Not sent: this instance stopped being active; the message stays claimed."""


Outcome = Sent | Failed | Unreachable | Retry | Halted


async def put_on_wire(
    bot: Bot, message: OutboxMessage, markup: InlineKeyboardMarkup | None, *, paid: bool
) -> Message:
    """One send of `message`: its text, or its photo or document (by file_id) with the text
    as caption. Paid broadcast is asked for only when the city enabled it."""
    allow_paid = True if paid else None
    if message.media_kind is None:
        return await bot.send_message(
            chat_id=message.chat_id,
            text=message.text,
            parse_mode=message.parse_mode,
            reply_markup=markup,
            allow_paid_broadcast=allow_paid,
        )
    # Media by file_id: the text is its caption (empty when the text follows separately).
    caption = message.text or None
    if message.media_kind == "photo":
        return await bot.send_photo(
            chat_id=message.chat_id,
            photo=message.media_file_id or "",
            caption=caption,
            parse_mode=message.parse_mode if caption else None,
            reply_markup=markup,
            allow_paid_broadcast=allow_paid,
        )
    return await bot.send_document(
        chat_id=message.chat_id,
        document=message.media_file_id or "",
        caption=caption,
        parse_mode=message.parse_mode if caption else None,
        reply_markup=markup,
        allow_paid_broadcast=allow_paid,
    )
