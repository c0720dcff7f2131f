"""Who can be played in the sandbox: every demo person, and the default panes chosen so that
every flow closes among them (the member's questions reach the instructor shown beside them,
the instructor's grid has the 网格长 shown, the town's leader is the one shown)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import TELEGRAM_ID_OFFSET
from models import grids as grid_queries
from models.enums import Role
from models.tables import Grid, Person

# How many further members of the member's grid are bound at the start, so that a notice has
# receipts to count and a member's view is not the only one.
OTHER_BOUND_MEMBERS = 4


@dataclass(frozen=True)
class Character:
    """A demo person as a pane shows them."""

    person_id: int
    name: str
    mobile: str
    # Role and where, as users read them: "网格指导员 · 城东街道·制造业网格1".
    title: str

    @property
    def telegram_id(self) -> int:
        return TELEGRAM_ID_OFFSET + self.person_id

    def to_json(self) -> dict[str, object]:
        return {"id": self.telegram_id, "name": self.name, "title": self.title}


@dataclass(frozen=True)
class Cast:
    everyone: dict[int, Character]  # by telegram id
    # The default panes, in order: member, instructor, 网格长, town leader, admin.
    panes: list[int]
    # Members of the member's grid bound before anyone plays (notices then have receipts).
    extras: list[int]
    # The level-3 grid of the default panes' member, instructor and 网格长.
    grid_id: int


def _title(posts: Sequence[tuple[Role, str]]) -> str:
    return "；".join(f"{role.value} · {where}" for role, where in posts)


async def read_cast(*, session: AsyncSession) -> Cast:
    """Everyone of the city with their posts, and the default panes."""
    city = await grid_queries.city_grid(session=session)
    towns = await grid_queries.towns(session=session)
    grids = await grid_queries.level3_grids(session=session)
    grid_ids = [g.id for g in grids if g.id is not None]
    town_ids = [t.id for t in towns if t.id is not None]
    city_ids = [city.id] if city is not None and city.id is not None else []
    staff = await grid_queries.grid_staff(session=session, grid_ids=grid_ids + town_ids + city_ids)
    by_id: dict[int, Grid] = {g.id: g for g in [*grids, *towns] if g.id is not None}
    if city is not None and city.id is not None:
        by_id[city.id] = city

    posts: dict[int, list[tuple[Role, str]]] = {}
    # Person id -> (name, mobile).
    people: dict[int, tuple[str, str]] = {}
    for grid_id, rows in staff.items():
        for role, person in rows:
            assert person.id is not None
            people[person.id] = (person.name, person.mobile)
            posts.setdefault(person.id, []).append((role, by_id[grid_id].name))
    members: dict[int, list[int]] = {}
    for grid in grids:
        assert grid.id is not None
        for row in await grid_queries.grid_members(session=session, grid_id=grid.id):
            if row.statistician_id is None or row.statistician_id in posts:
                continue
            members.setdefault(grid.id, []).append(row.statistician_id)
            if row.statistician_id not in people:
                people[row.statistician_id] = (
                    row.statistician_name or "",
                    row.statistician_mobile or "",
                )
                posts[row.statistician_id] = []
            posts[row.statistician_id].append((Role.MEMBER, grid.name))

    everyone = {
        c.telegram_id: c
        for c in (Character(pid, *people[pid], _title(posts[pid])) for pid in sorted(people))
    }
    panes, extras, grid_id = _default_panes(grids, staff, members, city_ids)
    return Cast(everyone, panes, extras, grid_id)


def _holders(staff: dict[int, list[tuple[Role, Person]]], grid_id: int, role: Role) -> list[int]:
    return [p.id for r, p in staff.get(grid_id, []) if r == role and p.id is not None]


def _default_panes(
    grids: list[Grid],
    staff: dict[int, list[tuple[Role, Person]]],
    members: dict[int, list[int]],
    city_ids: list[int],
) -> tuple[list[int], list[int], int]:
    """Telegram ids of the default panes and of the extra bound members, and their grid: the
    first grid with a member, an instructor and a 网格长 of its own, in a town with a
    分管负责人."""
    admins = [p for c in city_ids for p in _holders(staff, c, Role.ADMIN)]
    for grid in grids:
        assert grid.id is not None
        assert grid.parent_id is not None
        instructors = _holders(staff, grid.id, Role.INSTRUCTOR)
        heads = [h for h in _holders(staff, grid.id, Role.GRID_HEAD) if h not in instructors]
        leaders = _holders(staff, grid.parent_id, Role.TOWN_DEPUTY) or _holders(
            staff, grid.parent_id, Role.TOWN_HEAD
        )
        grid_members = members.get(grid.id, [])
        if instructors and heads and leaders and len(grid_members) > 1:
            chosen = [grid_members[0], instructors[0], heads[0], leaders[0], *admins[:1]]
            panes = list(dict.fromkeys(chosen))
            extras = [m for m in dict.fromkeys(grid_members[1:]) if m not in panes]
            return (
                [TELEGRAM_ID_OFFSET + p for p in panes],
                [TELEGRAM_ID_OFFSET + m for m in extras[:OTHER_BOUND_MEMBERS]],
                grid.id,
            )
    raise RuntimeError("the demo city has no grid with a member, an instructor and a 网格长")
