"""Query functions for personal settings (/settings) and who receives the weekly law tip."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.duties import person_target, unclaimed
from models.tables import Person, PersonPreference, TelegramBinding


async def _execute(session: AsyncSession, statement: sa.Executable, params: Any = None) -> Any:
    # Column selects and upserts run on the session's connection (same transaction): sqlmodel's
    # session.execute is deprecated and its typed select() stops at four columns.
    await session.flush()
    connection = await session.connection()
    return await connection.execute(statement, params)


async def law_tip_opt_out(*, session: AsyncSession, person_id: int) -> bool:
    statement = sa.select(col(PersonPreference.law_tip_opt_out)).where(
        col(PersonPreference.person_id) == person_id
    )
    return bool((await _execute(session, statement)).scalar())


async def set_law_tip_opt_out(
    *, session: AsyncSession, person_id: int, opt_out: bool, now: datetime
) -> None:
    """Create or update the person's preference row; the caller commits."""
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(PersonPreference).values(
        person_id=person_id, law_tip_opt_out=opt_out, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[col(PersonPreference.person_id)],
        set_={"law_tip_opt_out": opt_out, "updated_at": now},
    )
    await _execute(session, statement)


async def law_tip_recipients(
    *, session: AsyncSession, unclaimed_in: tuple[str, str, str] | None = None
) -> list[int]:
    """Active people with a live Telegram binding who have not opted out, by id. With
    `unclaimed_in` = (duty, period, step): only those whose reminder "person:<id>" of that
    duty, period and step is not claimed yet."""
    statement = (
        sa.select(col(Person.id))
        .join(
            TelegramBinding,
            sa.and_(
                col(TelegramBinding.person_id) == col(Person.id),
                col(TelegramBinding.ended_at).is_(None),
            ),
        )
        .outerjoin(PersonPreference, col(PersonPreference.person_id) == col(Person.id))
        .where(
            col(Person.active),
            sa.or_(
                col(PersonPreference.id).is_(None), sa.not_(col(PersonPreference.law_tip_opt_out))
            ),
        )
        .order_by(col(Person.id))
    )
    if unclaimed_in is not None:
        duty, period, step = unclaimed_in
        statement = statement.where(
            unclaimed(duty=duty, period=period, step=step, target=person_target(col(Person.id)))
        )
    return list((await _execute(session, statement)).scalars().all())
