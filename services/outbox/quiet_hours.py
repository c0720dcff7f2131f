"""The nightly window in which the bot starts no conversation."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class QuietHours:
    """No bot-initiated message between `start` and `end` local time (e.g. 21:00–08:00, across
    midnight); the outbox worker holds queued messages until the window ends. `start == end`
    means no quiet hours."""

    start: time
    end: time
    tz: tzinfo

    def resumes_at(self, now: datetime) -> datetime | None:
        """The end of the quiet window `now` falls in (aware, UTC), or None outside it."""
        if self.start == self.end:
            return None
        local = now.astimezone(self.tz)
        moment = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= moment < self.end
            end_day = local.date()
        else:
            inside = moment >= self.start or moment < self.end
            end_day = local.date() + timedelta(days=1) if moment >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(end_day, self.end, tzinfo=self.tz).astimezone(now.tzinfo)
