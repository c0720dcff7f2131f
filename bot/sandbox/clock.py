"""Time travel: the duty clock (bot.clock) run at a chosen moment, so that the reminders and
digests due by then are sent now. Only the duty clock moves: everything else keeps real time,
and every reminder is still claimed once, so travelling back and forth sends nothing twice."""

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import run_in_thread
from core.formatting import cn_date
from handlers.context import GridApplication
from services.reports.monthly_duty import MonthlyReportDuty
from services.reports.periods import period_of, quarter_of, shift_period, shift_quarter
from services.reports.quarterly_activity import QuarterlyActivityDuty

STEP_NAMES = {"d-5": "月报提醒（截止前5天）", "d-1": "月报提醒（截止前1天）", "d0": "月报截止日"}


@dataclass(frozen=True)
class Travelled:
    at: datetime
    queued: int
    skipped: int


class DutyClock:
    """Where the sandbox's duty clock stands (kept in `state_file`), and travel."""

    def __init__(self, app: GridApplication, *, state_file: Path) -> None:
        self.app = app
        self.state_file = state_file
        self.at: datetime | None = None
        if state_file.is_file():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            if saved.get("at"):
                self.at = datetime.fromisoformat(saved["at"])

    def now(self) -> datetime:
        """The duty clock: the moment travelled to, or real time once it has caught up."""
        real = datetime.now(UTC)
        return self.at if self.at is not None and self.at > real else real

    async def travel(self, at: datetime) -> Travelled:
        """Run every duty at `at` and send what is due; the clock then stands there."""
        bot_data = self.app.bot_data
        report = await asyncio.to_thread(run_in_thread, bot_data.settings, bot_data.duties, at)
        if report.queued:
            bot_data.outbox.wake()
        self.at = at
        self.state_file.write_text(json.dumps({"at": at.isoformat()}), encoding="utf-8")
        return Travelled(at, len(report.queued), len(report.skipped))

    def presets(self) -> list[dict[str, str]]:
        """The next moments worth travelling to: the monthly report's reminders and digest
        (of the first period whose first reminder is still ahead of the clock)."""
        tz = self.app.bot_data.settings.tz
        now = self.now()
        found: list[dict[str, str]] = []
        for duty in self.app.bot_data.duties:
            if isinstance(duty, QuarterlyActivityDuty):
                found += self._quarter_presets(duty, now)
            if not isinstance(duty, MonthlyReportDuty):
                continue
            period = period_of(now, tz)
            plan = duty.schedule(period)
            if plan.reminders[0][1] <= now:
                plan = duty.schedule(shift_period(period, 1))
            for step, due_at in plan.reminders:
                day = cn_date(due_at.astimezone(tz).date())
                found.append(self._preset(f"{STEP_NAMES.get(step, step)} {day}", due_at))
            found.append(
                self._preset(
                    f"月报汇总 {cn_date(plan.digest_at.astimezone(tz).date())}", plan.digest_at
                )
            )
        found.append(self._preset("一天后", now + timedelta(days=1)))
        found.append(self._preset("一周后", now + timedelta(days=7)))
        return found

    def _quarter_presets(self, duty: QuarterlyActivityDuty, now: datetime) -> list[dict[str, str]]:
        """The quarter's activity escalation (before its end) and its summary, still ahead."""
        tz = self.app.bot_data.settings.tz
        quarter = quarter_of(now, tz)
        plan = duty.schedule(quarter)
        if plan.escalate_at <= now:
            plan = duty.schedule(shift_quarter(quarter, 1))
        return [
            self._preset(
                f"季度活动督促 {cn_date(plan.escalate_at.astimezone(tz).date())}", plan.escalate_at
            ),
            self._preset(
                f"季末活动汇总 {cn_date(plan.summary_at.astimezone(tz).date())}", plan.summary_at
            ),
        ]

    @staticmethod
    def _preset(label: str, at: datetime) -> dict[str, str]:
        # A few minutes past the due time, as a real tick would come.
        return {"label": label, "at": (at + timedelta(minutes=1)).isoformat()}

    def to_json(self) -> dict[str, object]:
        tz = self.app.bot_data.settings.tz
        now = self.now().astimezone(tz)
        return {
            "now": now.strftime("%Y-%m-%d %H:%M"),
            "travelled": self.at is not None and self.at > datetime.now(UTC),
            "presets": self.presets(),
        }
