"""The monthly report in /todo: a level-3 网格长's report not yet submitted, a 二级网格长's
hearing not yet confirmed."""

from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from models import reports as queries
from models.enums import GridLevel, Role
from services.access import Viewer
from services.duties.config import DutiesConfig
from services.reports import texts
from services.reports.monthly_duty import MonthlyReportDuty
from services.reports.periods import period_of, shift_period
from services.todo import TodoItem


async def todo_items(
    *, session: AsyncSession, viewer: Viewer, now: datetime, config: DutiesConfig, tz: tzinfo
) -> list[TodoItem]:
    """For a level-3 网格长: the current period's report not yet submitted (until its
    deadline). For a 二级网格长: digests received whose hearing is not confirmed yet."""
    duty = MonthlyReportDuty(config.monthly_report, send_time=config.engine.send_time, tz=tz)
    if not config.monthly_report.enabled:
        return []
    items: list[TodoItem] = []
    period = period_of(now, tz)
    head_grids = [
        post
        for post in viewer.posts
        if post.role == Role.GRID_HEAD and post.level == GridLevel.GRID
    ]
    if head_grids:
        plan = duty.schedule(period)
        if now < plan.deadline_end:
            reports = await queries.reports_for_period(
                session=session, period=period, grid_ids=[p.grid_id for p in head_grids]
            )
            items += [
                TodoItem(
                    section=texts.REPORT_TODO_SECTION,
                    text=texts.report_todo_submit(
                        grid=post.grid_name, period=period, deadline=cn_date(plan.deadline)
                    ),
                    when=plan.deadline_end,
                )
                for post in head_grids
                if post.grid_id not in reports
            ]
    towns = {post.grid_id: post.grid_name for post in viewer.posts if post.role == Role.TOWN_HEAD}
    for earlier in (shift_period(period, -1), period):
        plan = duty.schedule(earlier)
        if not towns or now < plan.digest_at:
            continue
        heard = await queries.hearings_for_period(session=session, period=earlier, town_ids=towns)
        items += [
            TodoItem(
                section=texts.REPORT_TODO_SECTION,
                text=texts.report_todo_hearing(town=name, period=earlier),
                when=plan.escalate_at,
            )
            for town_id, name in sorted(towns.items(), key=lambda t: t[1])
            if town_id not in heard
        ]
    return items
