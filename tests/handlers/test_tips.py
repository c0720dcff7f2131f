"""/tip through the real bot."""

import re

import pytest

from emulator import BotApiEmulator
from services import texts as shared_texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER_TG = 8201
CITATION = re.compile(r"依据：.*《[^》]+》")

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_tip_has_a_citation_and_a_next_button(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    tip = await command(emulator, MEMBER_TG, "/tip")
    assert "法治小贴士" in (tip.text or "")
    assert CITATION.search(tip.text or "")
    _, another = await press(emulator, MEMBER_TG, tip, "tip:next", forge=False)
    assert another is not None
    assert "法治小贴士" in (another.text or "")


async def test_a_forged_tip_button_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    tip = await command(emulator, MEMBER_TG, "/tip")
    answer, touched = await press(emulator, MEMBER_TG, tip, "tip:other", forge=True)
    assert answer == shared_texts.STALE_BUTTON
    assert touched is None
