"""The /stats chart: a grouped bar chart of a scorecard's rates, as PNG bytes.

matplotlib runs headless (Agg) and draws Chinese with Noto Sans CJK SC from the `mplfonts`
package, loaded by file path so that no system font or font cache is needed. matplotlib is
imported on the first chart, not with the bot: it is seconds of every start (the demo's too).
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

FONT_FILE = "NotoSansCJKsc-Regular.otf"
# At most this many bars groups: beyond it labels overlap; the text lists the rest.
MAX_GROUPS = 30


class FontMissingError(RuntimeError):
    """The bundled Chinese font is not where mplfonts installs it."""


def font_path() -> Path:
    # Found without importing mplfonts, whose import would register every font it ships.
    spec = find_spec("mplfonts")
    if spec is None or spec.origin is None:
        raise FontMissingError("the mplfonts package is not installed")
    path = Path(spec.origin).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FontMissingError(f"{FONT_FILE} not found at {path}")
    return path


@cache
def chinese_font() -> "FontProperties":
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.font_manager import FontProperties, fontManager

    path = font_path()
    # Registered once so that FontProperties(fname=...) and family look-ups agree.
    fontManager.addfont(str(path))
    return FontProperties(fname=str(path))


@dataclass(frozen=True)
class Series:
    """One bar per group: a rate in [0, 1], or None where it does not apply."""

    label: str
    values: Sequence[float | None]


def bar_chart(*, title: str, groups: Sequence[str], series: Sequence[Series]) -> bytes:
    """Grouped bars of rates (as percentages) per group; PNG bytes."""
    font = chinese_font()
    from matplotlib.figure import Figure

    groups = list(groups)[:MAX_GROUPS]
    count = max(len(groups), 1)
    # About half an inch per group, within what a phone can still zoom into.
    figure = Figure(figsize=(min(16.0, max(6.0, 0.5 * count + 2)), 4.5), dpi=110)
    axes = figure.add_subplot()
    width = 0.8 / max(len(series), 1)
    for index, one in enumerate(series):
        xs = [g + (index - (len(series) - 1) / 2) * width for g in range(len(groups))]
        values = [100 * v if v is not None else 0.0 for v in list(one.values)[: len(groups)]]
        axes.bar(xs, values, width=width, label=one.label)
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels(groups, fontproperties=font, rotation=30 if count > 4 else 0, ha="right")
    # Headroom above 100 % keeps the legend, in one row at the top, off the bars.
    axes.set_ylim(0, 122)
    axes.set_yticks(range(0, 101, 20))
    axes.set_ylabel("%", fontproperties=font)
    axes.set_title(title, fontproperties=font)
    axes.legend(prop=font, loc="upper center", ncols=max(len(series), 1), frameon=False)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
