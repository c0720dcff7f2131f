"""/me: who I am in the grid, my enterprises and whom to contact."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from core.formatting import esc
from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from models.enums import GRID_STAFF_ROLES, GridLevel
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Post, Viewer
from services.profile import Profile, build_profile, texts

COMMANDS = (
    CommandSpec(
        "me",
        "我的信息：网格、角色、企业和联系人",
        "查看您所在的网格、担任的角色、负责统计的企业，以及网格长和网格指导员的联系方式。",
        Capability.USE_BOT,
    ),
)


def describe_post(post: Post) -> str:
    where = esc(post.grid_name)
    if post.role in GRID_STAFF_ROLES and post.level == GridLevel.TOWN:
        where += "（待分配网格）"
    return f"• {post.role.value} · {where}"


def render_posts(posts: tuple[Post, ...]) -> str:
    if not posts:
        return texts.NO_POSTS
    return "\n".join(describe_post(post) for post in posts)


def render_profile(profile: Profile) -> str:
    lines = [
        texts.ME_HEADING,
        f"姓名：{esc(profile.name)}",
        f"手机：{profile.masked_mobile}",
        "",
        texts.ROLES_HEADING,
        render_posts(profile.posts),
    ]
    if profile.enterprises:
        lines += ["", texts.ME_ENTERPRISES]
        for enterprise in profile.enterprises:
            where = enterprise.grid_name or f"{enterprise.town_name}{texts.NOT_PLACED}"
            lines.append(f"• {esc(enterprise.name)}（{esc(where)}）")
    if profile.grid_contacts:
        lines += ["", texts.ME_GRID_CONTACTS]
        for contacts in profile.grid_contacts:
            lines.append(f"<b>{esc(contacts.grid_name)}</b>")
            if not contacts.contacts:
                lines.append(f"  {shared_texts.NOBODY}")
            for contact in contacts.contacts:
                lines.append(f"  {contact.role.value}：{esc(contact.name)} {contact.mobile}")
    return "\n".join(lines)


@guarded(Capability.USE_BOT)
async def me(update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession) -> None:
    profile = await build_profile(session=session, viewer=viewer)
    assert update.effective_message is not None
    await update.effective_message.reply_html(render_profile(profile))


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("me", me, filters=filters.ChatType.PRIVATE))
