"""Check-in through the real bot: by code, by link and with location, outside the window."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from models.tables import Activity, Attendance
from services.activities.codes import code_at, code_step, link_token
from tests.conftest import SmallCity
from tests.handlers.activities.support import (
    LAT,
    LON,
    MEMBER_TG,
    OTHER_TG,
    PERIOD,
    STRANGER_TG,
    code_now,
    publish,
    say,
)
from tests.handlers.chat import bind, command

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_check_in_by_code_twice_and_from_another_grid(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "other_member", OTHER_TG)
    activity = await publish(emulator, sessions, small_city)
    done = await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    assert "签到成功" in (done.text or "")
    assert "【学习】统计法学习" in (done.text or "")
    again = await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    assert re.search(r"您已于 \d\d:\d\d 签到【学习】统计法学习，无需重复签到", again.text or "")
    outsider = await command(emulator, OTHER_TG, f"/checkin {code_now(activity)}")
    assert "不在" in (outsider.text or "")
    assert "参加网格" in (outsider.text or "")
    async with sessions() as session:
        rows = (await session.exec(select(Attendance))).all()
    assert [r.person_id for r in rows] == [small_city.person_id("member")]


async def test_forwarded_stale_code_and_wrong_code(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(emulator, sessions, small_city)
    step = code_step(datetime.now(UTC), PERIOD)
    # A code shown three periods ago and forwarded to someone not in the room.
    stale = code_at(activity.code_secret, step - 3)
    reply = await command(emulator, MEMBER_TG, f"/checkin {stale}")
    assert "已过期" in (reply.text or "")
    valid = {code_at(activity.code_secret, s) for s in range(step - 200, step + 2)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)
    reply = await command(emulator, MEMBER_TG, f"/checkin {wrong}")
    assert "签到码不正确" in (reply.text or "")
    async with sessions() as session:
        assert (await session.exec(select(Attendance))).all() == []


async def test_checkin_without_code_lists_open_activities_and_asks(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    nothing = await command(emulator, MEMBER_TG, "/checkin")
    assert "没有正在签到的活动" in (nothing.text or "")
    activity = await publish(emulator, sessions, small_city)
    asked = await command(emulator, MEMBER_TG, "/checkin")
    assert "正在签到的活动" in (asked.text or "")
    assert "【学习】统计法学习" in (asked.text or "")
    assert "6 位签到码" in (asked.text or "")
    await say(emulator, MEMBER_TG, "12345", "6 位数字")
    # Digits of another script passed the old `\d` check and then crashed the comparison.
    arabic = code_now(activity).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    await say(emulator, MEMBER_TG, f"{arabic[:3]} {arabic[3:]}", "签到成功")


async def test_check_in_by_link_and_unbound_user_is_told_to_bind(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(emulator, sessions, small_city)
    payload = f"ci_{link_token(activity.code_secret)}"
    done = await command(emulator, MEMBER_TG, f"/start {payload}")
    assert "签到成功" in (done.text or "")
    async with sessions() as session:
        [row] = (await session.exec(select(Attendance))).all()
    assert row.method is not None
    assert row.method.value == "二维码"
    emulator.user(STRANGER_TG, first_name="路人")
    refused = await command(emulator, STRANGER_TG, f"/start {payload}")
    assert "请先完成身份绑定" in (refused.text or "")
    unknown = await command(emulator, MEMBER_TG, "/start ci_" + "A" * 32)
    assert "签到链接无效" in (unknown.text or "")


async def test_location_inside_and_outside_the_radius(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(emulator, sessions, small_city, located=True)
    asked = await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    assert "需要核验位置" in (asked.text or "")
    keyboard = emulator.reply_keyboard(MEMBER_TG)
    assert keyboard is not None
    assert keyboard["keyboard"][0][0].get("request_location") is True
    async with sessions() as session:
        assert (await session.exec(select(Attendance))).all() == []
    mark = emulator.checkpoint()
    await emulator.share_location(MEMBER_TG, LAT + 0.01, LON)  # about 1.1 km away
    far = await emulator.wait_for_message(MEMBER_TG, after=mark)
    assert "约 1.1 公里" in (far.text or "")
    assert "超出签到范围（500 米）" in (far.text or "")
    mark = emulator.checkpoint()
    await emulator.share_location(MEMBER_TG, LAT + 0.001, LON)  # about 110 m
    done = await emulator.wait_for_message(MEMBER_TG, after=mark)
    assert "签到成功" in (done.text or "")
    assert emulator.reply_keyboard(MEMBER_TG) is None
    # A location out of the blue is not a check-in.
    mark = emulator.checkpoint()
    await emulator.share_location(MEMBER_TG, LAT, LON)
    stray = await emulator.wait_for_message(MEMBER_TG, after=mark)
    assert "没有待核验位置的签到" in (stray.text or "")


async def test_outside_the_window_and_cancelled(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    now = datetime.now(UTC)
    later = await publish(
        emulator,
        sessions,
        small_city,
        starts=now + timedelta(hours=2),
        ends=now + timedelta(hours=3),
    )
    early = await command(emulator, MEMBER_TG, f"/checkin {code_now(later)}")
    assert "签到尚未开始" in (early.text or "")
    assert "开放" in (early.text or "")
    ended = await publish(
        emulator,
        sessions,
        small_city,
        starts=now - timedelta(hours=3),
        ends=now - timedelta(minutes=5),
        now=now - timedelta(hours=4),
    )
    closed = await command(emulator, MEMBER_TG, f"/checkin {code_now(ended)}")
    assert "签到已关闭" in (closed.text or "")
    async with transaction(sessions) as session:
        stored = await session.get(Activity, later.id)
        assert stored is not None
        stored.cancelled_at = now
        session.add(stored)
    cancelled = await command(emulator, MEMBER_TG, f"/checkin {code_now(later)}")
    assert "已取消" in (cancelled.text or "")
