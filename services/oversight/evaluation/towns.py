"""The towns' required duty in the annual evaluation: the 二级网格长 hears the level-3 网格长s
every month (policy: 每月听取三级网格长情况汇报应不少于1次). A month is due once its hearing
day has passed, and only from the month the town is judged for (services/coverage.py); a
month heard is one whose [已听取汇报] was confirmed inside its hearing window -- the same
definition as the scorecards' (services/oversight/scorecard.py). A due month not heard scores
zero: the town's score is heard / due × 100. Grids, not towns, receive the rewards, so this
is reported beside the grids' results, not paid."""

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models.reports import towns_by_ids
from models.scorecards.duties import hearing_counts
from services.coverage import load_coverage
from services.duties.config import DutiesConfig
from services.oversight.periods import parse_period
from services.oversight.scorecard import due_months, hearing_windows, judged_months


@dataclass(frozen=True)
class TownHearings:
    town_id: int
    town_name: str
    # Months due ("YYYY-MM") and those not heard in time.
    due: tuple[str, ...]
    missed: tuple[str, ...]
    # Set when the town is judged only from this day of the year on.
    judged_from: date | None = None

    @property
    def heard(self) -> int:
        return len(self.due) - len(self.missed)

    @property
    def score(self) -> float | None:
        """heard / due × 100, two decimals; None when no month is due yet."""
        return round(self.heard / len(self.due) * 100, 2) if self.due else None

    def explanation(self) -> str:
        if not self.due:
            return "尚无已到期的听取汇报月份"
        text = f"应听取 {len(self.due)} 个月，按时确认 {self.heard} 个月"
        if self.missed:
            text += (
                "；未听取：" + "、".join(f"{int(m[5:])}月" for m in self.missed) + "（各计 0 分）"
            )
        if self.judged_from is not None:
            day = self.judged_from
            text += f"；{day.year}年{day.month}月{day.day}日起纳入考核，此前的月份不计"
        return text


async def town_hearings(
    *,
    session: AsyncSession,
    year: int,
    duties: DutiesConfig,
    tz: tzinfo,
    as_of: datetime | None = None,
) -> list[TownHearings]:
    """Every town's hearings of `year` due by `as_of` (default: the whole year's), by name."""
    period = parse_period(str(year))
    now = as_of or datetime(year + 2, 1, 1, tzinfo=tz)
    _reports, hearing_months = due_months(period, now=now, duties=duties, tz=tz)
    windows = hearing_windows(hearing_months, duties=duties, tz=tz)
    heard: dict[str, dict[int, int]] = {}
    for month, window in windows.items():
        heard[month] = await hearing_counts(session=session, windows={month: window})
    coverage = await load_coverage(session=session)
    found = []
    for town in await towns_by_ids(session=session, town_ids=None):
        assert town.id is not None
        due = judged_months(hearing_months, coverage, town_id=town.id)
        since = coverage.town_from(town.id)
        found.append(
            TownHearings(
                town_id=town.id,
                town_name=town.name,
                due=tuple(due),
                missed=tuple(m for m in due if not heard[m].get(town.id)),
                judged_from=since if since is not None and since > period.first_day else None,
            )
        )
    return found
