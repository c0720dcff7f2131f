"""Unconfirmed notices as a duty on the reminder engine: the decisions stay with
`services.notices.unread_reminders`; this class only puts them on the engine's clock."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings
from services.duties.base import Reminder
from services.notices import reminders as notices


class NoticeUnreadDuty:
    """Remind each recipient who has not confirmed a notice `notice_auto_remind_hours` after
    it was sent, once (settings)."""

    name = notices.REMIND_DUTY
    # The unconfirmed copies' query leaves out claimed ones (engine.ExcludesClaimed).
    excludes_claimed = True

    def __init__(self, *, settings: Settings) -> None:
        self.settings = settings

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        return await notices.unread_reminders(session=session, at=at, settings=self.settings)

    async def record_queued(
        self, *, session: AsyncSession, reminders: Sequence[Reminder], now: datetime
    ) -> None:
        await notices.record_auto_reminded(session=session, reminders=reminders, now=now)
