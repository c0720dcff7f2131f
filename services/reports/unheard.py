"""The months a 二级网格长 has not confirmed hearing yet, where they can still do it: /duties
shows each with the digest's own buttons ([查看 网格名], [已听取汇报]). The same rule as the
digest: only months whose digest reached this person, within the hearing window."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard
from core.formatting import esc
from models.duties import claimed_periods
from models.enums import ReminderStatus, Role
from services.access import Viewer
from services.reports import texts
from services.reports.buttons import digest_keyboard
from services.reports.monthly_duty import DUTY, MonthlyReportDuty, digest_target
from services.reports.monthly_status import monthly_status


@dataclass(frozen=True)
class UnheardMonth:
    town_id: int
    town_name: str
    period: str
    # (grid name, report id) of the grids that submitted; how many grids the town has.
    reports: tuple[tuple[str, int], ...]
    grids: int

    def text(self) -> str:
        return texts.DUTIES_UNHEARD.format(
            town=esc(self.town_name),
            period=texts.period_label(self.period),
            done=len(self.reports),
            total=self.grids,
        )

    def keyboard(self) -> Keyboard | None:
        return digest_keyboard(
            town_id=self.town_id, period=self.period, reports=self.reports, for_head=True
        )


async def unheard_months(
    *, session: AsyncSession, viewer: Viewer, now: datetime, duty: MonthlyReportDuty
) -> list[UnheardMonth]:
    """Per town the viewer heads, oldest first: months whose digest was sent to them, still
    inside the hearing window, with no hearing confirmed (by them or anyone)."""
    found: list[UnheardMonth] = []
    for post in viewer.posts:
        if post.role != Role.TOWN_HEAD:
            continue
        periods = await claimed_periods(
            session=session,
            duty=DUTY,
            target=digest_target(post.grid_id, viewer.person_id),
            step="digest",
            status=ReminderStatus.QUEUED,
        )
        for period in periods:
            digest_at = duty.schedule(period).digest_at
            if not digest_at <= now <= digest_at + duty.hearing_window:
                continue
            status = await monthly_status(session=session, period=period, town_ids=[post.grid_id])
            for town in status.towns:
                if town.heard_by is not None:
                    continue
                reports = tuple(
                    (grid.grid_name, grid.report_id)
                    for grid in town.submitted
                    if grid.report_id is not None
                )
                found.append(
                    UnheardMonth(
                        town.town_id, town.town_name, period, reports, len(town.judged_grids)
                    )
                )
    return found
