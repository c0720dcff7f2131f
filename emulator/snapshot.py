"""The chats saved to a file and read back, so that a demo reopened later shows its history."""

import pickle
from pathlib import Path

from emulator.state import EmulatorState

# What a chat's history is made of; queued updates, answers and options are not kept.
_KEPT = (
    "_users",
    "_next_message_id",
    "_bot_messages",
    "_user_messages",
    "_reply_keyboards",
    "_files",
    "_file_paths",
    "_commands",
    "_seq",
    "_next_file_number",
    "_next_callback_id",
)


class Snapshots(EmulatorState):
    """``save_chats`` / ``load_chats``: users, both sides of every chat, files, menus."""

    def dump_chats(self) -> bytes:
        """The chats as bytes for `write_chats` (on the emulator's loop: nothing changes them
        while they are read)."""
        return pickle.dumps({name: getattr(self, name) for name in _KEPT})

    def save_chats(self, path: Path) -> None:
        write_chats(path, self.dump_chats())

    def load_chats(self, path: Path) -> bool:
        """Read back what `save_chats` wrote (before the bot starts); False: no such file.

        The file is the emulator's own (written by this process for the demo), never input
        from elsewhere: pickle would run what it contains."""
        if not path.is_file():
            return False
        saved = pickle.loads(path.read_bytes())
        for name in _KEPT:
            if name in saved:
                setattr(self, name, saved[name])
        return True


def write_chats(path: Path, data: bytes) -> None:
    """Write what `dump_chats` gave (any thread) through a temporary file: a crash midway
    leaves the previous file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
