"""/audit through the real bot: admins read the trail (here an FAQ approval and bindings),
everyone else is refused."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import AuditEntry, FaqCandidate
from services.questions import texts as question_texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

ADMIN = 7001
TOWN_HEAD = 7002
INSTRUCTOR = 7003

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_faq_approval_is_audited_and_listed_for_admins_only(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    async with sessions() as session, session.begin():
        session.add(
            FaqCandidate(
                question="统计台账要保存几年？",
                answer="至少保存两年。",
                author_id=small_city.person_id("instructor"),
            )
        )
    review = await command(emulator, ADMIN, "/faqreview")
    approve = next(
        b["callback_data"] for b in review.buttons if b["text"] == question_texts.FAQREVIEW_APPROVE
    )
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, review, approve, forge=False)
    await emulator.wait_for_message(
        ADMIN, lambda m: m.text == question_texts.FAQREVIEW_APPROVED, after=mark
    )
    async with sessions() as session:
        found = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert [e.action for e in found] == [
        "binding.invite",
        "binding.invite",
        "binding.invite",
        "faq.approve",
    ]
    approved = found[-1]
    assert approved.actor_id == small_city.person_id("admin")
    assert approved.channel == "chat"
    assert "统计台账要保存几年" in approved.summary

    listing = await command(emulator, ADMIN, "/audit")
    text = listing.text or ""
    assert "操作记录" in text
    assert text.index("通过解答") < text.index("邀请链接绑定")  # newest first
    assert "金管理" in text
    assert "gridbot audit export" in text

    for other in (TOWN_HEAD, INSTRUCTOR):
        refused = await command(emulator, other, "/audit")
        assert "通过解答" not in (refused.text or "")
