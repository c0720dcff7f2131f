"""Walking the notice flows through the real bot and the emulator: compose up to the preview,
send, wait until the outbox has settled a notice."""

import asyncio
import time

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models import notices as notice_queries
from models.db import transaction
from models.enums import Industry, Scale
from models.tables import Person, SurveyObject, TelegramBinding
from services.notices import texts
from services.notices.panel import Delivery, NoticeStatus, notice_statuses
from tests.conftest import SmallCity
from tests.factories import valid_mobile, valid_uscc
from tests.handlers.chat import command, press

INSTRUCTOR_TG, MEMBER_TG, GRID_HEAD_TG, ADMIN_TG = 8101, 8102, 8103, 8104
TOWN_HEAD_TG, OTHER_MEMBER_TG, STRANGER_TG = 8105, 8106, 8199
# A 1x1 PNG header: enough for the emulator to accept it as a photo.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"

Sessions = async_sessionmaker[AsyncSession]


def notice_of(message: SentMessage) -> int:
    return int(message.callback_data(texts.NOTICE_READ).removeprefix("nr:"))


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


async def settled(sessions: Sessions, notice_id: int, seconds: float = 20.0) -> NoticeStatus:
    """Wait until no copy of the notice is still waiting in the outbox."""
    deadline = time.monotonic() + seconds
    while True:
        async with sessions() as session:
            notice = await notice_queries.notice_by_id(session=session, notice_id=notice_id)
            assert notice is not None
            status = (await notice_statuses(session=session, notices=[notice]))[notice_id]
        if status.by_delivery[Delivery.PENDING] == 0:
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
