"""Answers as the chat shows them: an entry with what it rests on, the search's verdict, an
article, a tip, each with its buttons (shared by /faq, /law, /tip, inline mode and /ask)."""

import re

from core.buttons import Button, Keyboard
from core.formatting import TEXT_LIMIT, esc, rendered_len, truncate_html
from knowledge.base import Entry, Ref, SearchOutcome, Tip, Verdict
from services.answers import texts
from services.answers.buttons import AskButton, AskStep, ShowArticle, ShowEntry, TipButton

# Telegram shows at most this many "查看原文" buttons under an answer before it gets cluttered.
MAX_ARTICLE_BUTTONS = 3
MAX_SUGGESTIONS = 3
# Kept free in every answer for a remark on old article numbers (`with_note`) put before it.
NOTE_ROOM = 400


def article_button(ref: Ref) -> Button:
    return Button(
        texts.FAQ_SHOW_ARTICLE.format(label=ref.label), data=ShowArticle(ref.law, ref.article)
    )


def handoff_button() -> Button:
    return Button(texts.FAQ_ASK_INSTRUCTOR, data=AskButton(AskStep.HANDOFF))


def entry_basis(entry: Entry) -> str:
    """What an answer rests on: its articles, or for an approved instructor's answer (which
    cites no law) who gave it and when it was approved, never dressed up as a citation."""
    if entry.kind == "local":
        approved = entry.approved_on.isoformat() if entry.approved_on else ""
        source = texts.FAQ_LOCAL_ATTRIBUTION.format(date=approved)
        return f"<b>{texts.FAQ_LOCAL_SOURCE}</b>：{esc(source)}\n{texts.FAQ_LOCAL_NOTE}"
    basis = "、".join(ref.label for ref in entry.refs)
    return f"<b>{texts.FAQ_BASIS}</b>：{esc(basis)}"


def _fitted(head: str, body: str, tail: str = "") -> str:
    """head, body and tail as one message, the body cut (with the mark) so that the whole and
    a note before it stay within Telegram's limit: an approved answer may be long."""
    frame = f"{head}\n\n\n\n{tail}" if tail else f"{head}\n\n"
    room = TEXT_LIMIT - NOTE_ROOM - rendered_len(frame)
    body = truncate_html(body, max(room, 0))
    return f"{head}\n\n{body}\n\n{tail}" if tail else f"{head}\n\n{body}"


def render_entry(entry: Entry) -> str:
    """An answer with its citations (every answer names the articles it rests on)."""
    return _fitted(f"<b>{esc(entry.title)}</b>", esc(entry.answer), entry_basis(entry))


def entry_keyboard(entry: Entry) -> Keyboard:
    # An article's entry already is the article's text: no [查看原文].
    refs = () if entry.kind == "article" else entry.refs[:MAX_ARTICLE_BUTTONS]
    return [*([article_button(ref)] for ref in refs), [handoff_button()]]


def render_outcome(outcome: SearchOutcome) -> tuple[str, Keyboard]:
    """The reply to a question: the answer, "您是不是想问" choices, or an honest "不知道"."""
    text, keyboard = _render_verdict(outcome)
    if outcome.note:
        # E.g. the question cited a 2009 article number: say which current article answers it.
        text = with_note(text, outcome.note)
    return text, keyboard


def _render_verdict(outcome: SearchOutcome) -> tuple[str, Keyboard]:
    if outcome.verdict == Verdict.ANSWER:
        best = outcome.results[0].entry
        return render_entry(best), entry_keyboard(best)
    if outcome.verdict == Verdict.SUGGEST:
        choices = [
            [Button(result.entry.title, data=ShowEntry(result.entry.id))]
            for result in outcome.results[:MAX_SUGGESTIONS]
        ]
        return texts.FAQ_SUGGEST, [*choices, [handoff_button()]]
    return texts.FAQ_ABSTAIN, [[handoff_button()]]


def with_note(text: str, note: str) -> str:
    """`text` after a remark on the article numbers the user cited (cut to its room)."""
    remark = truncate_html(f"{texts.LAW_OLD_NUMBER_NOTE}：{esc(note)}", NOTE_ROOM - 2)
    return f"{remark}\n\n{text}"


def render_article(label: str, text: str) -> str:
    return _fitted(f"<b>{esc(label)}</b>", esc(text))


# A tip's own closing "（依据《统计法》第八条）" (which may hold parentheses of its own, as
# "三（一）"): the 依据 line under it says it once.
_TRAILING_BASIS = re.compile(r"\s*[（(]依据[^（(]*(?:[（(][^）)]*[）)][^（(]*)*[）)]\s*$")


def render_tip(tip: Tip) -> str:
    basis = "、".join(ref.label for ref in tip.refs)
    text = _TRAILING_BASIS.sub("", tip.text) or tip.text
    return f"{texts.TIP_HEADING}\n\n{esc(text)}\n\n<b>{texts.FAQ_BASIS}</b>：{esc(basis)}"


def tip_keyboard() -> Keyboard:
    return [[Button(texts.TIP_NEXT, data=TipButton())]]
