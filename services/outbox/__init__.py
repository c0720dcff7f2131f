"""The outbox's rules, free of Telegram: queueing messages in the caller's transaction, splitting
long texts, pacing, retry backoff, and what happens when a person cannot be reached.

Features queue what the bot says on its own initiative here, in the same transaction as the
change that caused it, then wake the worker after the commit::

    async with transaction(sessions) as session:
        ...  # the change
        await outbox.enqueue_text(session=session, chat_id=..., person_id=..., text=..., kind=...)
    context.bot_data.outbox.wake()
"""

import bisect
import html
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard, inline_keyboard_json
from models import grids, people
from models import outbox as queries
from models.enums import Role
from models.tables import OutboxMessage, Person, utcnow
from services.access import mask_mobile

log = logging.getLogger(__name__)

# Telegram's limit on a message's text, in UTF-16 code units after entity parsing.
MAX_MESSAGE_LENGTH = 4096
# ... and on a photo's or document's caption.
MAX_CAPTION_LENGTH = 1024
# What the outbox can send by Telegram file_id, with the text as caption.
MEDIA_KINDS = frozenset({"photo", "document"})

# Default pace: Telegram allows about 30 messages per second per bot and one per second in a
# private chat; the outbox keeps 5/s of headroom for interactive replies.
RATE_PER_SECOND = 25.0
CHAT_INTERVAL_SECONDS = 1.0

ALERT_KIND = "alert"
UNREACHABLE_ALERT = (
    "⚠️ {who}已屏蔽机器人，无法收到通知，请电话联系（{mobile}）。\n"
    "对方重新启用机器人后会自动恢复推送。"
)
# Who hears that a person blocked the bot, in order: the first role with a reachable holder.
ALERT_ROLES = (Role.INSTRUCTOR, Role.GRID_DEPUTY)


def escape_html(value: object) -> str:
    """Text from users or the roster, made safe inside an HTML message."""
    return html.escape(str(value), quote=False)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- Splitting ----------------------------------------------------------------------------

# A tag, an entity, or one character: the units a split never cuts through.
_TOKEN_RE = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);|.", re.DOTALL)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_SENTENCE_END = frozenset("。！？；!?; ")


def _after(stack: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    """The open tags after `token`: (name, the opening tag as written)."""
    tag = _TAG_RE.match(token) if token.startswith("<") else None
    if tag is None:
        return stack
    closing, name = tag[1], tag[2].lower()
    if not closing:
        return [*stack, (name, token)]
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == name:
            return stack[:i] + stack[i + 1 :]
    return stack


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _tag in reversed(stack))


