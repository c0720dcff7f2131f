"""Query functions for people: Telegram bindings, invitations and the posts a person holds."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Role
from models.tables import (
    Assignment,
    Grid,
    Invite,
    Person,
    SurveyObject,
    TelegramBinding,
    still_on_grid,
)


async def person_by_telegram_id(*, session: AsyncSession, telegram_user_id: int) -> Person | None:
    """The active person whose live binding is this Telegram account."""
    result = await session.exec(
        select(Person)
        .join(TelegramBinding, col(TelegramBinding.person_id) == col(Person.id))
        .where(
            TelegramBinding.telegram_user_id == telegram_user_id,
            col(TelegramBinding.ended_at).is_(None),
            col(Person.active).is_(True),
        )
    )
    return result.first()


async def person_by_mobile(*, session: AsyncSession, mobile: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.mobile == mobile))).first()


async def person_by_id(*, session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def live_binding(*, session: AsyncSession, person_id: int) -> TelegramBinding | None:
    result = await session.exec(
        select(TelegramBinding).where(
            TelegramBinding.person_id == person_id, col(TelegramBinding.ended_at).is_(None)
        )
    )
    return result.first()


async def live_binding_for_account(
    *, session: AsyncSession, telegram_user_id: int
) -> TelegramBinding | None:
    result = await session.exec(
        select(TelegramBinding).where(
            TelegramBinding.telegram_user_id == telegram_user_id,
            col(TelegramBinding.ended_at).is_(None),
        )
    )
    return result.first()


async def live_telegram_ids(*, session: AsyncSession, person_ids: Sequence[int]) -> dict[int, int]:
    """Person id -> the Telegram account bound to them now (unbound people are left out)."""
    if not person_ids:
        return {}
    result = await session.exec(
        select(TelegramBinding.person_id, TelegramBinding.telegram_user_id).where(
            col(TelegramBinding.person_id).in_(person_ids), col(TelegramBinding.ended_at).is_(None)
        )
    )
    return dict(result.all())


async def end_binding(*, session: AsyncSession, person_id: int, now: datetime) -> int | None:
    """End the person's live binding; returns the Telegram account that was bound, if any."""
    binding = await live_binding(session=session, person_id=person_id)
    if binding is None:
        return None
    binding.ended_at = now
    session.add(binding)
    await session.flush()
    return binding.telegram_user_id


async def invite_by_hash(*, session: AsyncSession, token_hash: str) -> Invite | None:
    result = await session.exec(
        select(Invite).where(Invite.token_hash == token_hash).with_for_update()
    )
    return result.first()


