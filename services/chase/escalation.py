"""催报 by deadline, on the reminder engine: items still open N working hours before their
deadline go to the grid's 网格长 and 指导员 as one list; after it, to the town's 分管负责人
(else its 二级网格长). N and the steps come from the duties file ([chase]); each reminder is
claimed once by (duty, grid or town, period and deadline, step and person)."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import chase as queries
from models import grids as grid_queries
from models import people as people_queries
from models.chase import RosterObject
from models.enums import Role
from models.tables import Person
from models.tables.chase import ChaseItem, ChaseState
from services.chase import texts
from services.chase.cells import shown_deadline
from services.chase.messages import chase_ref, period_label
from services.duties.base import Reminder
from services.duties.config import ChaseConfig
from services.workdays import add_working_hours, is_workday

ESCALATION_DUTY = "chase_escalation"
GRID_ROLES = (Role.GRID_HEAD, Role.INSTRUCTOR)
TOWN_ROLES = (Role.TOWN_DEPUTY, Role.TOWN_HEAD)
MAX_LINES = 30
# A list after the deadline that the engine first sees a week late is not worth sending.
LATE_LIMIT = timedelta(days=7)


def working_hours_before(end: datetime, hours: float, tz: tzinfo) -> datetime:
    """The moment (UTC) `hours` working hours before `end`: add_working_hours backwards."""
    remaining = timedelta(hours=hours)
    moment = end.astimezone(UTC)
    while True:
        day = (moment - timedelta(microseconds=1)).astimezone(tz).date()
        day_start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
        if is_workday(day):
            if remaining <= moment - day_start:
                return moment - remaining
            remaining -= moment - day_start
        moment = day_start


def _pending(item: ChaseItem) -> bool:
    return item.state is ChaseState.OPEN or (
        item.state is ChaseState.DECLARED and item.discrepancy_at is not None
    )


class ChaseEscalationDuty:
    name = ESCALATION_DUTY

    def __init__(self, config: ChaseConfig, *, tz: tzinfo) -> None:
        self._before = config.before_working_hours
        self._after = config.after_working_hours
        self._tz = tz

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        tz = self._tz
        due_before: dict[datetime, list[float]] = defaultdict(list)
        due_after: dict[datetime, list[float]] = defaultdict(list)
        items = [i for i in await queries.open_items(session=session) if _pending(i)]
        for deadline in {i.deadline for i in items if i.deadline is not None}:
            for hours in self._before:
                if working_hours_before(deadline, hours, tz) <= at < deadline:
                    due_before[deadline].append(hours)
            for hours in self._after:
                if add_working_hours(deadline, hours, tz) <= at:
                    due_after[deadline].append(hours)
        if not due_before and not due_after:
            return []
        wanted = [i for i in items if i.deadline in due_before or i.deadline in due_after]
        objects = await queries.objects_by_ids(
            session=session, object_ids={i.survey_object_id for i in wanted}
        )
        keepers = {o.statistician_id for o in objects.values() if o.statistician_id is not None}
        names = {
            p.id: p.name
            for p in await people_queries.people_by_ids(session=session, person_ids=list(keepers))
        }
        grid_ids = {o.grid_id for o in objects.values() if o.grid_id is not None}
        town_ids = {o.town_id for o in objects.values()}
        grids = await grid_queries.grids_by_ids(session=session, grid_ids=grid_ids | town_ids)
        staff = await grid_queries.grid_staff(session=session, grid_ids=grid_ids | town_ids)
        accounts = await people_queries.live_telegram_ids(
            session=session,
            person_ids=[p.id for rows in staff.values() for _r, p in rows if p.id is not None],
        )

        def line(item: ChaseItem, obj: RosterObject, with_grid: bool) -> str:
            grid = grids.get(obj.grid_id or 0)
            return texts.ESCALATE_LINE.format(
                grid=f"{esc(grid.name)} · " if with_grid and grid is not None else "",
                name=esc(obj.name),
                form=esc(item.form),
                status=item.platform_status.value,
                statistician=esc(names.get(obj.statistician_id or 0, "未登记")),
            )

        def body(heading: str, rows: list[str]) -> str:
            shown = [heading, texts.ESCALATE_INTRO, *rows[:MAX_LINES]]
            if len(rows) > MAX_LINES:
                shown.append(texts.ESCALATE_MORE.format(count=len(rows) - MAX_LINES))
            return "\n".join(shown)

        groups: dict[tuple[str, datetime, str, int], list[ChaseItem]] = defaultdict(list)
        for item in wanted:
            assert item.deadline is not None
            obj = objects[item.survey_object_id]
            if item.deadline in due_before and obj.grid_id is not None:
                groups[(item.period, item.deadline, "grid", obj.grid_id)].append(item)
            if item.deadline in due_after:
                groups[(item.period, item.deadline, "town", obj.town_id)].append(item)
        found: list[Reminder] = []
        for (period, deadline, level, grid_id), members in sorted(groups.items()):
            grid = grids.get(grid_id)
            label = esc(grid.name if grid is not None else "")
            shown = shown_deadline(deadline, tz)
            key_period = f"{period}@{deadline.astimezone(UTC):%Y%m%dT%H%M}"
            rows = [line(i, objects[i.survey_object_id], level == "town") for i in members]
            if level == "grid":
                text = body(
                    texts.ESCALATE_PRE_HEADING.format(
                        grid=label, period=period_label(period), deadline=shown
                    ),
                    rows,
                )
                recipients = [p.id for r, p in staff.get(grid_id, []) if r in GRID_ROLES]
                for hours in due_before[deadline]:
                    found += [
                        Reminder(
                            duty=self.name,
                            target=f"grid:{grid_id}",
                            period=key_period,
                            step=f"pre{hours:g}:{pid}",
                            person_id=pid,
                            text=text,
                            due_at=working_hours_before(deadline, hours, tz),
                            deadline=deadline,
                            ref=chase_ref(period),
                        )
                        for pid in dict.fromkeys(recipients)
                        if pid is not None
                    ]
            else:
                text = body(
                    texts.ESCALATE_POST_HEADING.format(
                        town=label, period=period_label(period), deadline=shown
                    ),
                    rows,
                )
                leaders = self._leaders(staff.get(grid_id, []), accounts)
                for hours in due_after[deadline]:
                    due_at = add_working_hours(deadline, hours, tz)
                    found += [
                        Reminder(
                            duty=self.name,
                            target=f"town:{grid_id}",
                            period=key_period,
                            step=f"post{hours:g}:{pid}",
                            person_id=pid,
                            text=text,
                            due_at=due_at,
                            deadline=due_at + LATE_LIMIT,
                            ref=chase_ref(period),
                        )
                        for pid in leaders
                    ]
        return found

    @staticmethod
    def _leaders(rows: Sequence[tuple[Role, Person]], accounts: dict[int, int]) -> list[int]:
        """The town's 分管负责人 on Telegram, else its 二级网格长 on Telegram, else all of
        them (claimed as skipped, for the record)."""
        ids = [(r, p.id) for r, p in rows if r in TOWN_ROLES and p.id is not None]
        for wanted in TOWN_ROLES:
            chosen = [pid for role, pid in ids if role == wanted and pid in accounts]
            if chosen:
                return chosen
        return list(dict.fromkeys(pid for _r, pid in ids))
