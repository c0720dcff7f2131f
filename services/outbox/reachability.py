"""People who blocked the bot: what waits for them is skipped and their grid staff are told once;
when they unblock it, they are sent to again."""

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import grids, people
from models import outbox as queries
from models.enums import Role
from models.tables import Person
from services.access import mask_mobile
from services.outbox import enqueue_text, texts

log = logging.getLogger(__name__)

ALERT_KIND = "alert"
# Who hears that a person blocked the bot, in order: the first role with a reachable holder.
ALERT_ROLES = (Role.INSTRUCTOR, Role.GRID_DEPUTY)


async def record_unreachable(
    *,
    session: AsyncSession,
    chat_id: int,
    person_id: int | None,
    now: datetime,
    reason: str,
) -> int:
    """Telegram refused a message to `chat_id` (the user blocked the bot): skip what still waits
    for that chat, mark the person unreachable and, the first time only, tell the instructor of
    each of their grids (the 副网格长 when no instructor can be reached). Returns the number of
    alerts queued."""
    await queries.skip_pending(session=session, chat_id=chat_id, reason=queries.UNREACHABLE_REASON)
    if person_id is None:
        person = await people.person_by_telegram_id(session=session, telegram_user_id=chat_id)
        person_id = person.id if person is not None else None
    if person_id is None:
        return 0
    if not await people.mark_unreachable(
        session=session, person_id=person_id, now=now, reason=reason
    ):
        return 0
    return await _alert_grid_staff(session=session, person_id=person_id, now=now)


async def _alert_grid_staff(*, session: AsyncSession, person_id: int, now: datetime) -> int:
    person = await people.person_by_id(session=session, person_id=person_id)
    assert person is not None
    covering = await grids.grids_covering(session=session, person_id=person_id)
    staff = await grids.grid_staff(session=session, grid_ids=[g.id for g in covering if g.id])
    accounts = await people.live_telegram_ids(
        session=session,
        person_ids=[p.id for rows in staff.values() for _role, p in rows if p.id is not None],
    )
    told: set[int] = set()
    for rows in staff.values():
        for wanted in ALERT_ROLES:
            reachable = {
                member.id
                for role, member in rows
                if role == wanted
                and member.id is not None
                and member.id != person_id
                and member.id in accounts
                and member.unreachable_at is None
            }
            if reachable:
                told |= reachable
                break
    if not told:
        log.warning("person %s is unreachable and no grid staff can be told", person_id)
        return 0
    text = texts.UNREACHABLE_ALERT.format(
        who=await _describe(session=session, person=person, staff=staff),
        mobile=mask_mobile(person.mobile),
    )
    episode = int(now.timestamp())
    for recipient_id in sorted(told):
        await enqueue_text(
            session=session,
            chat_id=accounts[recipient_id],
            person_id=recipient_id,
            text=text,
            kind=ALERT_KIND,
            dedupe_key=f"unreachable:{person_id}:{episode}:{recipient_id}",
        )
    return len(told)


async def _describe(
    *, session: AsyncSession, person: Person, staff: dict[int, list[tuple[Role, Person]]]
) -> str:
    """`网格员 陈统计（企业A、企业B）`, or the person's staff roles before their name."""
    assert person.id is not None
    kept = (await people.enterprises_kept_by(session=session, person_ids=[person.id]))[person.id]
    name = esc(person.name)
    if kept:
        enterprises = "、".join(esc(survey_object.name) for survey_object, _t, _g in kept)
        return f"{Role.MEMBER.value} {name}（{enterprises}）"
    roles = dict.fromkeys(
        role.value for rows in staff.values() for role, p in rows if p.id == person.id
    )
    return f"{'、'.join(roles) or '人员'} {name}"


async def record_reachable(*, session: AsyncSession, telegram_user_id: int) -> bool:
    """The person bound to this Telegram account unblocked the bot: send to them again.
    Messages skipped meanwhile stay skipped. True if they had been unreachable."""
    person = await people.person_by_telegram_id(session=session, telegram_user_id=telegram_user_id)
    if person is None or person.id is None:
        return False
    return await people.mark_reachable(session=session, person_id=person.id)