def _cut_quality(tokens: list[str], end: int) -> int:
    """How good a place the gap before tokens[end] is to split: paragraph > line > sentence."""
    last = tokens[end - 1]
    if last == "\n":
        return 3 if end >= 2 and tokens[end - 2] == "\n" else 2
    return 1 if last in _SENTENCE_END else 0


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split an HTML message into parts of at most `limit` UTF-16 units, each valid on its own.

    Cuts fall between paragraphs, else lines, else sentences, and never inside a tag or an
    entity; a formatting tag open at a cut is closed there and reopened in the next part.
    The raw HTML length bounds the parsed length, so every part fits Telegram's limit.
    Parts without visible text are dropped.
    """
    if utf16_len(text) <= limit:
        return [text] if _visible(text) else []
    tokens = _TOKEN_RE.findall(text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    start = 0
    while start < len(tokens):
        reopen = "".join(tag for _name, tag in stack)
        size, open_tags = utf16_len(reopen), stack
        # Best cut of each quality so far: (end, its open tags, the part's size there).
        cuts: dict[int, tuple[int, list[tuple[str, str]], int]] = {}
        end = start
        while end < len(tokens):
            after = _after(open_tags, tokens[end])
            grown = size + utf16_len(tokens[end])
            if grown + utf16_len(_closers(after)) > limit:
                break
            size, open_tags, end = grown, after, end + 1
            cuts[_cut_quality(tokens, end)] = (end, open_tags, size)
        if end == start:
            raise ValueError("a single tag or entity does not fit in a message")
        if end == len(tokens):
            part = reopen + "".join(tokens[start:])
            stack = []
        else:
            # Prefer the best kind of cut that still fills at least half a message.
            end, stack, _size = next(
                (cuts[q] for q in (3, 2, 1) if q in cuts and cuts[q][2] >= limit // 2),
                max(cuts.values(), key=lambda cut: cut[0]),
            )
            # Whitespace at the cut would show as a blank line Telegram does not always trim.
            part = reopen + "".join(tokens[start:end]).rstrip("\n ") + _closers(stack)
        if _visible(part):
            parts.append(part)
        start = end
        while start < len(tokens) and tokens[start] in ("\n", " "):
            start += 1
    return parts


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())


# --- Pacing and retries -------------------------------------------------------------------


class Pacer:
    """When the next message may start: at most `rate` per second overall, one per
    `chat_interval` seconds in any one chat, and nothing while Telegram asked us to wait.

    Pure bookkeeping on a caller-supplied monotonic clock; `reserve` books the slot it returns.
    Booked slots are at least 1/`rate` apart, and a message takes the first free slot at or
    after the moment its chat allows: spaced from the slots already booked, not from when a
    sender woke up (sleep latency does not drag the sustained rate below `rate`), and a
    message held back by its own chat never holds back the others (a busy instructor's chat
    must not stall a city-wide notice).
    """

    # Forget per-chat bookings once this many accumulate; old ones no longer constrain anything.
    PRUNE_AT = 10_000

    def __init__(
        self, *, rate: float = RATE_PER_SECOND, chat_interval: float = CHAT_INTERVAL_SECONDS
    ) -> None:
        if rate <= 0 or chat_interval < 0:
            raise ValueError("rate must be positive and chat_interval not negative")
        self.spacing = 1.0 / rate
        self.chat_interval = chat_interval
        self.paused_until = -math.inf
        # Start times booked, in order.
        self._booked: list[float] = []
        self._next_in_chat: dict[int, float] = {}

    def reserve(self, chat_id: int, now: float) -> float:
        """Book and return the earliest start for a message to `chat_id` (>= now)."""
        earliest = max(now, self.paused_until, self._next_in_chat.get(chat_id, -math.inf))
        # Slots over by now no longer constrain anything (and give no burst credit).
        self._booked = [slot for slot in self._booked if slot > now - self.spacing]
        start = earliest
        for slot in self._booked:  # sorted; at most the messages in flight
            if slot + self.spacing <= start:
                continue
            if slot >= start + self.spacing:
                break
            start = slot + self.spacing
        bisect.insort(self._booked, start)
        self._next_in_chat[chat_id] = start + self.chat_interval
        if len(self._next_in_chat) > self.PRUNE_AT:
            self._next_in_chat = {c: t for c, t in self._next_in_chat.items() if t > now}
        return start

    def pause(self, until: float) -> None:
        """Hold every send until `until`: Telegram's flood limit counts for the whole bot."""
        self.paused_until = max(self.paused_until, until)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for failures that may pass (network errors, 5xx): by default 6 attempts spread
    over about two minutes (waits of 4, 8, 16, 32 and 60 s). Flood waits are not attempts."""

    max_attempts: int = 6
    first_delay: float = 4.0
    factor: float = 2.0
    max_delay: float = 60.0

    def delay(self, attempts: int) -> float | None:
        """Seconds to wait after `attempts` failed attempts; None once they are used up."""
        if attempts >= self.max_attempts:
            return None
        return min(self.max_delay, self.first_delay * self.factor ** max(0, attempts - 1))


# --- Quiet hours --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """No bot-initiated message between `start` and `end` local time (e.g. 21:00–08:00, across
    midnight); the outbox worker holds queued messages until the window ends. `start == end`
    means no quiet hours."""

    start: time
    end: time
    tz: tzinfo

    def resumes_at(self, now: datetime) -> datetime | None:
        """The end of the quiet window `now` falls in (aware, UTC), or None outside it."""
        if self.start == self.end:
            return None
        local = now.astimezone(self.tz)
        moment = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= moment < self.end
            end_day = local.date()
        else:
            inside = moment >= self.start or moment < self.end
            end_day = local.date() + timedelta(days=1) if moment >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(end_day, self.end, tzinfo=self.tz).astimezone(now.tzinfo)


# --- Queueing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    person_id: int | None = None


@dataclass(frozen=True)
class Media:
    """A photo or document sent by Telegram file_id ahead of (or with) a message's text."""

    kind: str
    file_id: str


