"""/person (a person's card with [交接给新人]) and /handover (the successor, previewed with
[确认交接]), for admins (services.people)."""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.buttons import Keyboard, deep_link
from core.formatting import esc
from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from handlers.keyboards import markup
from models import people as queries
from models.enums import Role
from models.tables import Person
from services.access import Capability, CommandSpec, Viewer
from services.onboarding.phone import mask
from services.people import (
    Successor,
    confirm_keyboard,
    deactivate,
    deactivate_question,
    find_people,
    hand_over,
    may_manage,
    parse_handover,
    rebind_person,
    rebind_question,
    render_person,
    texts,
)
from services.people.buttons import DeactivateStart, HandoverConfirm, HandoverStart, RebindStart

ADMINS = frozenset({Role.ADMIN})
COMMANDS = (
    CommandSpec(
        "person",
        "查看人员",
        "按手机号或姓名查看人员的角色、企业、绑定情况和历史，可[交接给新人]。",
        Capability.VIEW_GRIDS,
        roles=ADMINS,
    ),
    CommandSpec(
        "handover",
        "人员交接",
        "把一个人的企业和角色交接给新人：/handover 人员编号 新人姓名 新人手机号。",
        Capability.VIEW_GRIDS,
        roles=ADMINS,
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def person_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if not may_manage(viewer):
        await message.reply_html(texts.NOT_ALLOWED)
        return
    query = " ".join(context.args or [])
    if not query:
        await message.reply_html(texts.USAGE)
        return
    found = await find_people(session=session, query=query)
    if not found:
        await message.reply_html(texts.NOT_FOUND.format(query=esc(query[:50])))
        return
    if len(found) > 1:
        lines = "\n".join(f"• {esc(p.name)}（{mask(p.mobile)}）" for p in found)
        await message.reply_html(texts.MANY.format(count=len(found), lines=lines))
        return
    text, keyboard = await render_person(session=session, person=found[0])
    await message.reply_html(text, reply_markup=markup(keyboard))


@guarded(Capability.VIEW_GRIDS)
async def handover_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, HandoverStart)
    if pressed is None:
        return
    if not may_manage(viewer):
        await refuse(update, texts.NOT_ALLOWED)
        return
    if await queries.person_by_id(session=session, person_id=pressed.person_id) is None:
        await refuse(update, texts.UNKNOWN)
        return
    await query.answer()
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id,
        texts.HANDOVER_ASK.format(person_id=pressed.person_id),
        parse_mode="HTML",
    )


@guarded(Capability.VIEW_GRIDS)
async def handover_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if not may_manage(viewer):
        await message.reply_html(texts.NOT_ALLOWED)
        return
    parsed = parse_handover(" ".join(context.args or []))
    if parsed is None:
        await message.reply_html(texts.HANDOVER_BAD)
        return
    person_id, successor = parsed
    old = await queries.person_by_id(session=session, person_id=person_id)
    if old is None or not old.active:
        await message.reply_html(texts.UNKNOWN)
        return
    await message.reply_html(
        texts.HANDOVER_PREVIEW.format(
            old=esc(old.name),
            old_mobile=mask(old.mobile),
            new=esc(successor.name),
            new_mobile=mask(successor.mobile),
        ),
        reply_markup=markup(confirm_keyboard(person_id, successor)),
    )


async def _ask_first(
    update: Update,
    context: GridContext,
    session: AsyncSession,
    person_id: int,
    question: Callable[[Person], tuple[str, Keyboard]],
) -> None:
    """A [重新绑定] / [停用] press: ask for its confirmation about the still active person."""
    assert update.effective_chat is not None
    assert update.callback_query is not None
    person = await queries.person_by_id(session=session, person_id=person_id)
    if person is None or not person.active:
        await refuse(update, texts.UNKNOWN)
        return
    text, keyboard = question(person)
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, text, parse_mode="HTML", reply_markup=markup(keyboard)
    )


async def _finish(update: Update, context: GridContext, session: AsyncSession, text: str) -> None:
    """A confirmed change done: committed, the buttons go, and `text` says what was done."""
    assert update.effective_chat is not None
    assert update.callback_query is not None
    await session.commit()
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")


async def _refused(update: Update, session: AsyncSession, text: str) -> None:
    """A confirmed change the service refused: nothing of it is kept, and `text` says why."""
    await session.rollback()
    await refuse(update, text)


def _with_link(context: GridContext, text: str, token: str) -> str:
    """The outcome with the personal invite link of whoever may now bind."""
    return f"{text}\n{esc(deep_link(context.bot.username, token))}"


@guarded(Capability.VIEW_GRIDS)
async def confirm_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    pressed = await parse_pressed(update, HandoverConfirm)
    if pressed is None:
        return
    if not may_manage(viewer):
        await refuse(update, texts.NOT_ALLOWED)
        return
    done = await hand_over(
        session=session,
        viewer=viewer,
        person_id=pressed.person_id,
        successor=Successor(pressed.name, pressed.mobile),
        ttl=context.bot_data.settings.invite_ttl,
        now=datetime.now(UTC),
    )
    if done.result is None:
        await _refused(update, session, done.text)
        return
    await _finish(
        update, context, session, _with_link(context, done.text, done.result.invite.token)
    )


@guarded(Capability.VIEW_GRIDS)
async def rebind_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    pressed = await parse_pressed(update, RebindStart)
    if pressed is None:
        return
    if not may_manage(viewer):
        await refuse(update, texts.NOT_ALLOWED)
        return
    if not pressed.confirm:
        await _ask_first(update, context, session, pressed.person_id, rebind_question)
        return
    done = await rebind_person(
        session=session,
        viewer=viewer,
        person_id=pressed.person_id,
        ttl=context.bot_data.settings.invite_ttl,
        now=datetime.now(UTC),
    )
    if done.result is None:
        await _refused(update, session, done.text)
        return
    await _finish(
        update, context, session, _with_link(context, done.text, done.result.invite.token)
    )


@guarded(Capability.VIEW_GRIDS)
async def deactivate_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    pressed = await parse_pressed(update, DeactivateStart)
    if pressed is None:
        return
    if not may_manage(viewer):
        await refuse(update, texts.NOT_ALLOWED)
        return
    if not pressed.confirm:
        await _ask_first(update, context, session, pressed.person_id, deactivate_question)
        return
    reply, done = await deactivate(
        session=session, viewer=viewer, person_id=pressed.person_id, now=datetime.now(UTC)
    )
    if not done:
        await _refused(update, session, reply)
        return
    await _finish(update, context, session, reply)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("person", person_command, filters=PRIVATE))
    app.add_handler(CommandHandler("handover", handover_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(handover_pressed, pattern=HandoverStart.pattern()))
    app.add_handler(CallbackQueryHandler(confirm_pressed, pattern=HandoverConfirm.pattern()))
    app.add_handler(CallbackQueryHandler(rebind_pressed, pattern=RebindStart.pattern()))
    app.add_handler(CallbackQueryHandler(deactivate_pressed, pattern=DeactivateStart.pattern()))
