"""/departments through the real bot: the city level sees each department's 五有 standing; a
town leader and a member are refused."""

import asyncio
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from services import texts as shared_texts
from services.oversight import departments
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

ADMIN_TG, TOWN_HEAD_TG, MEMBER_TG = 8601, 8602, 8603

pytestmark = pytest.mark.usefixtures("bot_app")


async def _record(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        for name in ("市经信局", "市<商务>局"):
            await departments.add_department(session=session, name=name)
        for item in departments.ITEMS:
            await departments.set_item(
                session=session,
                department="市经信局",
                item=item,
                met=True,
                evidence="经信〔2026〕1号",
                checked_on=date(2026, 3, 1),
                now=now,
            )
        await departments.set_item(
            session=session,
            department="市<商务>局",
            item="rules",
            met=False,
            evidence="制度在起草",
            checked_on=date(2026, 4, 2),
            now=now,
        )


async def test_admin_sees_who_meets_all_five(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _record(sessions)
    await bind(emulator, small_city, "admin", ADMIN_TG)
    reply = await command(emulator, ADMIN_TG, "/departments")
    text = reply.text or ""
    assert "达标 1/2 个部门：市经信局" in text
    assert "市经信局 ✅ 五有全部达标" in text
    assert "✅ 有一名分管领导（2026-03-01，经信〔2026〕1号）" in text
    # Escaped on the way in, shown as typed.
    assert "市<商务>局" in text
    assert "❌ 有一套全行业统计制度（2026-04-02，制度在起草）" in text
    assert "⬜ 有一名分管领导（未登记）" in text


async def test_town_leader_and_member_are_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _record(sessions)
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    town = await command(emulator, TOWN_HEAD_TG, "/departments")
    assert "仅供市级管理员和一级网格长查看" in (town.text or "")
    assert "市经信局" not in (town.text or "")
    member = await command(emulator, MEMBER_TG, "/departments")
    assert member.text == shared_texts.FORBIDDEN


async def test_many_departments_with_long_evidence_come_in_several_messages(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    now = datetime.now(UTC)
    names = [f"市第{n}局" for n in range(12)]
    async with transaction(sessions) as session:
        for name in names:
            await departments.add_department(session=session, name=name)
            for item in departments.ITEMS:
                await departments.set_item(
                    session=session,
                    department=name,
                    item=item,
                    met=True,
                    evidence="证" * 499 + "止",
                    checked_on=date(2026, 3, 1),
                    now=now,
                )
    await bind(emulator, small_city, "admin", ADMIN_TG)
    mark = emulator.checkpoint()
    await emulator.send_text(ADMIN_TG, "/departments")
    expected = len(names) * len(departments.ITEMS)

    def parts() -> list[str]:
        return [m.text or "" for m in emulator.sent_messages(ADMIN_TG) if m.seq > mark]

    deadline = time.monotonic() + 15
    while "".join(parts()).count("止") < expected:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    sent = parts()
    assert len(sent) > 1
    assert all(len(part) <= 4096 for part in sent)
    assert "".join(sent).count("止") == expected  # nothing lost
