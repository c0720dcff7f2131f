"""The grid tree as indented Chinese text (`gridbot grids show`)."""

from models.enums import Industry, Role
from models.grid_tree import GridTree


def _industries(counts: dict[Industry, int]) -> str:
    return "，".join(f"{i.value} {counts[i]}" for i in Industry if counts.get(i))


def _staff(staff: dict[Role, list[str]]) -> str:
    return "；".join(f"{role.value}：{'、'.join(names)}" for role, names in staff.items())


def render_tree(tree: GridTree) -> str:
    """The grid tree as indented Chinese text with counts per node and city totals."""
    city = tree.city_name or "全市"
    lines = [
        f"{city}：{len(tree.towns)} 个乡镇（街道），{tree.grid_count} 个网格，"
        f"调查对象 {tree.objects} 家（未划分 {tree.unplaced} 家），"
        f"网格员 {tree.statisticians} 人（已绑定 {tree.bound} 人）"
    ]
    if tree.staff:
        lines.append(f"  {_staff(tree.staff)}")
    for t_index, town in enumerate(tree.towns):
        last_town = t_index == len(tree.towns) - 1
        branch, stem = ("└─ ", "   ") if last_town else ("├─ ", "│  ")
        lines.append(
            f"{branch}{town.name}：{len(town.grids)} 个网格，调查对象 {town.objects} 家"
            f"（未划分 {town.unplaced_total} 家），网格员 {town.statisticians} 人"
            f"（已绑定 {town.bound} 人）"
        )
        if town.staff:
            lines.append(f"{stem}   {_staff(town.staff)}")
        if town.unplaced:
            lines.append(f"{stem}   未划分：{_industries(town.unplaced)}")
        for g_index, grid in enumerate(town.grids):
            last_grid = g_index == len(town.grids) - 1
            leaf, leaf_stem = ("└─ ", "   ") if last_grid else ("├─ ", "│  ")
            marks = ""
            if grid.cross_town:
                towns = "、".join(f"{name} {n} 家" for name, n in sorted(grid.towns.items()))
                marks = f"（跨区域：{towns}）"
            lines.append(
                f"{stem}{leaf}{grid.name}{marks}：{grid.total} 家（{_industries(grid.objects)}），"
                f"网格员 {grid.statisticians} 人（已绑定 {grid.bound} 人）"
            )
            lines.append(f"{stem}{leaf_stem}   {_staff(grid.staff) or '暂无网格工作人员'}")
    return "\n".join(lines)
