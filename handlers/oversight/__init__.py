"""Oversight in the chat: /export (台账 as Excel), /stats and /mystats, /departments (五有)."""

from handlers.context import GridApplication
from handlers.oversight import departments, exports, stats

COMMANDS = exports.COMMANDS + stats.COMMANDS + departments.COMMANDS


def register(app: GridApplication) -> None:
    exports.register(app)
    stats.register(app)
    departments.register(app)
