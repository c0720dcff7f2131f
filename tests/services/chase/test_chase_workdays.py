"""Chasing on working days: a list confirmed on a Saturday goes out on Monday morning; a
statistician is chased at most once per working day, however many imports."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import OutboxMessage, TelegramBinding
from services.chase.applying import ConfirmResult, confirm_import
from services.chase.preview import prepare_import
from tests.conftest import SmallCity
from tests.handlers.chase.chase_support import EXAMPLE

TZ = ZoneInfo("Asia/Shanghai")
SEND_TIME = time(9, 0)


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


async def import_at(sessions: async_sessionmaker[AsyncSession], moment: str) -> ConfirmResult:
    now = shanghai(moment)
    async with sessions() as session:
        preview = await prepare_import(
            session=session,
            file_name=EXAMPLE.name,
            data=EXAMPLE.read_bytes(),
            period=None,
            viewer=None,
            now=now,
            tz=TZ,
        )
        assert preview.import_id is not None
        result = await confirm_import(
            session=session,
            import_id=preview.import_id,
            viewer=None,
            now=now,
            tz=TZ,
            send_time=SEND_TIME,
        )
        await session.commit()
    return result


async def test_saturday_lists_go_out_on_monday_and_once_per_working_day(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    async with sessions() as session, session.begin():
        session.add(
            TelegramBinding(person_id=small_city.person_id("member"), telegram_user_id=5551)
        )
    saturday = await import_at(sessions, "2026-12-05T10:00")
    assert saturday.messages == 1
    assert saturday.unreachable == 1  # 周统计 is not bound
    # Saturday's chase counts for Monday: a second list on Sunday sends nothing new.
    sunday = await import_at(sessions, "2026-12-06T10:00")
    assert (sunday.messages, sunday.already_today) == (0, 1)
    monday = await import_at(sessions, "2026-12-07T10:00")
    assert (monday.messages, monday.already_today) == (0, 1)
    tuesday = await import_at(sessions, "2026-12-08T10:00")
    assert tuesday.messages == 1
    async with sessions() as session:
        queued = (
            await session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "chase")
                .order_by(col(OutboxMessage.id))
            )
        ).all()
    assert [m.not_before for m in queued] == [
        shanghai("2026-12-07T09:00"),
        shanghai("2026-12-08T10:00"),
    ]
    assert all(m.chat_id == 5551 for m in queued)
