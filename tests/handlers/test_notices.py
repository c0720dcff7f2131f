"""/notice, [已阅], the sender's panel and /notices through the real bot and the emulator."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from handlers.context import GridApplication
from models import notices as notice_queries
from models.db import transaction
from models.enums import Industry, Role, Scale
from models.tables import Assignment, Notice, Person, SurveyObject, TelegramBinding
from services import notices
from services.onboarding import load_viewer
from tests.conftest import SmallCity
from tests.factories import valid_mobile, valid_uscc
from tests.handlers.chat import bind, command, press

INSTRUCTOR_TG, MEMBER_TG, GRID_HEAD_TG, ADMIN_TG = 8101, 8102, 8103, 8104
TOWN_HEAD_TG, OTHER_MEMBER_TG, STRANGER_TG = 8105, 8106, 8199
# A 1x1 PNG header: enough for the emulator to accept it as a photo.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"

Sessions = async_sessionmaker[AsyncSession]


def notice_of(message: SentMessage) -> int:
    return int(message.callback_data(notices.texts.NOTICE_READ).removeprefix("nr:"))


async def compose(
    emulator: BotApiEmulator,
    telegram_id: int,
    body: str,
    *,
    scope: str,
    audience: str = "全体人员",
    document: tuple[str, bytes] | None = None,
    photo_file_id: str | None = None,
) -> SentMessage:
    """Walk /notice up to the preview; returns the preview message."""
    prompt = await command(emulator, telegram_id, "/notice")
    assert "请发送通知正文" in (prompt.text or "")
    ask_media = await command(emulator, telegram_id, body)
    assert ask_media.buttons == [{"text": "跳过", "callback_data": "nt:skip"}]
    if document is not None or photo_file_id is not None:
        mark = emulator.checkpoint()
        if document is not None:
            await emulator.send_document(telegram_id, document[0], document[1])
        else:
            await emulator.send_raw_message(
                telegram_id,
                {
                    "photo": [
                        {"file_id": photo_file_id, "file_unique_id": "p1", "width": 1, "height": 1}
                    ]
                },
            )
        targets = await emulator.wait_for_message(telegram_id, after=mark)
    else:
        answer, edited = await press(emulator, telegram_id, ask_media, "nt:skip", forge=False)
        assert answer == ""
        assert edited is not None
        targets = edited
    assert "发送给谁" in (targets.text or "")
    answer, roles = await press(
        emulator, telegram_id, targets, targets.callback_data(scope), forge=False
    )
    assert answer == "", answer
    assert roles is not None
    answer, preview = await press(
        emulator, telegram_id, roles, roles.callback_data(audience), forge=False
    )
    assert answer == ""
    assert preview is not None
    assert "通知预览" in (preview.text or "")
    return preview


async def send(emulator: BotApiEmulator, telegram_id: int, preview: SentMessage) -> SentMessage:
    answer, panel = await press(
        emulator, telegram_id, preview, preview.callback_data("确认发送"), forge=False
    )
    assert answer == ""
    assert panel is not None
    assert "通知 #" in (panel.text or "")
    return panel


async def settled(
    sessions: Sessions, notice_id: int, seconds: float = 20.0
) -> notices.NoticeStatus:
    """Wait until no copy of the notice is still waiting in the outbox."""
    deadline = time.monotonic() + seconds
    while True:
        async with sessions() as session:
            notice = await notice_queries.notice_by_id(session=session, notice_id=notice_id)
            assert notice is not None
            status = (await notices.notice_statuses(session=session, notices=[notice]))[notice_id]
        if status.by_delivery[notices.Delivery.PENDING] == 0:
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"notice {notice_id} not settled: {status.counts()}")
        await asyncio.sleep(0.05)


def notice_messages(emulator: BotApiEmulator, chat_id: int) -> list[SentMessage]:
    return [m for m in emulator.sent_messages(chat_id) if "📢" in (m.text or "")]


async def refresh(emulator: BotApiEmulator, telegram_id: int, panel: SentMessage) -> str:
    answer, edited = await press(
        emulator, telegram_id, panel, panel.callback_data("刷新"), forge=False
    )
    assert answer == ""
    assert edited is not None
    return edited.text or ""


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
    for forged in (f"nt:s:t:{town}", "nt:s:c:0", f"nt:s:g:{other_grid}"):
        answer, edited = await press(emulator, INSTRUCTOR_TG, targets, forged, forge=True)
        assert "不在您的管辖范围" in answer
        assert edited is None
    # A button of a later step, forged now, is refused too.
    answer, edited = await press(emulator, INSTRUCTOR_TG, targets, "nt:ok", forge=True)
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
    for forged in (f"nt:s:t:{other_town}", "nt:s:c:0"):
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


async def test_a_forged_receipt_for_a_notice_the_member_did_not_get_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER_TG)
    await bind(emulator, small_city, "admin", ADMIN_TG)
    preview = await compose(emulator, ADMIN_TG, "柳市镇专项通知", scope="柳市镇全镇（街道）")
    await send(emulator, ADMIN_TG, preview)
    received = await emulator.wait_for_message(OTHER_MEMBER_TG, lambda m: "📢" in (m.text or ""))
    notice_id = notice_of(received)
    me = await command(emulator, MEMBER_TG, "/me")
    for forged in (f"nr:{notice_id}", "nr:999999"):
        answer, edited = await press(emulator, MEMBER_TG, me, forged, forge=True)
        assert answer == "这条通知不是发给您的，无法确认。"
        assert edited is None
    async with sessions() as session:
        member_copy = await notice_queries.recipient(
            session=session, notice_id=notice_id, person_id=small_city.person_id("member")
        )
        other_copy = await notice_queries.recipient(
            session=session, notice_id=notice_id, person_id=small_city.person_id("other_member")
        )
    assert member_copy is None
    assert other_copy is not None
    assert other_copy.confirmed_at is None


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
    assert status.by_delivery[notices.Delivery.BLOCKED] == 1
    assert status.by_delivery[notices.Delivery.SENT] == 1
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
    assert status.by_delivery[notices.Delivery.BLOCKED] == 1
    alerts = [m for m in emulator.sent_messages(INSTRUCTOR_TG) if "已屏蔽机器人" in (m.text or "")]
    assert len(alerts) == 1


async def add_members(sessions: Sessions, small_city: SmallCity, count: int) -> list[int]:
    """`count` more bound members of 虹桥镇网格; returns their Telegram ids."""
    grid = small_city.grids["虹桥镇网格"]
    telegram_ids = []
    async with transaction(sessions) as session:
        for n in range(count):
            person = Person(name=f"统计员{n:02d}", mobile=valid_mobile(5000 + n))
            session.add(person)
            await session.flush()
            assert person.id is not None
            assert grid.id is not None
            assert grid.parent_id is not None
            session.add(
                SurveyObject(
                    name=f"乐清市测试{n}有限公司",
                    uscc=valid_uscc(5000 + n),
                    industry=Industry.INDUSTRY,
                    scale=Scale.ABOVE_SCALE,
                    town_id=grid.parent_id,
                    grid_id=grid.id,
                    statistician_id=person.id,
                )
            )
            session.add(TelegramBinding(person_id=person.id, telegram_user_id=30_000 + n))
            telegram_ids.append(30_000 + n)
    return telegram_ids


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
    assert status.by_delivery[notices.Delivery.SENT] == 40
    assert status.by_delivery[notices.Delivery.UNBOUND] == 1
    for telegram_id in members:
        assert len(notice_messages(emulator, telegram_id)) == 1


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
        later = await notices.remind_unread(
            session=session,
            notice=notice,
            now=datetime.now(UTC) + timedelta(minutes=61),
            settings=bot_app.bot_data.settings,
        )
    assert later == notices.RemindResult(1)
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
            queued = await notices.auto_remind_sweep(
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


async def test_the_notice_to_do_lists_what_the_member_has_not_confirmed(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    for key, tg in (("instructor", INSTRUCTOR_TG), ("member", MEMBER_TG)):
        await bind(emulator, small_city, key, tg)
    await send(
        emulator,
        INSTRUCTOR_TG,
        await compose(emulator, INSTRUCTOR_TG, "待办测试<b>", scope="我的网格：虹桥镇·工业网格1"),
    )
    received = await emulator.wait_for_message(MEMBER_TG, lambda m: "📢" in (m.text or ""))
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER_TG)
        assert viewer is not None
        (item,) = await notices.todo_items(session=session, viewer=viewer, now=datetime.now(UTC))
    assert item.section == "待确认通知"
    assert "待办测试&lt;b&gt;" in item.text
    assert "李指导员" in item.text
    await press(emulator, MEMBER_TG, received, received.callback_data("已阅"), forge=False)
    async with sessions() as session:
        assert await notices.todo_items(session=session, viewer=viewer, now=datetime.now(UTC)) == []
        assert isinstance(await session.get(Notice, notice_of(received)), Notice)