async def revoke_open_invites(
    *, session: AsyncSession, person_ids: Sequence[int], now: datetime
) -> None:
    """Revoke every unused, unrevoked invite of these people (a new link replaces the old)."""
    if not person_ids:
        return
    await session.exec(
        sa.update(Invite)
        .where(
            col(Invite.person_id).in_(person_ids),
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


async def people_for_invites(*, session: AsyncSession, include_bound: bool) -> list[Person]:
    """Active people ordered by name; bound people only when asked for."""
    query = select(Person).where(col(Person.active).is_(True))
    if not include_bound:
        bound = select(TelegramBinding.person_id).where(col(TelegramBinding.ended_at).is_(None))
        query = query.where(col(Person.id).not_in(bound))
    result = await session.exec(query.order_by(col(Person.name), col(Person.mobile)))
    return list(result.all())


async def people_by_ids(*, session: AsyncSession, person_ids: Sequence[int]) -> list[Person]:
    if not person_ids:
        return []
    result = await session.exec(select(Person).where(col(Person.id).in_(person_ids)))
    return list(result.all())


StaffPost = tuple[Role, Grid, Grid | None]


async def staff_posts(
    *, session: AsyncSession, person_ids: Sequence[int]
) -> dict[int, list[StaffPost]]:
    """Live staff assignments of each person: (role, grid, the grid's parent)."""
    parent = aliased(Grid)
    result = await session.exec(
        select(Assignment.person_id, Assignment.role, Grid, parent)
        .join(Grid, col(Grid.id) == col(Assignment.grid_id))
        .join(parent, col(parent.id) == col(Grid.parent_id), isouter=True)
        .where(col(Assignment.person_id).in_(person_ids), col(Assignment.ended_at).is_(None))
        .order_by(col(Grid.level), col(Grid.name))
    )
    posts: dict[int, list[StaffPost]] = {pid: [] for pid in person_ids}
    for person_id, role, grid, grid_parent in result.all():
        posts[person_id].append((Role(role), grid, grid_parent))
    return posts


EnterprisePost = tuple[SurveyObject, Grid, Grid | None]


async def enterprises_kept_by(
    *, session: AsyncSession, person_ids: Sequence[int]
) -> dict[int, list[EnterprisePost]]:
    """Survey objects each person keeps statistics for: (object, its town, its grid if placed)."""
    town = aliased(Grid)
    grid = aliased(Grid)
    result = await session.exec(
        select(SurveyObject, town, grid)
        .join(town, col(town.id) == col(SurveyObject.town_id))
        .join(grid, col(grid.id) == col(SurveyObject.grid_id), isouter=True)
        .where(col(SurveyObject.statistician_id).in_(person_ids), still_on_grid())
        .order_by(col(SurveyObject.name))
    )
    kept: dict[int, list[EnterprisePost]] = {pid: [] for pid in person_ids}
    for survey_object, town_grid, level3 in result.all():
        assert survey_object.statistician_id is not None
        kept[survey_object.statistician_id].append((survey_object, town_grid, level3))
    return kept


async def live_assignments(*, session: AsyncSession, person_id: int) -> list[Assignment]:
    result = await session.exec(
        select(Assignment).where(
            Assignment.person_id == person_id, col(Assignment.ended_at).is_(None)
        )
    )
    return list(result.all())


async def reassign_enterprises(
    *, session: AsyncSession, from_person_id: int, to_person_id: int
) -> int:
    """Hand every survey object kept by one person to another; returns how many moved."""
    result = await session.exec(
        sa.update(SurveyObject)
        .where(col(SurveyObject.statistician_id) == from_person_id)
        .values(statistician_id=to_person_id)
    )
    return int(result.rowcount)


async def mark_unreachable(
    *, session: AsyncSession, person_id: int, now: datetime, reason: str
) -> bool:
    """Flag the person as unreachable on Telegram; True only for the call that changed it, so
    whoever must be told is told once however many messages bounce."""
    result = await session.exec(
        sa.update(Person)
        .where(col(Person.id) == person_id, col(Person.unreachable_at).is_(None))
        .values(unreachable_at=now, unreachable_reason=reason[:200])
    )
    return bool(result.rowcount)


async def mark_reachable(*, session: AsyncSession, person_id: int) -> bool:
    """Clear the unreachable flag (the person unblocked the bot); True if it was set."""
    result = await session.exec(
        sa.update(Person)
        .where(col(Person.id) == person_id, col(Person.unreachable_at).is_not(None))
        .values(unreachable_at=None, unreachable_reason=None)
    )
    return bool(result.rowcount)


async def people_named(*, session: AsyncSession, name: str, limit: int) -> list[Person]:
    result = await session.exec(
        select(Person).where(Person.name == name).order_by(col(Person.id)).limit(limit)
    )
    return list(result.all())


async def history_counts(*, session: AsyncSession, person_id: int) -> tuple[int, int]:
    """(ended posts, ended Telegram bindings) of a person: what stays as history."""
    posts = await session.exec(
        select(sa.func.count())
        .select_from(Assignment)
        .where(Assignment.person_id == person_id, col(Assignment.ended_at).is_not(None))
    )
    bindings = await session.exec(
        select(sa.func.count())
        .select_from(TelegramBinding)
        .where(TelegramBinding.person_id == person_id, col(TelegramBinding.ended_at).is_not(None))
    )
    return posts.one(), bindings.one()
