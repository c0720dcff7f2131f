"""Whom a sender may address and whom each audience reaches."""

from services.access import Viewer
from services.notices.drafts import Audience, ScopeKind, allowed_scope, reach, target_scopes
from tests.conftest import SmallCity
from tests.services.notices.bound_city import (
    Sessions,
    viewer,
)


async def test_audiences_follow_scope_and_role(sessions: Sessions, city: SmallCity) -> None:
    async with sessions() as session:
        instructor = await viewer(session, city, "instructor")
        admin = await viewer(session, city, "admin")
        hq_grid = city.grids["虹桥镇网格"].id or 0
        hq_town = city.grids["虹桥镇"].id or 0

        async def names(who: Viewer, kind: ScopeKind, grid_id: int, audience: Audience) -> set[int]:
            scope = await allowed_scope(session=session, viewer=who, kind=kind, grid_id=grid_id)
            assert scope is not None
            found = await reach(session=session, viewer=who, scope=scope, audience=audience)
            return set(found.person_ids)

        ids = city.person_id
        grid = ScopeKind.GRID
        assert await names(instructor, grid, hq_grid, Audience.ALL) == {
            ids("member"),
            ids("grid_head"),
        }
        assert await names(instructor, grid, hq_grid, Audience.MEMBERS) == {ids("member")}
        assert await names(instructor, grid, hq_grid, Audience.GRID_HEADS) == {ids("grid_head")}
        assert await names(instructor, grid, hq_grid, Audience.INSTRUCTORS) == set()
        town = ScopeKind.TOWN
        assert await names(admin, town, hq_town, Audience.ALL) == {
            ids("member"),
            ids("grid_head"),
            ids("instructor"),
            ids("town_head"),
        }
        assert await names(admin, ScopeKind.CITY, 0, Audience.MEMBERS) == {
            ids("member"),
            ids("other_member"),
        }
        everybody = await names(admin, ScopeKind.CITY, 0, Audience.ALL)
        assert everybody == {p.id for k, p in city.people.items() if k != "admin"}
        # An instructor may address only their own grid.
        assert (
            await allowed_scope(session=session, viewer=instructor, kind=town, grid_id=hq_town)
            is None
        )
        assert (
            await allowed_scope(session=session, viewer=instructor, kind=ScopeKind.CITY, grid_id=0)
            is None
        )
        member = await viewer(session, city, "member")
        assert await target_scopes(session=session, viewer=member) == []
