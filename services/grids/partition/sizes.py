"""How big grids are: the sizes a partition aims for, and how n objects split into grids."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PartitionSettings:
    """Grid sizes: aim for `target_size`; `min_size` to form a grid; `cap` for topping up."""

    target_size: int = 20
    min_size: int = 10
    cap: int = 25

    def __post_init__(self) -> None:
        if not 1 <= self.min_size <= self.target_size <= self.cap:
            raise ValueError("需要 1 ≤ min_size ≤ target_size ≤ cap")


def balanced_sizes(n: int, target: int) -> list[int]:
    """Sizes of the max(1, floor(n / target + 1/2)) grids that n objects form, largest first."""
    k = max(1, (2 * n + target) // (2 * target))
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


DEFAULT_SIZES = PartitionSettings()
