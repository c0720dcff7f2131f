"""/law through the real bot: numerals, old article numbers, usage."""

import pytest

from emulator import BotApiEmulator
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

MEMBER_TG = 8201

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_law_lookup_with_numerals_and_old_numbers(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    current = await command(emulator, MEMBER_TG, "/law 统计法 第四十四条")
    assert "第四十四条" in (current.text or "")
    assert "十万元以下" in (current.text or "")
    arabic = await command(emulator, MEMBER_TG, "/law 44")
    assert arabic.text == current.text
    old = await command(emulator, MEMBER_TG, "/law 统计法第四十一条")
    assert "2024" in (old.text or "")
    assert "第四十四条" in (old.text or "")
    regulation = await command(emulator, MEMBER_TG, "/law 条例 17")
    assert "实施条例" in (regulation.text or "")
    missing = await command(emulator, MEMBER_TG, "/law 统计法 第九十条")
    assert "/law 统计法 第四十四条" in (missing.text or "")
    usage = await command(emulator, MEMBER_TG, "/law")
    assert (usage.text or "").startswith("查条文示例")
