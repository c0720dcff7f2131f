"""The sender's side through the real bot: delivery counts, [提醒未读], the automatic reminder
and /notices."""

from datetime import UTC, datetime, timedelta

import pytest

from emulator import BotApiEmulator
from handlers.context import GridApplication
from models import notices as notice_queries
from models.db import transaction
from services.notices.panel import Delivery
from services.notices.reminders import RemindResult, auto_remind_sweep, remind_unread
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.notices.flow import (
    ADMIN_TG,
    GRID_HEAD_TG,
    INSTRUCTOR_TG,
    MEMBER_TG,
    Sessions,
    compose,
    notice_of,
    refresh,
    send,
    settled,
)

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_a_member_who_blocked_the_bot_counts_as_blocked_and_the_instructor_is_told_once(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    for key, tg in (
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("grid_head", GRID_HEAD_TG),
    ):
        await bind(emulator, small_city, key, tg)
    preview = await compose(emulator, INSTRUCTOR_TG, "第一条", scope="我的网格：虹桥镇·工业网格1")
    emulator.block(MEMBER_TG)
    panel = await send(emulator, INSTRUCTOR_TG, preview)
    head_copy = await emulator.wait_for_message(GRID_HEAD_TG, lambda m: "📢" in (m.text or ""))
    status = await settled(sessions, notice_of(head_copy))
    assert status.by_delivery[Delivery.BLOCKED] == 1
    assert status.by_delivery[Delivery.SENT] == 1
    alert = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: "已屏蔽机器人" in (m.text or "")
    )
    assert "陈统计" in (alert.text or "")
    text = await refresh(emulator, INSTRUCTOR_TG, panel)
    assert "已屏蔽 1" in text
    assert "陈统计（已屏蔽）" in text

    # A second notice to the same grid: still blocked, and nobody is told again.
    preview = await compose(emulator, INSTRUCTOR_TG, "第二条", scope="我的网格：虹桥镇·工业网格1")
    assert "1 人已屏蔽机器人" in (preview.text or "")
    await send(emulator, INSTRUCTOR_TG, preview)
    second = await emulator.wait_for_message(
        GRID_HEAD_TG, lambda m: "第二条" in (m.text or ""), after=head_copy
    )
    status = await settled(sessions, notice_of(second))
    assert status.by_delivery[Delivery.BLOCKED] == 1
    alerts = [m for m in emulator.sent_messages(INSTRUCTOR_TG) if "已屏蔽机器人" in (m.text or "")]
    assert len(alerts) == 1


async def test_remind_unread_reaches_only_the_unconfirmed_and_at_most_hourly(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions, bot_app: GridApplication
) -> None:
    for key, tg in (
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("grid_head", GRID_HEAD_TG),
    ):
        await bind(emulator, small_city, key, tg)
    panel = await send(
        emulator,
        INSTRUCTOR_TG,
        await compose(emulator, INSTRUCTOR_TG, "请确认", scope="我的网格：虹桥镇·工业网格1"),
    )
    received = await emulator.wait_for_message(MEMBER_TG, lambda m: "📢" in (m.text or ""))
    head_copy = await emulator.wait_for_message(GRID_HEAD_TG, lambda m: "📢" in (m.text or ""))
    await press(emulator, MEMBER_TG, received, received.callback_data("已阅"), forge=False)

    mark = emulator.checkpoint()
    answer, _ = await press(
        emulator, INSTRUCTOR_TG, panel, panel.callback_data("提醒未读"), forge=False
    )
    assert answer == "已向 1 位未阅人员发送提醒。"
    reminder = await emulator.wait_for_message(
        GRID_HEAD_TG, lambda m: "⏰" in (m.text or ""), after=mark
    )
    assert "请确认" in (reminder.text or "")
    assert reminder.buttons[0]["callback_data"] == head_copy.callback_data("已阅")
    answer, _ = await press(
        emulator, INSTRUCTOR_TG, panel, panel.callback_data("提醒未读"), forge=False
    )
    assert answer.startswith("提醒过于频繁：每条通知每小时最多提醒一次，")
    await settled(sessions, notice_of(head_copy))
    assert [m for m in emulator.sent_messages(MEMBER_TG) if m.seq > mark] == []
    assert len([m for m in emulator.sent_messages(GRID_HEAD_TG) if "⏰" in (m.text or "")]) == 1

    # An hour later the sender may remind again.
    notice_id = notice_of(head_copy)
    async with transaction(sessions) as session:
        notice = await notice_queries.notice_by_id(session=session, notice_id=notice_id)
        assert notice is not None
        later = await remind_unread(
            session=session,
            notice=notice,
            now=datetime.now(UTC) + timedelta(minutes=61),
            settings=bot_app.bot_data.settings,
        )
    assert later == RemindResult(1)
    # Confirming from the reminder works too, and the panel shows everybody has read it.
    answer, edited = await press(
        emulator, GRID_HEAD_TG, reminder, reminder.callback_data("已阅"), forge=False
    )
    assert answer == ""
    assert edited is not None
    assert "全部已阅" in await refresh(emulator, INSTRUCTOR_TG, panel)


