"""Administration in the chat: /audit (the audit trail), /unmatched (phone numbers the roster
does not know), and the roster sent as a document."""

from handlers.admin import audit, roster, unmatched
from handlers.context import GridApplication

COMMANDS = unmatched.COMMANDS + audit.COMMANDS


def register(app: GridApplication) -> None:
    roster.register(app)
    unmatched.register(app)
    audit.register(app)
