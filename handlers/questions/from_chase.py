"""A chase's [需要帮助]: /ask with the chased item filled in (enterprise, form, status, problem,
deadline -- built on the server from the item, never from the press), ready to submit to the
grid's instructor with [提交问题] or to be rewritten."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import guarded_step, parse_pressed, refuse
from handlers.context import GridContext
from handlers.conversation import reply
from handlers.keyboards import markup
from handlers.limits import over_limit
from handlers.questions.states import DECIDING, END, draft, drop_draft
from services.access import Capability, Viewer
from services.chase import texts as chase_texts
from services.chase.buttons import ChaseHelp
from services.chase.receipts import REFUSALS, help_question
from services.limits import Action
from services.questions import texts
from services.questions.rules import may_file
from services.questions.suggestions import render_prefilled


@guarded_step(Capability.USE_BOT)
async def chase_help(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    pressed = await parse_pressed(update, ChaseHelp)
    if pressed is None:
        return END
    refused, question = await help_question(
        session=session, item_id=pressed.item_id, viewer=viewer, tz=context.bot_data.settings.tz
    )
    if refused is not None:
        await refuse(update, REFUSALS.get(refused, chase_texts.ITEM_UNKNOWN))
        return END
    query = update.callback_query
    assert query is not None
    await query.answer()
    drop_draft(context)
    if not may_file(viewer):
        await reply(update, texts.ASK_NOT_IN_GRID)
        return END
    if await over_limit(
        update, context, viewer, session, Action.QUESTION, answered=True, count=False
    ):
        return END
    draft(context).text = question
    shown, buttons = render_prefilled(question)
    await reply(update, shown, markup(buttons))
    return DECIDING
