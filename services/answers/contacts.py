"""Whom to call when the bot cannot answer and no question can be filed in the chat."""

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from services.access import Viewer
from services.answers import texts
from services.profile import build_profile


async def handoff_contacts(*, session: AsyncSession, viewer: Viewer) -> str:
    """The member's grid contacts, those on Telegram linked to a private chat."""
    profile = await build_profile(session=session, viewer=viewer)
    lines = [texts.HANDOFF_HEADING]
    for grid in profile.grid_contacts:
        for contact in grid.contacts:
            name = esc(contact.name)
            if contact.telegram_user_id is not None:
                name = f'<a href="tg://user?id={contact.telegram_user_id}">{name}</a>'
            lines.append(f"• {contact.role.value} {name} {contact.mobile}（{esc(grid.grid_name)}）")
    return "\n".join(lines) if len(lines) > 1 else texts.HANDOFF_NOBODY
