"""Who may file, answer or act on a question, and what a question's text may be.

Who answers: the asker's grid 网格指导员, the 副网格长 when no instructor can be reached on
Telegram; whoever it is handed on to afterwards. Who may act on a question: its assignee, or
anyone whose post on the question's grid or town carries ANSWER_QUESTIONS.
"""

from models.enums import GRID_STAFF_ROLES, GridLevel, Role
from models.tables import Question
from services.access import ROLE_CAPABILITIES, Capability, Post, Viewer
from services.questions import texts
from services.questions.limits import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, too_long

__all__ = ["MAX_ANSWER_CHARS", "MAX_QUESTION_CHARS"]
SNIPPET_CHARS = 40


class QuestionRefused(Exception):
    """The viewer may not do this to the question; the message is Chinese, for the user.

    `retry` is True when only the text was wrong (empty, too long): the user may send another.
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of a user's text on one line (not escaped)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 1]}…"


def asking_post(viewer: Viewer) -> Post | None:
    """The level-3 grid post a question is filed under: a member post first, else staff."""
    level3 = [p for p in viewer.posts if p.level == GridLevel.GRID]
    members = [p for p in level3 if p.role == Role.MEMBER]
    staff = [p for p in level3 if p.role in GRID_STAFF_ROLES]
    chosen = members or staff
    return chosen[0] if chosen else None


def may_file(viewer: Viewer) -> bool:
    return asking_post(viewer) is not None


def _answering_posts(viewer: Viewer) -> list[Post]:
    return [p for p in viewer.posts if Capability.ANSWER_QUESTIONS in ROLE_CAPABILITIES[p.role]]


def may_answer(viewer: Viewer, question: Question, town_id: int | None) -> bool:
    """The assignee, or staff of the question's grid or town who may answer questions."""
    if question.assignee_id == viewer.person_id:
        return True
    return any(
        p.grid_id == question.grid_id or (town_id is not None and p.grid_id == town_id)
        for p in _answering_posts(viewer)
    )


def role_on(viewer: Viewer, grid_id: int, town_id: int | None) -> str:
    """How the viewer signs an answer: their role on the question's grid or town."""
    for post in _answering_posts(viewer):
        if post.grid_id in (grid_id, town_id):
            return post.role.value
    return Role.INSTRUCTOR.value if viewer.can(Capability.ANSWER_QUESTIONS) else ""


def check_text(text: str, limit: int, what: str = texts.WHAT_QUESTION) -> str:
    """The text stripped, if it is neither empty nor over `limit` (as Telegram counts)."""
    text = text.strip()
    if not text:
        empty = texts.ASK_EMPTY if what == texts.WHAT_QUESTION else texts.TEXT_EMPTY
        raise QuestionRefused(empty.format(what=what), retry=True)
    refusal = too_long(text, limit, what)
    if refusal is not None:
        raise QuestionRefused(refusal, retry=True)
    return text
