"""Check-in in the chat: /checkin with the room's code, the QR's `/start ci_` link, and the
member's location for an activity that checks it."""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from handlers.access import guarded, guarded_step
from handlers.context import GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, conversation, reply, user_data
from models.enums import CheckinMethod
from services.access import Capability, Viewer
from services.activities import texts
from services.activities.checkin import (
    CheckinOutcome,
    CheckinResult,
    check_in_at_location,
    check_in_by_code,
    check_in_by_link,
    open_activities_for,
    opens_at,
)
from services.activities.codes import LINK_PREFIX, LINK_TOKEN_LENGTH, parse_code
from services.limits import Action, checkin_limits, refusal

log = logging.getLogger(__name__)

# A code or link accepted for an activity with a location waits this long for the location.
PENDING_TTL = timedelta(minutes=10)
WAIT_CODE = 0
# The reply keyboard's [取消签到], sent as plain text.
CANCEL_LOCATION = filters.Regex(f"^{re.escape(texts.CHECKIN_LOCATION_CANCEL)}$")


def is_checkin_payload(payload: str) -> bool:
    """A /start payload from an activity's check-in link (`ci_` + 32 characters); invitation
    tokens are 32 characters long, so the two never collide."""
    return payload.startswith(LINK_PREFIX) and len(payload) == len(LINK_PREFIX) + LINK_TOKEN_LENGTH


@dataclass(frozen=True)
class PendingCheckin:
    """A code or link accepted for an activity that also wants the member's location."""

    activity_id: int
    method: CheckinMethod
    expires_at: datetime