def _messages(
    recipient: Recipient,
    parts: Sequence[str],
    *,
    kind: str,
    reply_markup: dict[str, Any] | None,
    dedupe_key: str | None,
    not_before: datetime,
    ref: str | None = None,
    media: Media | None = None,
) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            chat_id=recipient.chat_id,
            person_id=recipient.person_id,
            kind=kind,
            text=part,
            parse_mode="HTML",
            # Buttons belong under the end of the text.
            reply_markup=reply_markup if i == len(parts) - 1 else None,
            dedupe_key=dedupe_key if dedupe_key is None or i == 0 else f"{dedupe_key}#{i + 1}",
            not_before=not_before,
            ref=ref,
            # The media goes first; its caption is the first part (possibly empty).
            media_kind=media.kind if media is not None and i == 0 else None,
            media_file_id=media.file_id if media is not None and i == 0 else None,
        )
        for i, part in enumerate(parts)
    ]


def _parts(text: str, media: Media | None = None) -> list[str]:
    """The texts of the Telegram messages that carry `text` (and `media`, first).

    A text that fits a caption rides on the media; a longer one follows it in its own
    messages, the media going out without a caption.
    """
    if media is not None:
        if media.kind not in MEDIA_KINDS or not media.file_id:
            raise ValueError(f"unsupported media: {media.kind!r}")
        if utf16_len(text) <= MAX_CAPTION_LENGTH:
            return [text]
        return ["", *split_html(text)]
    parts = split_html(text)
    if not parts:
        raise ValueError("an outbox message needs visible text")
    return parts


def _media(kind: str | None, file_id: str | None) -> Media | None:
    if kind is None and file_id is None:
        return None
    if kind is None or file_id is None:
        raise ValueError("media_kind and media_file_id go together")
    return Media(kind=kind, file_id=file_id)


@dataclass(frozen=True)
class Outgoing:
    """One text message for `enqueue_many` (the arguments of `enqueue_text`, without media)."""

    chat_id: int
    text: str
    kind: str
    person_id: int | None = None
    reply_markup: dict[str, Any] | None = None
    dedupe_key: str | None = None
    ref: str | None = None
    buttons: Keyboard | None = None


async def enqueue_many(
    *, session: AsyncSession, messages: Sequence[Outgoing], not_before: datetime | None = None
) -> int:
    """Queue many different texts in one statement in the caller's transaction (e.g. a day's
    reminders); returns the number of Telegram messages queued."""
    when = not_before or utcnow()
    rows = [
        row
        for message in messages
        for row in _messages(
            Recipient(chat_id=message.chat_id, person_id=message.person_id),
            _parts(message.text),
            kind=message.kind,
            reply_markup=inline_keyboard_json(message.buttons) or message.reply_markup,
            dedupe_key=message.dedupe_key,
            not_before=when,
            ref=message.ref,
        )
    ]
    await queries.enqueue(session=session, messages=rows)
    return len(rows)


async def enqueue_text(
    *,
    session: AsyncSession,
    chat_id: int,
    text: str,
    kind: str,
    person_id: int | None = None,
    reply_markup: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    ref: str | None = None,
    media_kind: str | None = None,
    media_file_id: str | None = None,
    buttons: Keyboard | None = None,
) -> int:
    """Queue an HTML message in the caller's transaction; returns how many Telegram messages it
    takes (long texts are split). Escape user-provided text with `escape_html` first.

    `buttons` go under the message (`reply_markup`, a Bot API dict, is the older way and is
    being retired).
    With `dedupe_key`, queueing the same key again does nothing. `ref` names what the message
    belongs to ("notice:12") so its delivery can be counted. With `media_kind` ("photo" or
    "document") and `media_file_id`, the file is sent with the text as caption; a text longer
    than a caption follows the file as messages of its own.
    """
    media = _media(media_kind, media_file_id)
    messages = _messages(
        Recipient(chat_id=chat_id, person_id=person_id),
        _parts(text, media),
        kind=kind,
        reply_markup=inline_keyboard_json(buttons) or reply_markup,
        dedupe_key=dedupe_key,
        not_before=not_before or utcnow(),
        ref=ref,
        media=media,
    )
    await queries.enqueue(session=session, messages=messages)
    return len(messages)


