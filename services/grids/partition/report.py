"""What a partition run plans and reports: new grids, grown grids and staff placements."""

from dataclasses import dataclass
from typing import NamedTuple

from models.enums import Industry, Role


class NewGridSummary(NamedTuple):
    name: str
    town: str
    industry: Industry | None
    size: int
    cross_town: bool


class GridGrowth(NamedTuple):
    name: str
    added: int


class StaffPlacement(NamedTuple):
    person_name: str
    role: Role
    grid_name: str


@dataclass(frozen=True)
class PlannedGrid:
    """A level-3 grid the plan creates; `members` are survey object ids."""

    name: str
    parent_id: int
    town: str
    industry: Industry | None
    seq: int
    cross_town: bool
    members: tuple[int, ...]


@dataclass
class PartitionReport:
    new_grids: list[NewGridSummary]
    placed: int
    changed_grids: list[GridGrowth]
    staff_placed: list[StaffPlacement]
    warnings: list[str]
    dry_run: bool

    def render(self) -> str:
        """The Chinese console report."""
        title = "统计网格划分（试运行，未写入数据库）" if self.dry_run else "统计网格划分完成"
        lines = [
            title,
            f"划分调查对象 {self.placed} 家；新建网格 {len(self.new_grids)} 个；"
            f"已有网格新增成员 {len(self.changed_grids)} 个；"
            f"安排网格工作人员 {len(self.staff_placed)} 人次。",
        ]
        if not self.placed and not self.staff_placed:
            lines.append("没有待划分的调查对象或待安排的工作人员。")
        if self.new_grids:
            lines.append("新建网格：")
            for grid in self.new_grids:
                kind = grid.industry.value if grid.industry else "跨行业"
                if grid.cross_town:
                    kind += "，跨区域"
                lines.append(f"  {grid.name}（{kind}，{grid.size} 家）")
        if self.changed_grids:
            lines.append("已有网格新增成员：")
            lines.extend(f"  {growth.name} +{growth.added}" for growth in self.changed_grids)
        if self.staff_placed:
            lines.append("工作人员安排：")
            lines.extend(
                f"  {p.person_name}（{p.role.value}）→ {p.grid_name}" for p in self.staff_placed
            )
        if self.warnings:
            lines.append("提醒：")
            lines.extend(f"  ⚠ {warning}" for warning in self.warnings)
        return "\n".join(lines)


@dataclass(frozen=True)
class PartitionPlan:
    """Everything a partition run would write, by grid name (new grids have no id yet)."""

    new_grids: list[PlannedGrid]
    # survey object id -> grid name, for objects placed by this run only
    placements: dict[int, str]
    # existing grid id -> (industry, cross_town) where receiving members changed its kind
    grid_kinds: dict[int, tuple[Industry | None, bool]]
    changed_grids: list[GridGrowth]
    # (person id, grid name, role) for the Assignment rows to add
    staff: list[tuple[int, str, Role]]
    staff_placed: list[StaffPlacement]
    ended_assignments: list[int]
    warnings: list[str]

    def report(self, *, dry_run: bool) -> PartitionReport:
        return PartitionReport(
            new_grids=[
                NewGridSummary(g.name, g.town, g.industry, len(g.members), g.cross_town)
                for g in self.new_grids
            ],
            placed=len(self.placements),
            changed_grids=list(self.changed_grids),
            staff_placed=list(self.staff_placed),
            warnings=list(self.warnings),
            dry_run=dry_run,
        )
