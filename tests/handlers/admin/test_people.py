"""/person and the handover through the real bot, then the successor binding by phone."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import AuditEntry, Person, SurveyObject, TelegramBinding
from services.onboarding import texts as onboarding_texts
from services.people import texts
from services.people.buttons import DeactivateStart, HandoverConfirm
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

ADMIN = 7201
MEMBER = 7202
TOWN_HEAD = 7203
SUCCESSOR = 7204
NEW_MOBILE = "13711112222"

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_handover_in_the_chat_then_the_successor_binds_by_phone(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "member", MEMBER)
    card = await command(emulator, ADMIN, "/person 138 1234 5678")
    text = card.text or ""
    assert "陈统计" in text
    assert "138****5678" in text
    assert "网格员" in text
    assert "负责企业：2 家" in text
    assert "已绑定" in text
    assert str(MEMBER) not in text  # the account id is masked too
    by_name = await command(emulator, ADMIN, "/person 陈统计")
    assert by_name.text == card.text

    mark = emulator.checkpoint()
    await press(emulator, ADMIN, card, card.callback_data(texts.HANDOVER_BUTTON), forge=False)
    ask = await emulator.wait_for_message(
        ADMIN, lambda m: "/handover" in (m.text or ""), after=mark
    )
    member_id = small_city.person_id("member")
    assert f"/handover {member_id}" in (ask.text or "")

    bad = await command(emulator, ADMIN, f"/handover {member_id} 新统计 123")
    assert bad.text is not None
    assert "没有读懂" in bad.text
    preview = await command(emulator, ADMIN, f"/handover {member_id} 新统计 +86 137-1111-2222")
    assert "确认交接" in (preview.text or "")
    assert "137****2222" in (preview.text or "")
    async with sessions() as session:
        assert (
            await session.exec(select(Person).where(Person.mobile == NEW_MOBILE))
        ).first() is None

    mark = emulator.checkpoint()
    await press(
        emulator, ADMIN, preview, preview.callback_data(texts.HANDOVER_CONFIRM), forge=False
    )
    done = await emulator.wait_for_message(
        ADMIN, lambda m: "交接完成" in (m.text or ""), after=mark
    )
    assert "https://t.me/" in (done.text or "")
    async with sessions() as session:
        new = (await session.exec(select(Person).where(Person.mobile == NEW_MOBILE))).one()
        old = await session.get(Person, member_id)
        assert old is not None
        assert not old.active
        kept = (
            await session.exec(
                select(SurveyObject.statistician_id).where(col(SurveyObject.name).contains("虹桥"))
            )
        ).all()
        assert set(kept) == {new.id}
        live = (
            await session.exec(
                select(TelegramBinding).where(
                    TelegramBinding.person_id == member_id, col(TelegramBinding.ended_at).is_(None)
                )
            )
        ).all()
        assert live == []
        entries = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "person.handover"))
        ).all()
    [entry] = entries
    assert entry.actor_id == small_city.person_id("admin")
    assert "新统计" in entry.summary
    assert "陈统计" in entry.summary
    # Pressing again hands nothing over twice.
    again, _ = await press(
        emulator,
        ADMIN,
        preview,
        HandoverConfirm(member_id, NEW_MOBILE, "新统计").pack(),
        forge=True,
    )
    assert "已被替换" in again

    # The successor binds at once by sharing their number.
    emulator.user(SUCCESSOR, phone_number="+8613711112222")
    await command(emulator, SUCCESSOR, "/start")
    mark = emulator.checkpoint()
    await emulator.press_reply_button(SUCCESSOR, onboarding_texts.SHARE_PHONE_BUTTON)
    greeting = await emulator.wait_for_message(SUCCESSOR, after=mark)
    assert "绑定成功" in (greeting.text or "")
    assert "新统计" in (greeting.text or "")
    assert "网格员 · 虹桥镇·工业网格1" in (greeting.text or "")


async def test_non_admins_cannot_look_up_or_hand_over(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    refused = await command(emulator, TOWN_HEAD, "/person 13812345678")
    assert refused.text == texts.NOT_ALLOWED
    refused = await command(emulator, TOWN_HEAD, "/handover 1 新统计 13711112222")
    assert refused.text == texts.NOT_ALLOWED
    forged = HandoverConfirm(small_city.person_id("member"), NEW_MOBILE, "新统计").pack()
    answer, _ = await press(emulator, TOWN_HEAD, refused, forged, forge=True)
    assert answer == texts.NOT_ALLOWED
    async with sessions() as session:
        assert (
            await session.exec(select(Person).where(Person.mobile == NEW_MOBILE))
        ).first() is None
        assert (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "person.handover"))
        ).all() == []


async def test_rebind_same_person_on_a_new_account(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "member", MEMBER)
    card = await command(emulator, ADMIN, "/person 13812345678")
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, card, card.callback_data(texts.REBIND_BUTTON), forge=False)
    ask = await emulator.wait_for_message(ADMIN, lambda m: bool(m.buttons), after=mark)
    assert "重新绑定 陈统计" in (ask.text or "")
    async with sessions() as session:
        # Nothing ends before the confirmation.
        assert len((await session.exec(select(TelegramBinding))).all()) == 2
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, ask, ask.callback_data(texts.REBIND_CONFIRM), forge=False)
    done = await emulator.wait_for_message(ADMIN, lambda m: "已解除" in (m.text or ""), after=mark)
    assert "https://t.me/" in (done.text or "")
    async with sessions() as session:
        ended = (
            await session.exec(
                select(TelegramBinding).where(
                    TelegramBinding.person_id == small_city.person_id("member")
                )
            )
        ).one()
        [entry] = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "binding.rebind"))
        ).all()
    assert ended.ended_at is not None
    assert entry.actor_id == small_city.person_id("admin")
    # The same person binds again from a new account by phone.
    emulator.user(SUCCESSOR, phone_number="13812345678")
    await command(emulator, SUCCESSOR, "/start")
    mark = emulator.checkpoint()
    await emulator.press_reply_button(SUCCESSOR, onboarding_texts.SHARE_PHONE_BUTTON)
    greeting = await emulator.wait_for_message(SUCCESSOR, after=mark)
    assert "绑定成功" in (greeting.text or "")
    assert "陈统计" in (greeting.text or "")


async def test_deactivate_only_someone_without_seat(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    card = await command(emulator, ADMIN, "/person 13812345678")
    busy, _ = await press(
        emulator,
        ADMIN,
        card,
        DeactivateStart(small_city.person_id("member"), confirm=True).pack(),
        forge=True,
    )
    assert "仍负责 2 家企业" in busy
    async with sessions() as session, session.begin():
        session.add(Person(name="离职人员", mobile="13600000001"))
    card = await command(emulator, ADMIN, "/person 离职人员")
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, card, card.callback_data(texts.DEACTIVATE_BUTTON), forge=False)
    ask = await emulator.wait_for_message(ADMIN, lambda m: bool(m.buttons), after=mark)
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, ask, ask.callback_data(texts.DEACTIVATE_CONFIRM), forge=False)
    done = await emulator.wait_for_message(ADMIN, lambda m: "已停用" in (m.text or ""), after=mark)
    assert "离职人员" in (done.text or "")
    async with sessions() as session:
        gone = (await session.exec(select(Person).where(Person.mobile == "13600000001"))).one()
        actions = [e.action for e in (await session.exec(select(AuditEntry))).all()]
    assert not gone.active
    assert "person.deactivate" in actions
    # A deactivated person cannot bind by phone.
    emulator.user(SUCCESSOR, phone_number="13600000001")
    await command(emulator, SUCCESSOR, "/start")
    mark = emulator.checkpoint()
    await emulator.press_reply_button(SUCCESSOR, onboarding_texts.SHARE_PHONE_BUTTON)
    refused = await emulator.wait_for_message(SUCCESSOR, after=mark)
    assert "已不在花名册中" in (refused.text or "")
