"""Which lane a send travels in: the outbox worker's tasks run in `outbox_context()`, so the
shared rate limiter (wired in `bot/`) can let interactive replies go first."""

import contextvars

# True inside the outbox worker's tasks (copied into every task they create).
_OUTBOX_SEND: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "gridbot_outbox_send", default=False
)


def outbox_context() -> contextvars.Context:
    """A context for the outbox worker's task: its sends yield to interactive replies."""
    context = contextvars.copy_context()
    context.run(_OUTBOX_SEND.set, True)
    return context


def in_outbox() -> bool:
    """Whether the current task sends on the outbox's behalf."""
    return _OUTBOX_SEND.get()
