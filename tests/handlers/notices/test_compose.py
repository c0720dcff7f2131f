"""/notice through the real bot and the emulator: composing, attachments, the scope checked on
the server, delivery under flood control."""

import pytest

from emulator import BotApiEmulator
from models import notices as notice_queries
from models.db import transaction
from models.enums import Role
from models.tables import Assignment
from services.notices.buttons import NoticeScopeChoice
from services.notices.drafts import ScopeKind
from services.notices.panel import Delivery
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.notices.flow import (
    ADMIN_TG,
    GRID_HEAD_TG,
    INSTRUCTOR_TG,
    MEMBER_TG,
    OTHER_MEMBER_TG,
    PNG,
    STRANGER_TG,
    TOWN_HEAD_TG,
    Sessions,
    add_members,
    compose,
    notice_messages,
    notice_of,
    refresh,
    send,
    settled,
)

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_instructor_sends_to_own_grid_and_sees_who_has_read_it(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    for key, tg in (
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("grid_head", GRID_HEAD_TG),
    ):
        await bind(emulator, small_city, key, tg)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER_TG)
    preview = await compose(
        emulator, INSTRUCTOR_TG, "请于5日前报送<月报>&台账", scope="我的网格：虹桥镇·工业网格1"
    )
    assert "请于5日前报送<月报>&台账" in (preview.text or "")
    assert "接收人：2 人" in (preview.text or "")
    async with sessions() as session:
        assert (
            await notice_queries.notices_by_sender(
                session=session, sender_id=small_city.person_id("instructor"), limit=5
            )
            == []
        )  # nothing written before the confirm

    panel = await send(emulator, INSTRUCTOR_TG, preview)
    received = await emulator.wait_for_message(MEMBER_TG, lambda m: "📢" in (m.text or ""))
    assert "李指导员" in (received.text or "")
    assert "请于5日前报送<月报>&台账" in (received.text or "")
    notice_id = notice_of(received)
    await emulator.wait_for_message(GRID_HEAD_TG, lambda m: "📢" in (m.text or ""))
    status = await settled(sessions, notice_id)
    assert status.counts() == {
        "total": 2,
        "read": 0,
        "sent": 2,
        "pending": 0,
        "failed": 0,
        "blocked": 0,
        "unbound": 0,
    }
    assert notice_messages(emulator, OTHER_MEMBER_TG) == []
    assert notice_messages(emulator, INSTRUCTOR_TG) == []  # the sender is left out

    answer, edited = await press(
        emulator, MEMBER_TG, received, received.callback_data("已阅"), forge=False
    )
    assert answer == ""
    assert edited is not None
    assert edited.buttons[0]["text"].startswith("✅ 已阅 (")
    # Pressing again is harmless.
    again = await emulator.press_button(MEMBER_TG, received.message_id, f"nr:{notice_id}")
    assert (
        await emulator.wait_for_callback_answer(again)
    ).text == "您已确认过这条通知，无需重复确认。"

    text = await refresh(emulator, INSTRUCTOR_TG, panel)
    assert "接收人 2 人：已送达 2，已阅 1" in text
    assert "未阅（1）</b>" not in text  # tags are stripped by Telegram
    assert "未阅（1）：王网格长" in text
    assert "陈统计" not in text


