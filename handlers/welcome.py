"""The welcome a bound person gets on /start or right after binding: roles and commands."""

from handlers.menus import visible_commands
from handlers.profile import render_posts
from services.access import CommandSpec, Viewer
from services.profile import texts as profile_texts


def render_welcome(first_line: str, viewer: Viewer, specs: tuple[CommandSpec, ...]) -> str:
    lines = [first_line, "", profile_texts.ROLES_HEADING, render_posts(viewer.posts), ""]
    lines.append(profile_texts.CAN_DO_HEADING)
    lines += [
        f"/{spec.command} — {spec.help}"
        for spec in visible_commands(specs, viewer)
        if spec.command != "start"
    ]
    return "\n".join(lines)
