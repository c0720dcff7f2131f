"""What a person's profile shows: posts, enterprises and the contacts of their grids."""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from models import grids, people
from models.enums import GridLevel, Role
from services.access import Post, Viewer, dial_mobile, mask_mobile

# The people a member most needs to reach in their grid, in the order shown.
CONTACT_ROLES = (Role.GRID_HEAD, Role.INSTRUCTOR, Role.GRID_DEPUTY)


@dataclass(frozen=True)
class Contact:
    """One of the member's own grid staff: their number in full (tap to call), because
    reaching them is the point of the grid."""

    role: Role
    name: str
    mobile: str
    # Lets the bot link the name to a private chat; None while the person is unbound.
    telegram_user_id: int | None


@dataclass(frozen=True)
class GridContacts:
    grid_name: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class KeptEnterprise:
    name: str
    # The level-3 grid's name, or None while the object awaits placement.
    grid_name: str | None
    town_name: str


@dataclass(frozen=True)
class Profile:
    name: str
    masked_mobile: str
    posts: tuple[Post, ...]
    enterprises: tuple[KeptEnterprise, ...]
    grid_contacts: tuple[GridContacts, ...]


async def build_profile(*, session: AsyncSession, viewer: Viewer) -> Profile:
    person = await people.person_by_id(session=session, person_id=viewer.person_id)
    assert person is not None
    kept = (await people.enterprises_kept_by(session=session, person_ids=[viewer.person_id]))[
        viewer.person_id
    ]
    level3 = [p for p in viewer.posts if p.level == GridLevel.GRID]
    # One entry per level-3 grid, in the order the posts list them.
    grid_names = {p.grid_id: p.grid_name for p in level3}
    staff = await grids.grid_staff(session=session, grid_ids=list(grid_names))
    accounts = await people.live_telegram_ids(
        session=session,
        person_ids=[p.id for rows in staff.values() for _role, p in rows if p.id is not None],
    )
    contacts = tuple(
        GridContacts(
            grid_name=name,
            contacts=tuple(
                Contact(
                    role=role,
                    name=member.name,
                    mobile=dial_mobile(member.mobile),
                    telegram_user_id=accounts.get(member.id or 0),
                )
                for wanted in CONTACT_ROLES
                for role, member in staff.get(grid_id, [])
                if role == wanted and member.id != viewer.person_id
            ),
        )
        for grid_id, name in grid_names.items()
    )
    return Profile(
        name=person.name,
        masked_mobile=mask_mobile(person.mobile),
        posts=viewer.posts,
        enterprises=tuple(
            KeptEnterprise(
                name=obj.name,
                grid_name=grid.name if grid is not None else None,
                town_name=town.name,
            )
            for obj, town, grid in kept
        ),
        grid_contacts=contacts,
    )
