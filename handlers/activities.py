"""Grid activities in the chat: /activity (a guided conversation to publish one), /checkin
(code), ?start=ci_ (the room's QR link), location checks, /activities and the organiser's panel
(code, QR, live attendance, [提醒未签到], [登记请假]).

Callback data names only ids; every press is re-checked on the server against the viewer
(the organiser, or staff of the activity's grids), since a client can send any data it likes.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from core.formatting import clock, esc, month_day
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import (
    PRIVATE,
    PRIVATE_TEXT,
    DraftEnd,
    conversation,
    conversation_viewer,
    reply,
    user_data,
)
from models.db import transaction
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod
from models.tables import Activity
from services import activities as service
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.activities import texts

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec(
        "checkin",
        "活动签到",
        "活动签到：发送 /checkin 加现场显示的 6 位签到码，或扫描现场的签到二维码。",
        Capability.USE_BOT,
    ),
    CommandSpec(
        "activities",
        "我的网格活动",
        "查看近期的网格活动；组织者可查看签到码、签到二维码和签到情况。",
        Capability.USE_BOT,
    ),
    CommandSpec(
        "activity",
        "发起网格活动",
        "发起网格活动（学习、交流、探讨、团建等）并邀请网格成员参加。",
        Capability.ORGANISE_ACTIVITIES,
    ),
)

# Dropping the draft: /cancel, the preview's [取消], silence.
NEW_ENDS = DraftEnd(
    service.ActivityDraft, cancelled_text=texts.ACT_CANCELLED, timed_out_text=texts.ACT_TIMED_OUT
)
# A code or link accepted for an activity with a location waits this long for the location.
PENDING_TTL = timedelta(minutes=10)
CONVERSATION_TIMEOUT = timedelta(minutes=15)
KINDS = tuple(ActivityKind)

KIND, TITLE, WINDOW, PLACE, LOCATION, GRIDS, CONFIRM = range(7)
WAIT_CODE = 0
REASON = 0

NEW_KIND = re.compile(r"^actnew:k:(\d)$")
NEW_GRID = re.compile(r"^actnew:g:(\d{1,10})$")
PANEL_CALLBACK = re.compile(r"^act:([prqml]):(\d{1,10})$")
LEAVE_PERSON = re.compile(r"^act:lp:(\d{1,10}):(\d{1,10})$")


def is_checkin_payload(payload: str) -> bool:
    """A /start payload from an activity's check-in link (`ci_` + 32 characters); invitation
    tokens are 32 characters long, so the two never collide."""
    return (
        payload.startswith(service.LINK_PREFIX)
        and len(payload) == len(service.LINK_PREFIX) + service.LINK_TOKEN_LENGTH
    )


def _now() -> datetime:
    return datetime.now(UTC)


# --- /activity: the guided conversation -----------------------------------------------------


def _draft(context: GridContext) -> service.ActivityDraft:
    draft = user_data(context).get(service.ActivityDraft)
    if not isinstance(draft, service.ActivityDraft):
        draft = service.ActivityDraft()
        user_data(context).keep(draft)
    return draft


async def new_activity(update: Update, context: GridContext) -> int:
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        if not service.organiser_grid_ids(viewer):
            await reply(update, texts.ACT_NOT_ORGANISER_GRIDS)
            return ConversationHandler.END
    user_data(context).keep(service.ActivityDraft())
    rows = [
        [
            InlineKeyboardButton(kind.value, callback_data=f"actnew:k:{KINDS.index(kind)}")
            for kind in KINDS[start : start + 4]
        ]
        for start in (0, 4)
    ]
    await reply(update, texts.ACT_KIND_PROMPT, InlineKeyboardMarkup(rows))
    return KIND


async def chose_kind(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    match = NEW_KIND.fullmatch(query.data or "")
    if match is None or int(match.group(1)) >= len(KINDS):
        await refuse(update, shared_texts.STALE_BUTTON)
        return KIND
    kind = KINDS[int(match.group(1))]
    _draft(context).kind = kind
    await query.answer()
    await query.edit_message_text(f"活动类型：{kind.value}")
    await reply(update, texts.ACT_TITLE_PROMPT)
    return TITLE


async def got_title(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    title = service.clean_text(update.effective_message.text or "", service.TITLE_MAX)
    if title is None:
        await reply(update, texts.ACT_TITLE_BAD)
        return TITLE
    _draft(context).title = title
    await reply(update, texts.ACT_WINDOW_PROMPT)
    return WINDOW


async def got_window(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    try:
        starts, ends = service.parse_window(
            update.effective_message.text or "", now=_now(), tz=context.bot_data.settings.tz
        )
    except service.WindowError as error:
        await reply(update, texts.ACT_WINDOW_ERRORS[error.problem.value])
        return WINDOW
    draft = _draft(context)
    draft.starts_at, draft.ends_at = starts, ends
    await reply(update, texts.ACT_PLACE_PROMPT)
    return PLACE


async def got_place(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    place = service.clean_text(update.effective_message.text or "", service.PLACE_MAX)
    if place is None:
        await reply(update, texts.ACT_PLACE_BAD)
        return PLACE
    _draft(context).place = place
    skip = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ACT_LOCATION_SKIP, callback_data="actnew:skip")]]
    )
    await reply(update, texts.ACT_LOCATION_PROMPT, skip)
    return LOCATION


async def got_location(update: Update, context: GridContext) -> int:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    draft = _draft(context)
    draft.latitude, draft.longitude = message.location.latitude, message.location.longitude
    await reply(update, texts.ACT_LOCATION_SAVED)
    return await _ask_grids(update, context)


async def skipped_location(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _ask_grids(update, context)


async def location_or_skip(update: Update, _context: GridContext) -> int:
    await reply(update, texts.ACT_LOCATION_OR_SKIP)
    return LOCATION


async def _grid_keyboard(
    update: Update, context: GridContext, session: AsyncSession
) -> InlineKeyboardMarkup | None:
    viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
    if viewer is None:
        return None
    chosen = set(_draft(context).grid_ids)
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅ ' if grid.id in chosen else ''}{grid.name}",
                callback_data=f"actnew:g:{grid.id}",
            )
        ]
        for grid in await service.organiser_grids(session=session, viewer=viewer)
    ]
    rows.append([InlineKeyboardButton(texts.ACT_GRIDS_DONE, callback_data="actnew:done")])
    return InlineKeyboardMarkup(rows)


async def _ask_grids(update: Update, context: GridContext) -> int:
    async with context.bot_data.sessions() as session:
        keyboard = await _grid_keyboard(update, context, session)
    if keyboard is None:
        return ConversationHandler.END
    await reply(update, texts.ACT_GRIDS_PROMPT, keyboard)
    return GRIDS


async def toggled_grid(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    match = NEW_GRID.fullmatch(query.data or "")
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        if match is None or int(match.group(1)) not in service.organiser_grid_ids(viewer):
            await refuse(update, shared_texts.FORBIDDEN_SCOPE)
            return GRIDS
        _draft(context).toggle_grid(int(match.group(1)))
        keyboard = await _grid_keyboard(update, context, session)
    await query.answer()
    await query.edit_message_reply_markup(keyboard)
    return GRIDS


async def grids_done(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    if not draft.grid_ids:
        await refuse(update, texts.ACT_GRIDS_NONE_CHOSEN)
        return GRIDS
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        grids = await service.organiser_grids(session=session, viewer=viewer)
    names = [g.name for g in grids if g.id in draft.grid_ids]
    assert draft.kind is not None
    assert draft.title is not None
    assert draft.place is not None
    assert draft.starts_at is not None
    assert draft.ends_at is not None
    tz = context.bot_data.settings.tz
    when = (
        f"{month_day(draft.starts_at, tz)} {clock(draft.starts_at, tz)}-{clock(draft.ends_at, tz)}"
    )
    summary = texts.activity_summary(
        kind=draft.kind.value,
        title=draft.title,
        when=when,
        place=draft.place,
        located=draft.latitude is not None,
        grids=names,
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.ACT_CONFIRM, callback_data="actnew:ok"),
                InlineKeyboardButton(texts.ACT_CANCEL, callback_data="actnew:no"),
            ]
        ]
    )
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(
        update,
        f"{texts.ACT_PREVIEW_HEADING}\n\n{summary}\n\n{texts.ACT_PREVIEW_FOOTER}",
        buttons,
    )
    return CONFIRM


async def confirmed(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with transaction(context.bot_data.sessions) as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        try:
            published = await service.publish_activity(
                session=session,
                viewer=viewer,
                draft=draft,
                now=_now(),
                tz=context.bot_data.settings.tz,
            )
        except service.PublishError as error:
            published = None
            problem = texts.ACT_PUBLISH_ERRORS[error.problem.value]
    user_data(context).drop(service.ActivityDraft)
    await query.answer()
    if published is None:
        await query.edit_message_text(problem, parse_mode="HTML")
        return ConversationHandler.END
    context.bot_data.outbox.wake()
    log.info(
        "activity %s published by person %s: %s invitations",
        published.activity.id,
        published.activity.organiser_id,
        published.queued,
    )
    await query.edit_message_reply_markup(None)
    await reply(update, texts.activity_published(published.members, published.queued))
    return ConversationHandler.END


async def press_a_button(update: Update, _context: GridContext) -> None:
    await reply(update, texts.ACT_WAITING_BUTTON)


# --- Check-in -------------------------------------------------------------------------------


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
    update: Update, context: GridContext, result: service.CheckinResult, method: CheckinMethod
) -> None:
    """Tell the member how their check-in went (and ask for the location when needed)."""
    tz = context.bot_data.settings.tz
    activity = result.activity
    outcome = result.outcome
    if outcome == service.CheckinOutcome.WRONG_CODE or activity is None:
        text = (
            texts.CHECKIN_UNKNOWN_LINK
            if outcome == service.CheckinOutcome.UNKNOWN_LINK
            else texts.CHECKIN_WRONG_CODE
        )
        await reply(update, text)
        return
    assert activity.id is not None
    if outcome == service.CheckinOutcome.NEED_LOCATION:
        user_data(context).keep(PendingCheckin(activity.id, method, _now() + PENDING_TTL))
        radius = activity.radius_m or context.bot_data.settings.checkin_radius_m
        await reply(update, texts.checkin_need_location(activity, radius), _location_keyboard())
        return
    if outcome == service.CheckinOutcome.TOO_FAR:
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
        service.CheckinOutcome.STALE_CODE: lambda: texts.CHECKIN_STALE_CODE,
        service.CheckinOutcome.CANCELLED: lambda: texts.checkin_cancelled(activity),
        service.CheckinOutcome.NOT_MEMBER: lambda: texts.checkin_not_member(activity),
        service.CheckinOutcome.ORGANISER: lambda: texts.checkin_organiser(activity),
        service.CheckinOutcome.NOT_OPEN: lambda: texts.checkin_not_open(
            activity, service.opens_at(activity), tz
        ),
        service.CheckinOutcome.ENDED: lambda: texts.checkin_ended(activity, tz),
        service.CheckinOutcome.ALREADY: lambda: texts.checkin_already(activity, result.at, tz),
        service.CheckinOutcome.CHECKED_IN: lambda: texts.checkin_done(
            activity, result.at or _now(), tz
        ),
        service.CheckinOutcome.UNKNOWN_LINK: lambda: texts.CHECKIN_UNKNOWN_LINK,
    }[outcome]()
    # The location keyboard goes once the check-in that asked for it is settled.
    await reply(update, text, ReplyKeyboardRemove() if had_pending else None)


async def _check_code(update: Update, context: GridContext, viewer: Viewer, code: str) -> None:
    async with transaction(context.bot_data.sessions) as session:
        result = await service.check_in_by_code(
            session=session,
            person_id=viewer.person_id,
            code=code,
            now=_now(),
            period_s=context.bot_data.settings.checkin_code_seconds,
        )
    log.info("check-in by code, person %s: %s", viewer.person_id, result.outcome)
    await _answer_checkin(update, context, result, CheckinMethod.CODE)


async def checkin_command(update: Update, context: GridContext) -> int:
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.USE_BOT)
        if viewer is None:
            return ConversationHandler.END
        if context.args:
            code = "".join(context.args)
        else:
            code = ""
            open_now = await service.open_activities_for(
                session=session, person_id=viewer.person_id, now=_now()
            )
    if code:
        await _check_code(update, context, viewer, code)
        return ConversationHandler.END
    if not open_now:
        await reply(update, texts.CHECKIN_NO_OPEN)
        return ConversationHandler.END
    tz = context.bot_data.settings.tz
    lines = [texts.CHECKIN_OPEN_HEADING, *(texts.open_activity_line(a, tz) for a in open_now)]
    await reply(update, "\n".join([*lines, "", texts.CHECKIN_USAGE]))
    return WAIT_CODE


async def got_code(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    code = "".join((update.effective_message.text or "").split())
    if not service.CODE_PATTERN.fullmatch(code):
        await reply(update, texts.CHECKIN_BAD_CODE_FORMAT)
        return WAIT_CODE
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.USE_BOT)
    if viewer is not None:
        await _check_code(update, context, viewer, code)
    return ConversationHandler.END


async def cancel_checkin(update: Update, context: GridContext) -> int:
    user_data(context).drop(PendingCheckin)
    await reply(update, texts.CHECKIN_STOPPED, ReplyKeyboardRemove())
    return ConversationHandler.END


@guarded(Capability.USE_BOT)
async def checkin_link(
    update: Update, context: GridContext, viewer: Viewer, _session: AsyncSession
) -> None:
    """/start ci_<token>: the check-in link of an activity (its QR hangs in the room)."""
    payload = context.args[0] if context.args else ""
    token = payload.removeprefix(service.LINK_PREFIX)
    async with transaction(context.bot_data.sessions) as session:
        result = await service.check_in_by_link(
            session=session, person_id=viewer.person_id, token=token, now=_now()
        )
    log.info("check-in by link, person %s: %s", viewer.person_id, result.outcome)
    await _answer_checkin(update, context, result, CheckinMethod.LINK)


@guarded(Capability.USE_BOT)
async def checkin_location(
    update: Update, context: GridContext, viewer: Viewer, _session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    pending = user_data(context).get(PendingCheckin)
    if not isinstance(pending, PendingCheckin):
        await reply(update, texts.CHECKIN_NO_PENDING, ReplyKeyboardRemove())
        return
    if pending.expires_at < _now():
        user_data(context).drop(PendingCheckin)
        await reply(update, texts.CHECKIN_PENDING_EXPIRED, ReplyKeyboardRemove())
        return
    async with transaction(context.bot_data.sessions) as session:
        result = await service.check_in_at_location(
            session=session,
            person_id=viewer.person_id,
            activity_id=pending.activity_id,
            method=pending.method,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
            now=_now(),
            default_radius_m=context.bot_data.settings.checkin_radius_m,
        )
    log.info("check-in at location, person %s: %s", viewer.person_id, result.outcome)
    await _answer_checkin(update, context, result, CheckinMethod.LOCATION)


async def stop_location_checkin(update: Update, context: GridContext) -> None:
    user_data(context).drop(PendingCheckin)
    await reply(update, texts.CHECKIN_STOPPED, ReplyKeyboardRemove())


# --- /activities and the organiser's panel ----------------------------------------------------


def _button_label(activity: Activity, tz: ZoneInfo) -> str:
    title = activity.title if len(activity.title) <= 20 else activity.title[:19] + "…"
    return f"{month_day(activity.starts_at, tz)} {activity.kind.value}：{title}"


@guarded(Capability.USE_BOT)
async def activities_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    tz = context.bot_data.settings.tz
    listing = await service.list_activities(session=session, viewer=viewer, now=_now())
    if not listing.managed and not listing.joined:
        await reply(update, texts.ACTS_NONE)
        return
    if listing.joined:
        lines = [texts.ACTS_HEADING_JOINED]
        for joined in listing.joined:
            row = joined.attendance
            if row is None:
                state = texts.ACTS_NOT_CHECKED_IN
            elif row.status == AttendanceStatus.CHECKED_IN:
                assert row.checked_in_at is not None
                state = f"{texts.ACTS_CHECKED_IN} {clock(row.checked_in_at, tz)}"
            else:
                state = texts.ACTS_ON_LEAVE
            lines.append(f"{texts.open_activity_line(joined.activity, tz)}（{state}）")
        await reply(update, "\n".join(lines))
    if listing.managed:
        buttons = [
            [InlineKeyboardButton(_button_label(a, tz), callback_data=f"act:p:{a.id}")]
            for a in listing.managed
        ]
        await reply(update, texts.ACTS_HEADING_MANAGED, InlineKeyboardMarkup(buttons))


def render_panel(panel: service.Panel, *, tz: ZoneInfo, period_s: int, radius_m: int) -> str:
    activity = panel.activity
    located = service.has_location(activity)
    place = esc(activity.place)
    if located:
        place += f"（签到需在 {activity.radius_m or radius_m} 米范围内）"
    lines = [
        f"<b>{texts.activity_name(activity)}</b>",
        f"时间：{texts.activity_when(activity, tz)}",
        f"地点：{place}",
        f"网格：{esc('、'.join(g.name for g in panel.grids))}",
        "",
    ]
    if panel.code is not None:
        lines.append(
            texts.PANEL_CODE.format(
                code=panel.code.code,
                until=panel.code.valid_until.astimezone(tz).strftime("%H:%M:%S"),
                seconds=period_s,
            )
        )
        lines.append(texts.PANEL_CODE_HINT.format(code=panel.code.code))
    elif activity.cancelled_at is not None:
        lines.append(texts.PANEL_NO_CODE_CANCELLED)
    else:
        lines.append(texts.PANEL_NO_CODE_ENDED)
    checked = [li for li in panel.lines if li.status == AttendanceStatus.CHECKED_IN]
    leave = [li for li in panel.lines if li.status == AttendanceStatus.LEAVE]
    absent = panel.absent
    lines += [
        "",
        texts.PANEL_ATTENDANCE.format(checked=len(checked), leave=len(leave), absent=len(absent)),
    ]
    if not panel.lines:
        lines.append(texts.PANEL_NOBODY)
    if checked:
        lines.append(f"{texts.PANEL_CHECKED_IN}：")
        for line in checked:
            at = clock(line.at, tz) if line.at else ""
            method = line.method.value if line.method else ""
            lines.append(f"• {esc(line.name)} {at} {method}")
    if leave:
        lines.append(f"{texts.PANEL_LEAVE}：")
        lines += [f"• {esc(li.name)}：{esc(li.reason or '')}" for li in leave]
    if absent:
        lines.append(f"{texts.PANEL_ABSENT}：")
        lines += [f"• {esc(li.name)}" for li in absent]
    if panel.reminded:
        lines += ["", texts.PANEL_REMINDED]
    return "\n".join(lines)


def panel_keyboard(panel: service.Panel) -> InlineKeyboardMarkup:
    activity_id = panel.activity.id
    rows: list[list[InlineKeyboardButton]] = []
    if panel.code is not None:
        rows.append(
            [
                InlineKeyboardButton(texts.PANEL_REFRESH, callback_data=f"act:r:{activity_id}"),
                InlineKeyboardButton(texts.PANEL_QR, callback_data=f"act:q:{activity_id}"),
            ]
        )
    if panel.activity.cancelled_at is None:
        row = [InlineKeyboardButton(texts.PANEL_LEAVE_BUTTON, callback_data=f"act:l:{activity_id}")]
        if panel.ended and not panel.reminded and panel.absent:
            row.append(
                InlineKeyboardButton(texts.PANEL_REMIND, callback_data=f"act:m:{activity_id}")
            )
        rows.append(row)
    return InlineKeyboardMarkup(rows)


async def _panel(
    context: GridContext, session: AsyncSession, viewer: Viewer, activity_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    settings = context.bot_data.settings
    found = await service.panel(
        session=session,
        viewer=viewer,
        activity_id=activity_id,
        now=_now(),
        period_s=settings.checkin_code_seconds,
    )
    if found is None:
        return None
    text = render_panel(
        found,
        tz=settings.tz,
        period_s=settings.checkin_code_seconds,
        radius_m=settings.checkin_radius_m,
    )
    return text, panel_keyboard(found)


@guarded(Capability.VIEW_GRIDS)
async def panel_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = PANEL_CALLBACK.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    action, activity_id = match.group(1), int(match.group(2))
    found = await service.managed_activity(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        await refuse(update, texts.PANEL_FORBIDDEN)
        return
    activity, _grids = found
    if action == "q":
        link = service.checkin_link(context.bot_data.bot_username, activity)
        png = service.qr_png(link)
        await query.answer()
        assert update.effective_message is not None
        await update.effective_message.reply_photo(
            png,
            caption=texts.PANEL_QR_CAPTION.format(name=texts.activity_name(activity), link=link),
            parse_mode="HTML",
        )
        return
    if action == "l":
        await _offer_leave(update, context, viewer, session, activity_id)
        return
    if action == "m":
        await session.close()
        await _remind(update, context, viewer, activity_id)
        return
    screen = await _panel(context, session, viewer, activity_id)
    assert screen is not None
    await query.answer()
    text, markup = screen
    assert update.effective_message is not None
    if action == "p":
        await update.effective_message.reply_html(text, reply_markup=markup)
        return
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as error:
        # Pressed twice within one code period: nothing changed.
        if "not modified" not in str(error).lower():
            raise


async def _remind(update: Update, context: GridContext, viewer: Viewer, activity_id: int) -> None:
    query = update.callback_query
    assert query is not None
    async with transaction(context.bot_data.sessions) as session:
        result = await service.remind_absentees(
            session=session,
            viewer=viewer,
            activity_id=activity_id,
            now=_now(),
            tz=context.bot_data.settings.tz,
        )
    if result.outcome == service.RemindOutcome.QUEUED:
        context.bot_data.outbox.wake()
        text = texts.PANEL_REMIND_QUEUED.format(queued=result.queued)
        if result.absent > result.queued:
            text += texts.PANEL_REMIND_UNBOUND.format(count=result.absent - result.queued)
    else:
        text = {
            service.RemindOutcome.ALREADY: texts.PANEL_REMIND_ALREADY,
            service.RemindOutcome.NOT_ENDED: texts.PANEL_REMIND_NOT_ENDED,
            service.RemindOutcome.NOBODY: texts.PANEL_REMIND_NOBODY,
            service.RemindOutcome.FORBIDDEN: texts.PANEL_FORBIDDEN,
        }[result.outcome]
    await query.answer(text[:200], show_alert=True)
    if result.outcome == service.RemindOutcome.QUEUED:
        async with context.bot_data.sessions() as session:
            screen = await _panel(context, session, viewer, activity_id)
        if screen is not None:
            await query.edit_message_text(screen[0], parse_mode="HTML", reply_markup=screen[1])


async def _offer_leave(
    update: Update,
    _context: GridContext,
    viewer: Viewer,
    session: AsyncSession,
    activity_id: int,
) -> None:
    query = update.callback_query
    assert query is not None
    candidates = await service.leave_candidates(
        session=session, viewer=viewer, activity_id=activity_id
    )
    await query.answer()
    if not candidates:
        await reply(update, texts.LEAVE_NOBODY)
        return
    rows = [
        [
            InlineKeyboardButton(
                line.name + (f"（{texts.PANEL_LEAVE}）" if line.status else ""),
                callback_data=f"act:lp:{activity_id}:{line.person_id}",
            )
        ]
        for line in candidates
    ]
    await reply(update, texts.LEAVE_CHOOSE, InlineKeyboardMarkup(rows))


@dataclass(frozen=True)
class PendingLeave:
    activity_id: int
    person_id: int
    name: str


async def chose_leave_person(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    match = LEAVE_PERSON.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return ConversationHandler.END
    activity_id, person_id = int(match.group(1)), int(match.group(2))
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.VIEW_GRIDS)
        if viewer is None:
            return ConversationHandler.END
        candidates = await service.leave_candidates(
            session=session, viewer=viewer, activity_id=activity_id
        )
    if candidates is None:
        await refuse(update, texts.PANEL_FORBIDDEN)
        return ConversationHandler.END
    line = next((c for c in candidates if c.person_id == person_id), None)
    if line is None:
        await refuse(update, texts.LEAVE_NOT_MEMBER)
        return ConversationHandler.END
    user_data(context).keep(PendingLeave(activity_id, person_id, line.name))
    await query.answer()
    await reply(update, texts.LEAVE_ASK_REASON.format(name=esc(line.name)))
    return REASON


async def got_leave_reason(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    pending = user_data(context).get(PendingLeave)
    if not isinstance(pending, PendingLeave):
        return ConversationHandler.END
    reason = service.clean_text(update.effective_message.text or "", service.REASON_MAX)
    if reason is None:
        await reply(update, texts.LEAVE_REASON_BAD)
        return REASON
    async with transaction(context.bot_data.sessions) as session:
        viewer = await conversation_viewer(update, context, session, Capability.VIEW_GRIDS)
        if viewer is None:
            return ConversationHandler.END
        result = await service.record_leave(
            session=session,
            viewer=viewer,
            activity_id=pending.activity_id,
            person_id=pending.person_id,
            reason=reason,
            now=_now(),
        )
    user_data(context).drop(PendingLeave)
    text = {
        service.LeaveOutcome.RECORDED: texts.LEAVE_RECORDED.format(
            name=esc(pending.name), reason=esc(reason)
        ),
        service.LeaveOutcome.CHECKED_IN: texts.LEAVE_CHECKED_IN,
        service.LeaveOutcome.NOT_MEMBER: texts.LEAVE_NOT_MEMBER,
        service.LeaveOutcome.FORBIDDEN: texts.PANEL_FORBIDDEN,
    }[result.outcome]
    await reply(update, text)
    return ConversationHandler.END


async def cancel_leave(update: Update, context: GridContext) -> int:
    user_data(context).drop(PendingLeave)
    await reply(update, texts.LEAVE_CANCELLED)
    return ConversationHandler.END


async def stale_new_button(update: Update, _context: GridContext) -> None:
    await refuse(update, shared_texts.STALE_BUTTON)


def register(app: GridApplication) -> None:
    private = PRIVATE
    text = PRIVATE_TEXT
    creation = conversation(
        entry_points=[CommandHandler("activity", new_activity, filters=private)],
        states={
            KIND: [CallbackQueryHandler(chose_kind, pattern=r"^actnew:k:")],
            TITLE: [MessageHandler(text, got_title)],
            WINDOW: [MessageHandler(text, got_window)],
            PLACE: [MessageHandler(text, got_place)],
            LOCATION: [
                MessageHandler(private & filters.LOCATION, got_location),
                CallbackQueryHandler(skipped_location, pattern=r"^actnew:skip$"),
                MessageHandler(text, location_or_skip),
            ],
            GRIDS: [
                CallbackQueryHandler(toggled_grid, pattern=r"^actnew:g:"),
                CallbackQueryHandler(grids_done, pattern=r"^actnew:done$"),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirmed, pattern=r"^actnew:ok$"),
                CallbackQueryHandler(NEW_ENDS.declined, pattern=r"^actnew:no$"),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", NEW_ENDS.cancelled, filters=private),
            MessageHandler(text, press_a_button),
        ],
        timeout=CONVERSATION_TIMEOUT,
        timed_out=NEW_ENDS.timed_out,
    )
    leave = conversation(
        entry_points=[CallbackQueryHandler(chose_leave_person, pattern=r"^act:lp:")],
        states={REASON: [MessageHandler(text, got_leave_reason)]},
        fallbacks=[CommandHandler("cancel", cancel_leave, filters=private)],
        timeout=CONVERSATION_TIMEOUT,
    )
    checkin = conversation(
        entry_points=[CommandHandler("checkin", checkin_command, filters=private)],
        states={WAIT_CODE: [MessageHandler(text, got_code)]},
        fallbacks=[CommandHandler("cancel", cancel_checkin, filters=private)],
        timeout=CONVERSATION_TIMEOUT,
    )
    # Conversations first: each takes only the replies of users inside it.
    app.add_handler(creation)
    app.add_handler(leave)
    app.add_handler(checkin)
    app.add_handler(CommandHandler("activities", activities_command, filters=private))
    # After the creation conversation, which takes an organiser's location for the activity.
    app.add_handler(
        MessageHandler(private & filters.LOCATION & filters.UpdateType.MESSAGE, checkin_location)
    )
    app.add_handler(
        MessageHandler(
            private & filters.Regex(f"^{re.escape(texts.CHECKIN_LOCATION_CANCEL)}$"),
            stop_location_checkin,
        )
    )
    app.add_handler(CallbackQueryHandler(panel_button, pattern=r"^act:[prqml]:"))
    # Buttons of a conversation that already ended (finished, cancelled or timed out).
    app.add_handler(CallbackQueryHandler(stale_new_button, pattern=r"^(?:actnew:|act:lp:)"))
