"""How long a part of a monthly report may be: what is left of Telegram's text limit, shared by
the four parts, once the longest header and footer of the messages that show a whole report
(the preview, the view from the digest) are counted."""

from core.formatting import TEXT_LIMIT, plain_len, rendered_len, truncate_plain
from services.reports import texts

# The longest grid name (Grid.name) and person name (Person.name).
_LONGEST_GRID = 100
_LONGEST_NAME = 50
_EMPTY_PARTS = ("", "", "", "")


def _part_limit() -> int:
    grid = "字" * _LONGEST_GRID
    frames = (
        texts.report_preview(grid=grid, period="2026-12", parts=_EMPTY_PARTS),
        texts.report_view(
            grid=grid,
            period="2026-12",
            author="字" * _LONGEST_NAME,
            submitted="12-28 09:30",
            late=True,
            parts=_EMPTY_PARTS,
        ),
    )
    return (TEXT_LIMIT - max(rendered_len(frame) for frame in frames)) // len(texts.REPORT_PARTS)


PART_MAX = _part_limit()


def clean_part(text: str) -> tuple[str | None, str | None]:
    """A part as typed, trimmed, or the Chinese refusal: (part, None) or (None, refusal)."""
    cleaned = text.strip()
    if not cleaned:
        return None, texts.REPORT_TEXT_EMPTY
    length = plain_len(cleaned)
    if length > PART_MAX:
        return None, texts.REPORT_TEXT_TOO_LONG.format(
            limit=PART_MAX, length=length, over=length - PART_MAX
        )
    return cleaned, None


def fitted_suggestion(suggestion: str | None) -> str | None:
    """A suggestion cut to what a part may hold (a busy month lists many activities)."""
    return None if suggestion is None else truncate_plain(suggestion, PART_MAX)
