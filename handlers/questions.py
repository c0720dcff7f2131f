"""Placeholder: filled in by the questions feature."""

from bot.context import GridApplication
from services.access import CommandSpec

COMMANDS: tuple[CommandSpec, ...] = ()


def register(app: GridApplication) -> None:
    del app