async def test_unread_recipients_are_reminded_once_automatically_after_a_day(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions, bot_app: GridApplication
) -> None:
    for key, tg in (
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("grid_head", GRID_HEAD_TG),
    ):
        await bind(emulator, small_city, key, tg)
    await send(
        emulator,
        INSTRUCTOR_TG,
        await compose(emulator, INSTRUCTOR_TG, "自动提醒测试", scope="我的网格：虹桥镇·工业网格1"),
    )
    received = await emulator.wait_for_message(MEMBER_TG, lambda m: "📢" in (m.text or ""))
    await press(emulator, MEMBER_TG, received, received.callback_data("已阅"), forge=False)
    async with sessions() as session:
        notice = await notice_queries.notice_by_id(session=session, notice_id=notice_of(received))
    assert notice is not None
    settings = bot_app.bot_data.settings
    for hours, expected in ((23, 0), (25, 1), (26, 0), (48, 0)):
        async with transaction(sessions) as session:
            queued = await auto_remind_sweep(
                session=session, now=notice.created_at + timedelta(hours=hours), settings=settings
            )
        assert queued == expected, hours
    bot_app.bot_data.outbox.wake()
    await emulator.wait_for_message(GRID_HEAD_TG, lambda m: "⏰" in (m.text or ""))
    await settled(sessions, notice.id or 0)
    assert len([m for m in emulator.sent_messages(GRID_HEAD_TG) if "⏰" in (m.text or "")]) == 1
    assert not [m for m in emulator.sent_messages(MEMBER_TG) if "⏰" in (m.text or "")]


async def test_notices_lists_the_senders_notices_and_opens_only_their_own_panels(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    for key, tg in (
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("grid_head", GRID_HEAD_TG),
    ):
        await bind(emulator, small_city, key, tg)
    empty = await command(emulator, INSTRUCTOR_TG, "/notices")
    assert "还没有发过通知" in (empty.text or "")
    for body in ("第一条通知", "第二条通知"):
        await send(
            emulator,
            INSTRUCTOR_TG,
            await compose(emulator, INSTRUCTOR_TG, body, scope="我的网格：虹桥镇·工业网格1"),
        )
    listing = await command(emulator, INSTRUCTOR_TG, "/notices")
    text = listing.text or ""
    assert text.index("第二条通知") < text.index("第一条通知")
    assert "已阅 0/2" in text
    first_button = listing.buttons[-1]
    answer, panel = await press(
        emulator, INSTRUCTOR_TG, listing, first_button["callback_data"], forge=False
    )
    assert answer == ""
    assert panel is not None
    assert "第一条通知" in (panel.text or "")
    assert [b["text"] for b in panel.buttons] == ["刷新", "提醒未读"]

    # The grid head may send notices too, but not follow the instructor's.
    head_list = await command(emulator, GRID_HEAD_TG, "/notices")
    for data in (
        first_button["callback_data"],
        first_button["callback_data"].replace("np:", "nm:"),
    ):
        answer, edited = await press(emulator, GRID_HEAD_TG, head_list, data, forge=True)
        assert answer == "只有通知的发送人或管理员可以查看这条通知的回执。"
        assert edited is None
    await bind(emulator, small_city, "admin", ADMIN_TG)
    admin_me = await command(emulator, ADMIN_TG, "/me")
    answer, opened = await press(
        emulator, ADMIN_TG, admin_me, first_button["callback_data"], forge=True
    )
    assert answer == ""
    assert opened is not None
    assert "第一条通知" in (opened.text or "")
