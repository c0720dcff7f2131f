"""/todo: the user's open items across features, in one message."""

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from core.formatting import esc, fit_lines
from handlers.access import guarded
from handlers.context import BotData, GridApplication, GridContext
from models.tables import utcnow
from services.access import Capability, CommandSpec, Viewer
from services.activities import todo as activity_todo
from services.duties import education
from services.notices import todo as notice_todo
from services.questions.todo import todo_items as question_todo_items
from services.reports import todo as reports_todo
from services.todo import TodoItem, TodoSource, collect, texts


def sources(bot_data: BotData) -> tuple[TodoSource, ...]:
    """The features of /todo, in the order their sections are listed, each given the time
    zone and configuration it needs."""
    tz, duties = bot_data.settings.tz, bot_data.duties_config
    return (
        partial(notice_todo.todo_items, tz=tz),
        partial(activity_todo.todo_items, tz=tz),
        question_todo_items,
        partial(reports_todo.todo_items, config=duties, tz=tz),
        partial(education.todo_items, config=duties.education, tz=tz),
    )


COMMANDS = (
    CommandSpec(
        "todo",
        "我的待办",
        "查看待确认的通知、即将开始或正在进行的活动、您的提问（指导员：待您回复的问题）。",
        Capability.USE_BOT,
    ),
)


def render_todo(items: list[TodoItem]) -> str:
    if not items:
        return f"{texts.TODO_HEADING}\n\n{texts.TODO_EMPTY}"
    lines: list[str] = []
    section = None
    for item in items:
        if item.section != section:
            section = item.section
            lines += ["", f"<b>{esc(section)}</b>"]
        lines.append(f"• {item.text}")
    # Many open items (an instructor's questions) are cut where the message is full.
    text, _shown = fit_lines(
        lines, head=texts.TODO_HEADING, more=lambda left: texts.TODO_MORE.format(count=left)
    )
    return text


@guarded(Capability.USE_BOT)
async def todo(update: Update, context: GridContext, viewer: Viewer, session: AsyncSession) -> None:
    assert update.effective_message is not None
    items = await collect(
        session=session, viewer=viewer, now=utcnow(), sources=sources(context.bot_data)
    )
    await update.effective_message.reply_html(render_todo(items), disable_web_page_preview=True)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("todo", todo, filters=filters.ChatType.PRIVATE))
