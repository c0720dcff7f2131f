"""Periods the oversight figures are read for: a month "2026-11", a quarter "2026Q4" or a year
"2026", in local time."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo


class PeriodError(ValueError):
    """Not a month "2026-11", a quarter "2026Q4" or a year "2026" within the years we serve."""


# The grids began in 2022; the bound keeps a typo such as 0001 or 9999 from reaching date
# arithmetic (year 0 and 10000 do not exist) and the database.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# ASCII digits only: `\d` would also take other scripts' digits ("٢٠٢٦"). Full-width forms,
# as Chinese input methods type them ("２０２６－１１", "２０２６Ｑ４"), are folded by NFKC first.
_PERIOD = re.compile(r"^([0-9]{4})(?:-([0-9]{2})|[Qq]([1-4]))?$")


@dataclass(frozen=True)
class Period:
    """A month, quarter or calendar year in local time."""

    label: str
    year: int
    first_month: int
    last_month: int

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(f"{self.year}-{m:02d}" for m in range(self.first_month, self.last_month + 1))

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end_day(self) -> date:
        """The first day after the period."""
        if self.last_month == 12:
            return date(self.year + 1, 1, 1)
        return date(self.year, self.last_month + 1, 1)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        return (
            datetime.combine(self.first_day, time(), tzinfo=tz).astimezone(UTC),
            datetime.combine(self.end_day, time(), tzinfo=tz).astimezone(UTC),
        )


def parse_period(text: str) -> Period:
    match = _PERIOD.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise PeriodError(text)
    year = int(match[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(text)
    if match[2] is not None:
        month = int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(text)
        return Period(f"{year}-{month:02d}", year, month, month)
    if match[3] is not None:
        quarter = int(match[3])
        return Period(f"{year}Q{quarter}", year, 3 * quarter - 2, 3 * quarter)
    return Period(str(year), year, 1, 12)


def year_of(moment: datetime, tz: tzinfo) -> Period:
    return parse_period(f"{moment.astimezone(tz).year}")
