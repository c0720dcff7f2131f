"""Before a question is filed: the knowledge base's closest answers, so that the member may
find theirs without waiting for the instructor."""

from core.buttons import Button, Keyboard
from core.formatting import esc
from knowledge.base import SearchOutcome
from services.answers.buttons import AskButton, AskStep, ShowEntry
from services.answers.render import entry_basis
from services.questions import texts
from services.questions.rules import snippet

MAX_SUGGESTIONS = 3
ANSWER_SNIPPET = 80
TITLE_SNIPPET = 30


def render_suggestions(outcome: SearchOutcome) -> tuple[str, Keyboard]:
    """Up to three matches, a [查看] button each, then [已解决] [仍需提问]."""
    lines = [texts.ASK_KB_HEADING]
    rows: list[list[Button]] = []
    for number, result in enumerate(outcome.results[:MAX_SUGGESTIONS], start=1):
        entry = result.entry
        lines.append(
            texts.ASK_KB_ITEM.format(
                number=number,
                title=esc(entry.title),
                snippet=esc(snippet(entry.answer, ANSWER_SNIPPET)),
            )
            + f"\n{entry_basis(entry)}"
        )
        rows.append(
            [
                Button(
                    texts.ASK_KB_VIEW.format(title=snippet(entry.title, TITLE_SNIPPET)),
                    data=ShowEntry(entry.id),
                )
            ]
        )
    rows.append(
        [
            Button(texts.ASK_SOLVED, data=AskButton(AskStep.SOLVED)),
            Button(texts.ASK_STILL, data=AskButton(AskStep.FILE)),
        ]
    )
    return "\n\n".join(lines), rows


def render_prefilled(question: str) -> tuple[str, Keyboard]:
    """The question the bot could not answer, ready to submit with [提交问题]."""
    return (
        texts.ASK_PREFILLED.format(text=esc(question)),
        [[Button(texts.ASK_SUBMIT, data=AskButton(AskStep.FILE))]],
    )
