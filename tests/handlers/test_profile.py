"""/me and /help through the real bot."""

import pytest

from emulator import BotApiEmulator
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

MEMBER_TG, INSTRUCTOR_TG = 8101, 8102

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_me_shows_grid_role_enterprises_and_contacts_to_call(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    me = await command(emulator, MEMBER_TG, "/me")
    text = me.text or ""
    assert "姓名：陈统计" in text
    assert "手机：138****5678" in text
    assert "网格员 · 虹桥镇·工业网格1" in text
    assert "乐清市虹桥电气有限公司（虹桥镇·工业网格1）" in text
    assert "乐清市虹桥开关厂（虹桥镇·工业网格1）" in text
    # The member's own grid staff in full, to tap and call (issue: contacts members can use).
    assert "网格长：王网格长 +86 13900000004" in text
    assert "网格指导员：李指导员 +86 13900000005" in text
    # Nobody else's number appears (the other town's staff, members of other grids).
    assert "1390000000" not in text.replace("13900000004", "").replace("13900000005", "")


async def test_help_lists_only_the_commands_of_the_role(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    member_help = (await command(emulator, MEMBER_TG, "/help")).text or ""
    instructor_help = (await command(emulator, INSTRUCTOR_TG, "/help")).text or ""
    assert "/me" in member_help
    assert "/grid" not in member_help
    assert "/grid" in instructor_help
    assert "还没有绑定身份" not in member_help
