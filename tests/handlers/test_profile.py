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


async def test_menus_and_help_list_exactly_what_the_viewer_may_do(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    """An instructor neither submits the monthly report (the 网格长 does) nor sees the
    departments' 五有 (the city level does): neither is offered to them; the 网格长 is offered
    /report and the admin /departments, in the menu and in /help alike."""
    head_tg, admin_tg = 8103, 8104
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "grid_head", head_tg)
    await bind(emulator, small_city, "admin", admin_tg)

    def menu(telegram_id: int) -> set[str]:
        scope = {"type": "chat", "chat_id": telegram_id}
        return {c["command"] for c in emulator.commands(scope)}

    instructor_help = (await command(emulator, INSTRUCTOR_TG, "/help")).text or ""
    assert "/report" not in instructor_help
    assert "/departments" not in instructor_help
    assert {"report", "departments"}.isdisjoint(menu(INSTRUCTOR_TG))
    assert "grid" in menu(INSTRUCTOR_TG)
    head_help = (await command(emulator, head_tg, "/help")).text or ""
    assert "/report" in head_help
    assert "report" in menu(head_tg)
    assert "departments" not in menu(head_tg)
    admin_help = (await command(emulator, admin_tg, "/help")).text or ""
    assert "/departments" in admin_help
    assert "departments" in menu(admin_tg)
    assert "report" not in menu(admin_tg)


async def test_a_typo_d_command_gets_the_nearest_command_the_viewer_may_use(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    head_tg = 8105
    await bind(emulator, small_city, "grid_head", head_tg)
    await bind(emulator, small_city, "member", MEMBER_TG)
    typo = await command(emulator, head_tg, "/reprot")
    assert (typo.text or "") == "没有 /reprot 这个命令。您是不是想用 /report（月度网格情况汇报）？"
    # A member may not use /report: it is never suggested to them.
    member = await command(emulator, MEMBER_TG, "/reprot")
    assert "/report" not in (member.text or "")
    assert "没有 /reprot 这个命令" in (member.text or "")
    checkin = await command(emulator, MEMBER_TG, "/chekin")
    assert "您是不是想用 /checkin" in (checkin.text or "")
    nothing = await command(emulator, MEMBER_TG, "/weather")
    assert (nothing.text or "") == "没有 /weather 这个命令。发送 /help 查看您可以使用的命令。"
    plain = await command(emulator, MEMBER_TG, "今天天气怎么样")
    assert "这个命令" not in (plain.text or "")  # not a command: answered as text


async def test_cancel_with_nothing_in_progress_says_so(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    reply = await command(emulator, MEMBER_TG, "/cancel")
    assert (reply.text or "") == "当前没有进行中的操作，不需要取消。发送 /help 查看可以使用的功能。"
    # Inside a conversation /cancel still ends it (its own handler).
    await command(emulator, MEMBER_TG, "/study")
    ended = await command(emulator, MEMBER_TG, "/cancel")
    assert "不需要取消" not in (ended.text or "")
