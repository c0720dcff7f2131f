"""Unanswered questions (SLA) as a duty on the reminder engine: the decisions stay with
`services.questions.sla.sla_reminders`; this class only puts them on the engine's clock."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings
from services.duties.base import Reminder
from services.questions.sla import SLA_DUTY, sla_reminders


class QuestionSlaDuty:
    """Remind a question's assignee after `question_remind_hours` working hours, escalate to
    the town after `question_escalate_hours` (settings)."""

    name = SLA_DUTY

    def __init__(self, *, settings: Settings) -> None:
        self.settings = settings

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        return await sla_reminders(session=session, at=at, settings=self.settings)