async def enqueue_broadcast(
    *,
    session: AsyncSession,
    recipients: Sequence[Recipient],
    text: str,
    kind: str,
    reply_markup: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    ref: str | None = None,
    media_kind: str | None = None,
    media_file_id: str | None = None,
    buttons: Keyboard | None = None,
) -> int:
    """Queue the same HTML message to many chats in one statement; returns the number of
    Telegram messages queued. With `dedupe_key`, each chat's copy is keyed `{key}:{chat_id}`.
    Media as for `enqueue_text`."""
    media = _media(media_kind, media_file_id)
    parts = _parts(text, media)
    when = not_before or utcnow()
    messages = [
        message
        for recipient in recipients
        for message in _messages(
            recipient,
            parts,
            kind=kind,
            reply_markup=inline_keyboard_json(buttons) or reply_markup,
            dedupe_key=None if dedupe_key is None else f"{dedupe_key}:{recipient.chat_id}",
            not_before=when,
            ref=ref,
            media=media,
        )
    ]
    await queries.enqueue(session=session, messages=messages)
    return len(messages)


# --- Unreachable people -------------------------------------------------------------------


async def record_unreachable(
    *,
    session: AsyncSession,
    chat_id: int,
    person_id: int | None,
    now: datetime,
    reason: str,
) -> int:
    """Telegram refused a message to `chat_id` (the user blocked the bot): skip what still waits
    for that chat, mark the person unreachable and, the first time only, tell the instructor of
    each of their grids (the 副网格长 when no instructor can be reached). Returns the number of
    alerts queued."""
    await queries.skip_pending(session=session, chat_id=chat_id, reason=queries.UNREACHABLE_REASON)
    if person_id is None:
        person = await people.person_by_telegram_id(session=session, telegram_user_id=chat_id)
        person_id = person.id if person is not None else None
    if person_id is None:
        return 0
    if not await people.mark_unreachable(
        session=session, person_id=person_id, now=now, reason=reason
    ):
        return 0
    return await _alert_grid_staff(session=session, person_id=person_id, now=now)


async def _alert_grid_staff(*, session: AsyncSession, person_id: int, now: datetime) -> int:
    person = await people.person_by_id(session=session, person_id=person_id)
    assert person is not None
    covering = await grids.grids_covering(session=session, person_id=person_id)
    staff = await grids.grid_staff(session=session, grid_ids=[g.id for g in covering if g.id])
    accounts = await people.live_telegram_ids(
        session=session,
        person_ids=[p.id for rows in staff.values() for _role, p in rows if p.id is not None],
    )
    told: set[int] = set()
    for rows in staff.values():
        for wanted in ALERT_ROLES:
            reachable = {
                member.id
                for role, member in rows
                if role == wanted
                and member.id is not None
                and member.id != person_id
                and member.id in accounts
                and member.unreachable_at is None
            }
            if reachable:
                told |= reachable
                break
    if not told:
        log.warning("person %s is unreachable and no grid staff can be told", person_id)
        return 0
    text = UNREACHABLE_ALERT.format(
        who=await _describe(session=session, person=person, staff=staff),
        mobile=mask_mobile(person.mobile),
    )
    episode = int(now.timestamp())
    for recipient_id in sorted(told):
        await enqueue_text(
            session=session,
            chat_id=accounts[recipient_id],
            person_id=recipient_id,
            text=text,
            kind=ALERT_KIND,
            dedupe_key=f"unreachable:{person_id}:{episode}:{recipient_id}",
        )
    return len(told)


async def _describe(
    *, session: AsyncSession, person: Person, staff: dict[int, list[tuple[Role, Person]]]
) -> str:
    """`网格员 陈统计（企业A、企业B）`, or the person's staff roles before their name."""
    assert person.id is not None
    kept = (await people.enterprises_kept_by(session=session, person_ids=[person.id]))[person.id]
    name = escape_html(person.name)
    if kept:
        enterprises = "、".join(escape_html(survey_object.name) for survey_object, _t, _g in kept)
        return f"{Role.MEMBER.value} {name}（{enterprises}）"
    roles = dict.fromkeys(
        role.value for rows in staff.values() for role, p in rows if p.id == person.id
    )
    return f"{'、'.join(roles) or '人员'} {name}"


async def record_reachable(*, session: AsyncSession, telegram_user_id: int) -> bool:
    """The person bound to this Telegram account unblocked the bot: send to them again.
    Messages skipped meanwhile stay skipped. True if they had been unreachable."""
    person = await people.person_by_telegram_id(session=session, telegram_user_id=telegram_user_id)
    if person is None or person.id is None:
        return False
    return await people.mark_reachable(session=session, person_id=person.id)
