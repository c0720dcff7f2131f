"""The join poster: /poster for admins in the chat, `gridbot invites poster` at the CLI."""

import asyncio
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from emulator import BotApiEmulator
from services.onboarding import texts
from services.onboarding.poster import join_link
from tests.conftest import BOT_USERNAME, SmallCity
from tests.handlers.chat import bind, command

ADMIN = 7301
TOWN_HEAD = 7302


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.usefixtures("bot_app")
async def test_admin_gets_a_printable_poster(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    usage = await command(emulator, ADMIN, "/poster 不存在镇")
    assert "虹桥镇" in (usage.text or "")
    sent = await command(emulator, ADMIN, "/poster 虹桥镇")
    assert sent.document is not None
    assert sent.document.filename == "绑定海报_虹桥镇.png"
    assert sent.document.data is not None
    # A4 at 150 dpi.
    assert png_size(sent.document.data) == (1240, 1753)
    refused = await command(emulator, TOWN_HEAD, "/poster 虹桥镇")
    assert refused.text == texts.POSTER_NOT_ALLOWED


async def test_cli_poster(
    database_url: str, small_city: SmallCity, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small_city_town_id = small_city.grids["柳市镇"].id
    assert small_city_town_id is not None
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, ["invites", "poster", *args])

    unknown = await asyncio.to_thread(run, "--town", "火星镇", "--bot-username", BOT_USERNAME)
    assert unknown.exit_code == 1
    assert "柳市镇" in unknown.output
    made = await asyncio.to_thread(run, "--town", "柳市镇", "--bot-username", BOT_USERNAME)
    assert made.exit_code == 0, made.output
    town_id = small_city_town_id
    assert join_link(BOT_USERNAME, town_id) in made.output
    assert png_size((tmp_path / "绑定海报_柳市镇.png").read_bytes()) == (1240, 1753)
