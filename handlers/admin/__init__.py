"""Administration in the chat: /audit (the audit trail), /unmatched (phone numbers the roster
does not know), the roster and study hours sent as documents, /person and /handover,
/poster, /evaluate and /deptset."""

from handlers.admin import (
    audit,
    departments,
    evaluation,
    people,
    poster,
    roster,
    study,
    unmatched,
)
from handlers.context import GridApplication

COMMANDS = (
    unmatched.COMMANDS
    + audit.COMMANDS
    + people.COMMANDS
    + poster.COMMANDS
    + evaluation.COMMANDS
    + departments.COMMANDS
)


def register(app: GridApplication) -> None:
    roster.register(app)
    study.register(app)
    unmatched.register(app)
    audit.register(app)
    people.register(app)
    poster.register(app)
    evaluation.register(app)
    departments.register(app)
