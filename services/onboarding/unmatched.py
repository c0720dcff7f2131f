"""The phone numbers people tried to bind with that the roster does not know: listed for town
staff and admins to check the roster against (never sent to them one by one)."""

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import audit as queries
from models.enums import CITY_ROLES, TOWN_ROLES, Role
from models.tables import PhoneAttempt
from services.access import Viewer
from services.onboarding import texts

# Staff who keep the roster right: the towns' leaders and the city's admins.
REVIEWER_ROLES = TOWN_ROLES | CITY_ROLES | {Role.INSTRUCTOR}
LOOKBACK = timedelta(days=30)
LISTED = 50


def may_review(viewer: Viewer) -> bool:
    return bool(viewer.roles & REVIEWER_ROLES)


async def recent_unmatched(
    *, session: AsyncSession, viewer: Viewer, now: datetime
) -> list[PhoneAttempt]:
    """The city sees every attempt; town staff those from their towns' posters and the plain
    /start's (which no town can be told from)."""
    towns = (
        None
        if viewer.is_city_wide
        else frozenset(p.town_id for p in viewer.posts if p.town_id is not None)
    )
    return await queries.unmatched_attempts(
        session=session, since=now - LOOKBACK, limit=LISTED, town_ids=towns
    )


def render_unmatched(
    attempts: Sequence[PhoneAttempt], tz: tzinfo, town_names: dict[int, str]
) -> str:
    if not attempts:
        return texts.UNMATCHED_NONE
    lines = [texts.UNMATCHED_HEADING.format(count=len(attempts)), ""]
    lines += [
        texts.UNMATCHED_LINE.format(
            at=a.at.astimezone(tz).strftime("%m-%d %H:%M"),
            mobile=esc(a.mobile),
            name=esc(a.telegram_name),
            town=esc(town_names.get(a.town_id, "")) if a.town_id is not None else "—",
        )
        for a in attempts
    ]
    lines += ["", texts.UNMATCHED_HINT]
    return "\n".join(lines)
