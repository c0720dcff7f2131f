"""Who may import a list and run the board, and which enterprises are theirs."""

from models.chase import RosterObject
from models.enums import Role
from services.access import Viewer

# The policy's 指导员 guard data quality in their grid; the town and city staff run the chase.
IMPORT_ROLES = frozenset(
    {
        Role.INSTRUCTOR,
        Role.GRID_HEAD,
        Role.TOWN_DEPUTY,
        Role.TOWN_HEAD,
        Role.CITY_HEAD,
        Role.ADMIN,
    }
)


def may_import(viewer: Viewer) -> bool:
    return bool(viewer.roles & IMPORT_ROLES)


def in_scope(viewer: Viewer | None, obj: RosterObject) -> bool:
    """Whether the enterprise is the viewer's to chase (None: the command line, the whole city)."""
    if viewer is None or viewer.is_city_wide:
        return True
    if obj.town_id in viewer.town_ids:
        return True
    return obj.grid_id is not None and obj.grid_id in viewer.staffed_grid_ids
