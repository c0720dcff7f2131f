"""The weekly 法治小贴士 (法治宣传): one tip from the knowledge base to every bound member who
has not turned it off in /settings.

Which day: the configured ISO weekday if it is a working day; otherwise the nearest working day
before it in the same ISO week; if the week has none before it, the first working day after it
in the same week; a week without any working day gets no tip. The tip never moves into another
week, so each week sends at most one and no week sends two.

Which tip: the week's number since 0001-01-01 modulo the number of tips, so `gridbot duties
preview` and the real send pick the same tip, and consecutive weeks walk through all tips.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.base import Tip
from models.preferences import law_tip_recipients
from services.duties import texts
from services.duties.base import Reminder
from services.duties.config import DutiesConfig
from services.workdays import is_workday

TIP_STEP = "tip"


def week_period(iso_year: int, iso_week: int) -> str:
    return f"{iso_year}-W{iso_week:02d}"


class LawTipDuty:
    """Every week at the configured weekday and time, the week's tip to every subscriber."""

    name = "law_tip"
    # The recipients' query leaves out those already claimed this week (engine.ExcludesClaimed).
    excludes_claimed = True

    def __init__(self, duties: DutiesConfig, *, tz: tzinfo, tips: Sequence[Tip]) -> None:
        if not tips:
            raise ValueError("the knowledge base has no tips")
        self._weekday = duties.law_tip.weekday
        self._send_time: time = duties.law_tip.send_time or duties.engine.send_time
        self._tz = tz
        self._tips = tuple(tips)

    def send_day(self, iso_year: int, iso_week: int) -> date | None:
        """The day the week's tip goes out, or None when the week has no working day."""
        nominal = date.fromisocalendar(iso_year, iso_week, self._weekday)
        before = [nominal - timedelta(days=n) for n in range(self._weekday)]
        after = [nominal + timedelta(days=n) for n in range(1, 8 - self._weekday)]
        return next((day for day in (*before, *after) if is_workday(day)), None)

    def tip_for_week(self, iso_year: int, iso_week: int) -> Tip:
        monday = date.fromisocalendar(iso_year, iso_week, 1)
        return self._tips[(monday.toordinal() // 7) % len(self._tips)]

    def render(self, tip: Tip) -> str:
        return texts.law_tip_message(tip=tip.text, basis="、".join(ref.label for ref in tip.refs))

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        iso = at.astimezone(self._tz).date().isocalendar()
        day = self.send_day(iso.year, iso.week)
        if day is None:
            return []
        due_at = datetime.combine(day, self._send_time, tzinfo=self._tz)
        if due_at > at:
            return []
        # Worth sending until the week is over; the next week has its own tip.
        next_monday = date.fromisocalendar(iso.year, iso.week, 1) + timedelta(days=7)
        deadline = datetime.combine(next_monday, time(), tzinfo=self._tz)
        text = self.render(self.tip_for_week(iso.year, iso.week))
        period = week_period(iso.year, iso.week)
        recipients = await law_tip_recipients(
            session=session, unclaimed_in=(self.name, period, TIP_STEP)
        )
        return [
            Reminder(
                duty=self.name,
                target=f"person:{person_id}",
                period=period,
                step=TIP_STEP,
                person_id=person_id,
                text=text,
                due_at=due_at,
                deadline=deadline,
            )
            for person_id in recipients
        ]