async def test_a_document_and_a_photo_go_out_by_file_id_with_the_text_as_caption(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    preview = await compose(
        emulator,
        INSTRUCTOR_TG,
        "附件是年报填报说明",
        scope="我的网格：虹桥镇·工业网格1",
        audience="仅网格员",
        document=("年报说明.pdf", b"%PDF-1.4 test"),
    )
    assert "附件：文件" in (preview.text or "")
    assert "接收人：1 人" in (preview.text or "")
    await send(emulator, INSTRUCTOR_TG, preview)
    got = await emulator.wait_for_message(MEMBER_TG, lambda m: m.document is not None)
    assert got.method == "sendDocument"
    assert got.document is not None
    assert got.document.filename == "年报说明.pdf"
    assert "附件是年报填报说明" in (got.text or "")
    answer, edited = await press(emulator, MEMBER_TG, got, got.callback_data("已阅"), forge=False)
    assert answer == ""
    assert edited is not None
    assert edited.buttons[0]["text"].startswith("✅ 已阅")

    # A photo: the file a stranger uploaded gives us a file_id Telegram knows.
    emulator.user(STRANGER_TG)
    upload = await emulator.send_document(STRANGER_TG, "pic.png", PNG)
    preview = await compose(
        emulator,
        INSTRUCTOR_TG,
        "现场照片",
        scope="我的网格：虹桥镇·工业网格1",
        audience="仅网格员",
        photo_file_id=upload["document"]["file_id"],
    )
    assert "附件：图片" in (preview.text or "")
    await send(emulator, INSTRUCTOR_TG, preview)
    photo = await emulator.wait_for_message(MEMBER_TG, lambda m: m.photo is not None)
    assert photo.method == "sendPhoto"
    assert "现场照片" in (photo.text or "")
    assert photo.buttons[0]["text"] == "已阅"


async def test_scope_is_enforced_on_the_server(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    prompt = await command(emulator, INSTRUCTOR_TG, "/notice")
    assert "正文" in (prompt.text or "")
    ask_media = await command(emulator, INSTRUCTOR_TG, "越权测试")
    _, targets = await press(emulator, INSTRUCTOR_TG, ask_media, "nt:skip", forge=False)
    assert targets is not None
    assert [b["text"] for b in targets.buttons] == ["我的网格：虹桥镇·工业网格1"]
    town, other_grid = small_city.grids["虹桥镇"].id, small_city.grids["柳市镇网格"].id
    for forged in (
        NoticeScopeChoice(ScopeKind.TOWN, town or 0).pack(),
        NoticeScopeChoice(ScopeKind.CITY, 0).pack(),
        NoticeScopeChoice(ScopeKind.GRID, other_grid or 0).pack(),
    ):
        answer, edited = await press(emulator, INSTRUCTOR_TG, targets, forged, forge=True)
        assert "不在您的管辖范围" in answer
        assert edited is None
    # A button of a later step, forged now, is refused too.
    answer, edited = await press(emulator, INSTRUCTOR_TG, targets, "nt:ok", forge=True)
    assert "已失效" in answer
    assert edited is None
    # So is a scope button in the format of an older version.
    answer, edited = await press(emulator, INSTRUCTOR_TG, targets, f"nt:s:t:{town}", forge=True)
    assert "已失效" in answer
    assert edited is None
    cancelled = await command(emulator, INSTRUCTOR_TG, "/cancel")
    assert "已取消" in (cancelled.text or "")
    answer, _ = await press(
        emulator,
        INSTRUCTOR_TG,
        targets,
        targets.callback_data("我的网格：虹桥镇·工业网格1"),
        forge=False,
    )
    assert "已失效" in answer
    async with sessions() as session:
        assert (
            await notice_queries.notices_by_sender(
                session=session, sender_id=small_city.person_id("instructor"), limit=5
            )
            == []
        )

    # A 分管负责人 addresses their town, not another one nor the city; an admin any of them.
    async with transaction(sessions) as session:
        session.add(
            Assignment(
                person_id=small_city.person_id("town_head"),
                grid_id=small_city.grids["虹桥镇"].id or 0,
                role=Role.TOWN_DEPUTY,
            )
        )
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    await command(emulator, TOWN_HEAD_TG, "/notice")
    ask_media = await command(emulator, TOWN_HEAD_TG, "全镇通知")
    _, targets = await press(emulator, TOWN_HEAD_TG, ask_media, "nt:skip", forge=False)
    assert targets is not None
    assert [b["text"] for b in targets.buttons] == ["虹桥镇全镇（街道）"]
    other_town = small_city.grids["柳市镇"].id
    for forged in (
        NoticeScopeChoice(ScopeKind.TOWN, other_town or 0).pack(),
        NoticeScopeChoice(ScopeKind.CITY, 0).pack(),
    ):
        answer, _ = await press(emulator, TOWN_HEAD_TG, targets, forged, forge=True)
        assert "不在您的管辖范围" in answer
    _, roles = await press(
        emulator, TOWN_HEAD_TG, targets, targets.callback_data("虹桥镇全镇（街道）"), forge=False
    )
    assert roles is not None
    _, preview = await press(
        emulator, TOWN_HEAD_TG, roles, roles.callback_data("全体人员"), forge=False
    )
    assert preview is not None
    # 陈统计, 王网格长, 李指导员 (the town's people), not 柳市镇's.
    assert "接收人：3 人" in (preview.text or "")
    assert "其中 1 人未绑定" in (preview.text or "")

    await bind(emulator, small_city, "admin", ADMIN_TG)
    await command(emulator, ADMIN_TG, "/notice")
    ask_media = await command(emulator, ADMIN_TG, "全市通知")
    _, targets = await press(emulator, ADMIN_TG, ask_media, "nt:skip", forge=False)
    assert targets is not None
    assert [b["text"] for b in targets.buttons] == [
        "柳市镇全镇（街道）",
        "虹桥镇全镇（街道）",
        "全市（乐清市）",
    ]

    member = await command(emulator, MEMBER_TG, "/notice")
    assert "无权使用" in (member.text or "")


async def test_a_429_storm_during_a_notice_delivers_everything_once(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    members = await add_members(sessions, small_city, 40)
    for telegram_id in members:
        emulator.user(telegram_id)
    preview = await compose(
        emulator, INSTRUCTOR_TG, "风暴测试", scope="我的网格：虹桥镇·工业网格1", audience="仅网格员"
    )
    assert "接收人：41 人" in (preview.text or "")  # 陈统计 is not bound
    emulator.rate_limit_per_second = 30
    emulator.per_chat_rate_limit_per_second = 1
    emulator.fail_next("sendMessage", 429, retry_after=1, times=5)
    await send(emulator, INSTRUCTOR_TG, preview)
    first = await emulator.wait_for_message(
        members[0], lambda m: "📢" in (m.text or ""), timeout=20
    )
    status = await settled(sessions, notice_of(first), seconds=40)
    assert status.by_delivery[Delivery.SENT] == 40
    assert status.by_delivery[Delivery.UNBOUND] == 1
    for telegram_id in members:
        assert len(notice_messages(emulator, telegram_id)) == 1
