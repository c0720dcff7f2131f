"""Checking the roster against what the database already holds: towns, grids, names, mobiles."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel
from models.roster import (
    grids_by_name,
    level3_grids_by_town,
    person_names_by_mobile,
    survey_object_keys_by_name,
)
from models.tables import Grid
from services.roster_import.cells import compare_key, grid_key
from services.roster_import.validate import Enterprise, Errors, Staff, Where
from services.roster_import.vocabulary import GRID_SEPARATOR


@dataclass
class Known:
    """What the database already holds that the checks and the apply step both need."""

    grids: dict[str, Grid] = field(default_factory=dict)
    # Level-3 grids each existing town works with (see level3_grids_by_town), by town name.
    grids_of_town: dict[str, list[Grid]] = field(default_factory=dict)
    # The level-3 grid each 人员 row names.
    named_grid: dict[Where, Grid] = field(default_factory=dict)


def _resolve_grid(key: str, grids: Sequence[Grid]) -> list[Grid]:
    """Grids matching a full name (虹桥镇·工业网格1) or the short part after the dot."""
    if GRID_SEPARATOR in key:
        return [g for g in grids if grid_key(g.name) == key]
    return [g for g in grids if grid_key(g.name).split(GRID_SEPARATOR, 1)[-1] == key]


async def check_against_db(
    *,
    session: AsyncSession,
    enterprises: Sequence[Enterprise],
    staff: Sequence[Staff],
    errors: Errors,
) -> Known:
    known = Known()
    enterprise_towns = {ent.town for ent in enterprises if ent.town is not None}
    towns = enterprise_towns | {p.town for p in staff if p.town is not None}
    known.grids = await grids_by_name(session=session, names=towns)
    town_ids = {
        name: grid.id
        for name, grid in known.grids.items()
        if grid.level == GridLevel.TOWN and grid.id is not None
    }
    by_town = await level3_grids_by_town(session=session, town_ids=town_ids.values())
    for name, town_id in town_ids.items():
        known.grids_of_town[name] = by_town.get(town_id, [])

    def check_town(at: Where, town: str | None) -> bool:
        grid = known.grids.get(town) if town is not None else None
        if grid is not None and grid.level != GridLevel.TOWN:
            errors.add(at, "乡镇街道", town or "", "与一个已有的非乡镇街道网格同名，请核对名称")
            return False
        return town is not None

    for ent in enterprises:
        check_town(ent.at, ent.town)
    for person in staff:
        if not check_town(person.at, person.town) or person.town is None:
            continue
        if person.town not in known.grids and person.town not in enterprise_towns:
            # A typo here would otherwise create a town with staff and no enterprises.
            errors.add(
                person.at,
                "乡镇街道",
                person.town,
                "系统中没有这个乡镇街道，本次导入的企业表中也没有；请核对名称",
            )
            continue
        if person.grid is None:
            continue
        candidates = _resolve_grid(person.grid, known.grids_of_town.get(person.town, []))
        if len(candidates) == 1:
            known.named_grid[person.at] = candidates[0]
        else:
            problem = "对应多个网格，请写完整名称" if candidates else "不是该乡镇街道已有的网格"
            errors.add(
                person.at,
                "网格",
                person.grid_text,
                f"{problem}（如「{person.town}{GRID_SEPARATOR}工业网格1」）。"
                "留空则由系统自动分配；如尚未划分网格，请先运行 gridbot grids partition",
            )

    file_usccs = {ent.uscc for ent in enterprises if ent.uscc is not None}
    names = {ent.name for ent in enterprises if ent.name is not None}
    same_name: dict[tuple[int, str], list[str]] = defaultdict(list)
    for stored in await survey_object_keys_by_name(session=session, names=names):
        # An object whose USCC is in the file takes the file's name and town instead.
        if stored.uscc not in file_usccs:
            same_name[(stored.town_id, compare_key(stored.name))].append(stored.uscc)
    for ent in enterprises:
        if ent.name is None or ent.town is None or ent.town not in town_ids:
            continue
        for other in same_name.get((town_ids[ent.town], compare_key(ent.name)), []):
            errors.add(
                ent.at,
                "企业名称",
                ent.name,
                f"{ent.town}已有同名企业，其统一社会信用代码为 {other}，与此处不同；请核对",
            )

    rows: list[tuple[Where, str, str | None, str | None]] = [
        (ent.at, "统计员", ent.statistician, ent.mobile) for ent in enterprises
    ] + [(p.at, "姓名", p.name, p.mobile) for p in staff]
    stored_names = await person_names_by_mobile(
        session=session, mobiles={mobile for *_, mobile in rows if mobile is not None}
    )
    for at, column, row_name, row_mobile in rows:
        if row_name is None or row_mobile is None or errors.has(at, column):
            continue
        stored_name = stored_names.get(row_mobile)
        if stored_name is not None and compare_key(stored_name) != compare_key(row_name):
            errors.add(
                at,
                column,
                row_name,
                f"手机号 {row_mobile} 在系统中登记的是「{stored_name}」，与此处姓名不一致；"
                "如确为换人，请先用 gridbot people rebind 处理",
            )
    return known
