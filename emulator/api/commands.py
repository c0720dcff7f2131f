"""setMyCommands and friends, the bot's name and descriptions, chat menu buttons."""

import copy
import re
from collections.abc import Awaitable, Callable

from emulator.params import Params, scope_key
from emulator.state import EmulatorState
from emulator.wire import JSONDict, bad_request

_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


class CommandsApi(EmulatorState):
    """What the bot shows users before they type: commands, name, descriptions, menus."""

    async def _set_my_commands(self, p: Params) -> bool:
        commands = p.opt_json("commands", list)
        if commands is None:
            raise bad_request("commands is empty")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            if not _COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_key(p)
        self._commands[key] = [
            {"command": str(c["command"]), "description": str(c["description"])} for c in commands
        ]
        return True

    async def _get_my_commands(self, p: Params) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._command_key(p), []))

    async def _delete_my_commands(self, p: Params) -> bool:
        self._commands.pop(self._command_key(p), None)
        return True

    def _command_key(self, p: Params) -> tuple[tuple[str, int | str | None, int | None], str]:
        key = scope_key(p.opt_json("scope", dict))
        chat_id = key[1]
        if isinstance(chat_id, int) and key[0].startswith("chat") and chat_id not in self._users:
            raise bad_request("chat not found")
        return key, p.opt_str("language_code") or ""

    def _bot_text_setter(self, kind: str) -> Callable[[Params], Awaitable[bool]]:
        async def setter(p: Params) -> bool:
            self._bot_texts[(kind, p.opt_str("language_code") or "")] = p.opt_str(kind) or ""
            return True

        return setter

    def _bot_text_getter(self, kind: str) -> Callable[[Params], Awaitable[JSONDict]]:
        async def getter(p: Params) -> JSONDict:
            language = p.opt_str("language_code") or ""
            fallback = self.bot_first_name if kind == "name" else ""
            return {kind: self._bot_texts.get((kind, language), fallback)}

        return getter

    async def _set_chat_menu_button(self, p: Params) -> bool:
        chat_id = p.opt_int("chat_id")
        if chat_id is not None:
            self._chat(chat_id, for_sending=False)
        self._menu_buttons[chat_id] = p.opt_json("menu_button", dict) or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, p: Params) -> JSONDict:
        chat_id = p.opt_int("chat_id")
        button = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return copy.deepcopy(button) if button else {"type": "commands"}