def _location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(texts.CHECKIN_LOCATION_BUTTON, request_location=True)],
            [KeyboardButton(texts.CHECKIN_LOCATION_CANCEL)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def _answer_checkin(
    update: Update, context: GridContext, result: CheckinResult, method: CheckinMethod
) -> None:
    """Tell the member how their check-in went (and ask for the location when needed)."""
    tz = context.bot_data.settings.tz
    now = datetime.now(UTC)
    activity = result.activity
    outcome = result.outcome
    if outcome == CheckinOutcome.LIMITED:
        assert result.retry_at is not None
        await reply(update, refusal(Action.CHECKIN, result.retry_at, now=now, tz=tz))
        return
    if outcome == CheckinOutcome.WRONG_CODE or activity is None:
        text = (
            texts.CHECKIN_UNKNOWN_LINK
            if outcome == CheckinOutcome.UNKNOWN_LINK
            else texts.CHECKIN_WRONG_CODE
        )
        await reply(update, text)
        return
    assert activity.id is not None
    if outcome == CheckinOutcome.NEED_LOCATION:
        user_data(context).keep(PendingCheckin(activity.id, method, now + PENDING_TTL))
        radius = activity.radius_m or context.bot_data.settings.checkin_radius_m
        await reply(update, texts.checkin_need_location(activity, radius), _location_keyboard())
        return
    if outcome == CheckinOutcome.TOO_FAR:
        assert result.distance_m is not None
        assert result.radius_m is not None
        await reply(
            update,
            texts.checkin_too_far(activity, result.distance_m, result.radius_m),
            _location_keyboard(),
        )
        return
    had_pending = user_data(context).drop(PendingCheckin) is not None
    text = {
        CheckinOutcome.STALE_CODE: lambda: texts.CHECKIN_STALE_CODE,
        CheckinOutcome.CANCELLED: lambda: texts.checkin_cancelled(activity),
        CheckinOutcome.NOT_MEMBER: lambda: texts.checkin_not_member(activity),
        CheckinOutcome.ORGANISER: lambda: texts.checkin_organiser(activity),
        CheckinOutcome.NOT_OPEN: lambda: texts.checkin_not_open(activity, opens_at(activity), tz),
        CheckinOutcome.ENDED: lambda: texts.checkin_ended(activity, tz),
        CheckinOutcome.ALREADY: lambda: texts.checkin_already(activity, result.at, tz),
        CheckinOutcome.CHECKED_IN: lambda: texts.checkin_done(activity, result.at or now, tz),
        CheckinOutcome.UNKNOWN_LINK: lambda: texts.CHECKIN_UNKNOWN_LINK,
    }[outcome]()
    # The location keyboard goes once the check-in that asked for it is settled.
    await reply(update, text, ReplyKeyboardRemove() if had_pending else None)


async def _check_code(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession, code: str
) -> None:
    result = await check_in_by_code(
        session=session,
        person_id=viewer.person_id,
        code=code,
        now=datetime.now(UTC),
        period_s=context.bot_data.settings.checkin_code_seconds,
        limits=checkin_limits(context.bot_data.settings),
    )
    await session.commit()
    log.info("check-in by code, person %s: %s", viewer.person_id, result.outcome)
    await _answer_checkin(update, context, result, CheckinMethod.CODE)


@guarded_step(Capability.USE_BOT)
async def checkin_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    if context.args:
        await _check_code(update, context, viewer, session, "".join(context.args))
        return ConversationHandler.END
    open_now = await open_activities_for(
        session=session, person_id=viewer.person_id, now=datetime.now(UTC)
    )
    if not open_now:
        await reply(update, texts.CHECKIN_NO_OPEN)
        return ConversationHandler.END
    tz = context.bot_data.settings.tz
    lines = [texts.CHECKIN_OPEN_HEADING, *(texts.open_activity_line(a, tz) for a in open_now)]
    await reply(update, "\n".join([*lines, "", texts.CHECKIN_USAGE]))
    return WAIT_CODE


@guarded_step(Capability.USE_BOT)
async def got_code(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    code = parse_code(update.effective_message.text or "")
    if code is None:
        await reply(update, texts.CHECKIN_BAD_CODE_FORMAT)
        return WAIT_CODE
    await _check_code(update, context, viewer, session, code)
    return ConversationHandler.END


async def cancel_checkin(update: Update, context: GridContext) -> int:
    user_data(context).drop(PendingCheckin)
    await reply(update, texts.CHECKIN_STOPPED, ReplyKeyboardRemove())
    return ConversationHandler.END


@guarded(Capability.USE_BOT)
async def checkin_link(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    """/start ci_<token>: the check-in link of an activity (its QR hangs in the room)."""
    payload = context.args[0] if context.args else ""
    result = await check_in_by_link(
        session=session,
        person_id=viewer.person_id,
        token=payload.removeprefix(LINK_PREFIX),
        now=datetime.now(UTC),
    )
    await session.commit()
    log.info("check-in by link, person %s: %s", viewer.person_id, result.outcome)
    await _answer_checkin(update, context, result, CheckinMethod.LINK)


@guarded(Capability.USE_BOT)
async def checkin_location(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    pending = user_data(context).get(PendingCheckin)
    if pending is None:
        await reply(update, texts.CHECKIN_NO_PENDING, ReplyKeyboardRemove())
        return
    now = datetime.now(UTC)
    if pending.expires_at < now:
        user_data(context).drop(PendingCheckin)
        await reply(update, texts.CHECKIN_PENDING_EXPIRED, ReplyKeyboardRemove())
        return
    result = await check_in_at_location(
        session=session,
        person_id=viewer.person_id,
        activity_id=pending.activity_id,
        method=pending.method,
        latitude=message.location.latitude,
        longitude=message.location.longitude,
        now=now,
        default_radius_m=context.bot_data.settings.checkin_radius_m,
    )
    await session.commit()
    log.info("check-in at location, person %s: %s", viewer.person_id, result.outcome)
    await _answer_checkin(update, context, result, CheckinMethod.LOCATION)


async def stop_location_checkin(update: Update, context: GridContext) -> None:
    user_data(context).drop(PendingCheckin)
    await reply(update, texts.CHECKIN_STOPPED, ReplyKeyboardRemove())


def conversation_handler(timeout: timedelta) -> ConversationHandler[GridContext]:
    """/checkin without a code asks for it."""
    return conversation(
        label="签到",
        restart="发送 /checkin 重新开始",
        drafts=[PendingCheckin],
        entry_points=[CommandHandler("checkin", checkin_command, filters=PRIVATE)],
        states={WAIT_CODE: [MessageHandler(PRIVATE_TEXT, got_code)]},
        fallbacks=[CommandHandler("cancel", cancel_checkin, filters=PRIVATE)],
        timeout=timeout,
    )
