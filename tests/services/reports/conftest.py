"""The small city as the monthly report duty sees it, and submitting through the service."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.duties import claim
from models.enums import GridLevel, Industry, ReminderStatus, Role
from models.tables import (
    Assignment,
    Grid,
    Person,
    TelegramBinding,
)
from services.duties.base import Reminder
from services.duties.config import MonthlyReportConfig
from services.onboarding import load_viewer
from services.reports import submission as reports
from services.reports.monthly_duty import DUTY, MonthlyReportDuty, digest_target
from tests.conftest import SmallCity

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def duty(**overrides: object) -> MonthlyReportDuty:
    return MonthlyReportDuty(MonthlyReportConfig(**overrides), send_time=NINE, tz=SHANGHAI)


class City:
    """The small city plus a second 虹桥镇 grid with its own 网格长, a 分管负责人 for 虹桥镇,
    and Telegram accounts for the people the duty writes to."""

    def __init__(self, small: SmallCity, second_grid: Grid, second_head: Person, deputy: Person):
        self.small = small
        self.second_grid = second_grid
        self.second_head = second_head
        self.deputy = deputy

    def id(self, key: str) -> int:
        return self.small.person_id(key)

    def grid(self, key: str) -> int:
        grid_id = self.small.grids[key].id
        assert grid_id is not None
        return grid_id


@pytest.fixture
async def city(sessions: Sessions, small_city: SmallCity) -> City:
    async with transaction(sessions) as session:
        hongqiao = small_city.grids["虹桥镇"]
        second = Grid(
            level=GridLevel.GRID,
            name="虹桥镇·工业网格2",
            parent_id=hongqiao.id,
            industry=Industry.INDUSTRY,
            seq=2,
        )
        head = Person(name="赵网格长", mobile="13900000011")
        deputy = Person(name="钱分管", mobile="13900000012")
        session.add_all([second, head, deputy])
        await session.flush()
        assert second.id is not None
        assert head.id is not None
        assert deputy.id is not None
        assert hongqiao.id is not None
        session.add(Assignment(person_id=head.id, grid_id=second.id, role=Role.GRID_HEAD))
        session.add(Assignment(person_id=deputy.id, grid_id=hongqiao.id, role=Role.TOWN_DEPUTY))
        people = [small_city.person_id(k) for k in ("grid_head", "town_head", "admin")]
        for n, person_id in enumerate([*people, head.id, deputy.id]):
            session.add(TelegramBinding(person_id=person_id, telegram_user_id=9100 + n))
    return City(small_city, second, head, deputy)


async def submit(
    sessions: Sessions, city: City, *, key: str, grid_key: str, at: datetime, text: str = "x"
) -> reports.Submitted:
    """Submit a report as the person `key` through the service (what [提交] does)."""
    async with transaction(sessions) as session:
        viewer = await load_viewer(session=session, telegram_user_id=9100)
        assert viewer is not None
        assert viewer.person_id == city.id(key)
        draft = await reports.start_draft(
            session=session, viewer=viewer, grid_id=city.grid(grid_key), now=at, duty=duty()
        )
        draft.parts.extend([text, "报表按时报送", "暂无", "组织学习"])
        return await reports.submit_report(
            session=session, viewer=viewer, draft=draft, now=at, duty=duty()
        )


async def december(session: AsyncSession, at: str) -> list[Reminder]:
    """December's reminders due at `at` (November's steps are listed too, as the engine needs)."""
    due = await duty().reminders(session=session, at=local(at))
    return [r for r in due if r.period == "2026-12"]


async def digest_sent(sessions: Sessions, *, town_id: int, person_id: int, period: str) -> None:
    """What the duty engine records when it queues a period's digest to a person: the claim
    that lets them confirm [已听取汇报]."""
    async with transaction(sessions) as session:
        await claim(
            session=session,
            key=(DUTY, digest_target(town_id, person_id), period, "digest"),
            status=ReminderStatus.QUEUED,
            note=None,
            now=duty().schedule(period).digest_at,
        )
