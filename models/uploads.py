"""Query functions for roster files awaiting confirmation, and the roster's fingerprint."""

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import AdminUpload, Assignment, AuditEntry, Grid, Person, SurveyObject

# Audited changes that alter what a roster import would do.
ROSTER_ACTIONS = (
    "roster.import",
    "grids.partition",
    "person.handover",
    "person.deactivate",
    "binding.rebind",
)


async def roster_fingerprint(*, session: AsyncSession) -> str:
    """A short text that changes whenever the roster does: the size and newest row of each
    roster table, and the newest audited roster change (which covers updates in place)."""
    parts: list[str] = []
    for table in (Grid, Person, SurveyObject, Assignment):
        count, newest = (await session.exec(select(sa.func.count(), sa.func.max(table.id)))).one()
        parts.append(f"{count}/{newest or 0}")
    newest_change = (
        await session.exec(
            select(sa.func.max(AuditEntry.id)).where(col(AuditEntry.action).in_(ROSTER_ACTIONS))
        )
    ).one()
    parts.append(str(newest_change or 0))
    return ":".join(parts)


async def add_upload(*, session: AsyncSession, upload: AdminUpload) -> AdminUpload:
    session.add(upload)
    await session.flush()
    return upload


async def upload_by_id(
    *, session: AsyncSession, upload_id: int, for_update: bool = False
) -> AdminUpload | None:
    query = select(AdminUpload).where(AdminUpload.id == upload_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()
