"""Shared by the activities chat tests: the users, an activity published by the service, its
current code, waiting for replies, opening the organiser's panel."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.db import transaction
from models.enums import ActivityKind
from models.tables import Activity, OutboxMessage, Person
from services.activities.codes import current_code
from services.activities.publish import ActivityDraft, publish_activity
from services.onboarding import viewers_for
from tests.conftest import SmallCity
from tests.handlers.chat import press

HEAD_TG, INSTRUCTOR_TG, MEMBER_TG, OTHER_TG, TOWN_HEAD_TG, STRANGER_TG = (
    7001,
    7002,
    7003,
    7004,
    7005,
    7006,
)
PERIOD = 60
LAT, LON = 28.1530, 120.9650
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def publish(
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    *,
    starts: datetime | None = None,
    ends: datetime | None = None,
    located: bool = False,
    now: datetime | None = None,
    organiser: str = "grid_head",
) -> Activity:
    """An activity of 虹桥镇网格 by its 网格长 (or `organiser`), published by the service
    (ongoing by default), once its invitations have arrived: they would otherwise race a
    test's next reply."""
    mark = emulator.checkpoint()
    real_now = datetime.now(UTC)
    starts = starts or real_now - timedelta(minutes=10)
    ends = ends or real_now + timedelta(hours=1)
    async with transaction(sessions) as session:
        head = await session.get(Person, city.person_id(organiser))
        assert head is not None
        viewer = (await viewers_for(session=session, persons=[head]))[city.person_id(organiser)]
        published = await publish_activity(
            session=session,
            viewer=viewer,
            draft=ActivityDraft(
                kind=ActivityKind.STUDY,
                title="统计法学习",
                starts_at=starts,
                ends_at=ends,
                place="虹桥镇政府三楼会议室",
                latitude=LAT if located else None,
                longitude=LON if located else None,
                grid_ids=[city.grids["虹桥镇网格"].id or 0],
            ),
            now=now or real_now,
            tz=SHANGHAI,
        )
    async with sessions() as session:
        invited = await session.exec(
            select(OutboxMessage.chat_id).where(
                OutboxMessage.ref == f"activity:{published.activity.id}"
            )
        )
        chat_ids = list(invited.all())
    for chat_id in chat_ids:
        await next_message(emulator, chat_id, mark, "网格活动邀请")
    return published.activity


def code_now(activity: Activity) -> str:
    return current_code(activity, now=datetime.now(UTC), period_s=PERIOD).code


async def next_message(
    emulator: BotApiEmulator, chat_id: int, mark: int, needle: str
) -> SentMessage:
    return await emulator.wait_for_message(chat_id, lambda m: needle in (m.text or ""), after=mark)


async def say(emulator: BotApiEmulator, chat_id: int, text: str, needle: str) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_text(chat_id, text)
    return await next_message(emulator, chat_id, mark, needle)


async def open_panel(emulator: BotApiEmulator, tg: int) -> SentMessage:
    listing = await emulator.wait_for_message(
        tg, lambda m: "我组织" in (m.text or ""), after=await send(emulator, tg, "/activities")
    )
    mark = emulator.checkpoint()
    await press(emulator, tg, listing, listing.buttons[0]["callback_data"], forge=False)
    return await next_message(emulator, tg, mark, "签到情况")


async def send(emulator: BotApiEmulator, tg: int, text: str) -> int:
    mark = emulator.checkpoint()
    await emulator.send_text(tg, text)
    return mark
