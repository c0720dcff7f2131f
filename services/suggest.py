"""The nearest command to a mistyped one ("/reprot" -> /report), among those the viewer may
use, so that a typo gets a suggestion instead of a shrug."""

import re
from collections.abc import Sequence

from rapidfuzz.distance import DamerauLevenshtein

from services.access import CommandSpec

# "/reprot", "/reprot@gridbot args": the command word of a message that starts with "/".
_COMMAND = re.compile(r"^/(?P<word>[A-Za-z0-9_]{1,64})(?:@\w+)?(?:\s|$)")
# At most this many edits (a swap counts as one) for a command of 5+ letters; 1 below that.
MAX_EDITS = 2


def typed_command(text: str) -> str | None:
    """The command word of `text` if it is written as a command, lower-cased; else None."""
    match = _COMMAND.match(text.strip())
    return match["word"].lower() if match else None


def nearest_command(word: str, specs: Sequence[CommandSpec]) -> CommandSpec | None:
    """The visible command closest to `word`, if it is within a typo's reach (ties: the
    first in menu order); None for the word itself or anything farther."""
    best: tuple[int, CommandSpec] | None = None
    for spec in specs:
        if spec.command == word:
            return None
        limit = MAX_EDITS if len(spec.command) >= 5 else 1
        edits = DamerauLevenshtein.distance(word, spec.command, score_cutoff=limit)
        if edits <= limit and (best is None or edits < best[0]):
            best = (edits, spec)
    return best[1] if best else None
