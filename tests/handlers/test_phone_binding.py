"""Binding by phone through the real bot: the one-tap request_contact button, own and
forwarded contacts, other number formats, unknown and already-bound numbers, the rate limit,
the staff's list of unmatched numbers, and the audit entries."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.tables import AuditEntry, PhoneAttempt, TelegramBinding
from services.onboarding import texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command
from tests.handlers.test_onboarding import MEMBER_MENU, menu

NEWCOMER = 6001
STRANGER = 6002
ADMIN_TG = 6003
MEMBER_MOBILE = "13812345678"
CHECK_ROSTER = "请联系网格指导员或乡镇统计中心核对花名册中的手机号"

pytestmark = pytest.mark.usefixtures("bot_app")


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {"phone_attempts_per_hour": 4}


async def live_bindings(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, int]]:
    async with sessions() as session:
        rows = await session.exec(
            select(TelegramBinding)
            .where(col(TelegramBinding.ended_at).is_(None))
            .order_by(col(TelegramBinding.id))
        )
        return [(b.person_id, b.telegram_user_id) for b in rows.all()]


async def audit_actions(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
        return [(e.action, e.summary) for e in rows.all()]


async def ask(emulator: BotApiEmulator, telegram_id: int, start: str = "/start") -> SentMessage:
    reply = await command(emulator, telegram_id, start)
    assert "分享我的手机号" in (reply.text or "")
    keyboard = emulator.reply_keyboard(telegram_id)
    assert keyboard is not None
    assert keyboard["keyboard"] == [[{"text": texts.SHARE_PHONE_BUTTON, "request_contact": True}]]
    return reply


async def share_own(emulator: BotApiEmulator, telegram_id: int) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.press_reply_button(telegram_id, texts.SHARE_PHONE_BUTTON)
    return await emulator.wait_for_message(telegram_id, after=mark)


@pytest.mark.parametrize("start", ["/start", "/start join"])
async def test_own_contact_binds_greets_sets_menu_and_removes_keyboard(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    start: str,
) -> None:
    emulator.user(NEWCOMER, first_name="陈", phone_number="+8613812345678")
    await ask(emulator, NEWCOMER, start)
    reply = await share_own(emulator, NEWCOMER)
    assert "绑定成功" in (reply.text or "")
    assert "陈统计" in (reply.text or "")
    assert "网格员 · 虹桥镇·工业网格1" in (reply.text or "")
    assert emulator.reply_keyboard(NEWCOMER) is None
    assert await live_bindings(sessions) == [(small_city.person_id("member"), NEWCOMER)]
    assert menu(emulator, NEWCOMER) == MEMBER_MENU
    [(action, summary)] = await audit_actions(sessions)
    assert action == "binding.phone"
    assert "陈统计" in summary
    assert "138****5678" in summary
    # Bound now: /start greets instead of asking again.
    again = await command(emulator, NEWCOMER, "/start")
    assert "欢迎回到" in (again.text or "")
    assert emulator.reply_keyboard(NEWCOMER) is None


@pytest.mark.parametrize("number", ["8613812345678", "+86 138-1234-5678", "0086 138 1234 5678"])
async def test_other_formats_of_the_number_bind(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    number: str,
) -> None:
    emulator.user(NEWCOMER, phone_number=number)
    await ask(emulator, NEWCOMER)
    reply = await share_own(emulator, NEWCOMER)
    assert "绑定成功" in (reply.text or "")
    assert await live_bindings(sessions) == [(small_city.person_id("member"), NEWCOMER)]


async def test_forwarded_or_someone_elses_contact_is_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    del small_city
    emulator.user(STRANGER, first_name="路人")
    await ask(emulator, STRANGER)
    # The member's card from the address book, and the same card forwarded.
    cases = [
        {"contact_user_id": NEWCOMER},
        {"contact_user_id": None},
        {"contact_user_id": NEWCOMER, "forwarded_from": NEWCOMER},
    ]
    for case in cases:
        mark = emulator.checkpoint()
        await emulator.send_contact(STRANGER, MEMBER_MOBILE, own=False, first_name="陈", **case)
        reply = await emulator.wait_for_message(STRANGER, after=mark)
        assert "只能用您本人的手机号绑定" in (reply.text or "")
        # The button stays: it is what works.
        assert emulator.reply_keyboard(STRANGER) is not None
    # A forwarded message of one's own contact is not one's own share either.
    mark = emulator.checkpoint()
    await emulator.send_contact(STRANGER, MEMBER_MOBILE, own=True, forwarded_from=NEWCOMER)
    forwarded = await emulator.wait_for_message(STRANGER, after=mark)
    assert "只能用您本人的手机号绑定" in (forwarded.text or "")
    assert await live_bindings(sessions) == []
    assert await audit_actions(sessions) == []


async def test_unknown_number_is_masked_and_listed_for_staff_only(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    emulator.user(STRANGER, first_name="新来的", phone_number="+86 137 0000 1234")
    await ask(emulator, STRANGER)
    reply = await share_own(emulator, STRANGER)
    assert "137****1234" in (reply.text or "")
    assert "13700001234" not in (reply.text or "")
    assert CHECK_ROSTER in (reply.text or "")
    assert emulator.reply_keyboard(STRANGER) is None
    assert await live_bindings(sessions) == []
    # Staff are not messaged about it ...
    await bind(emulator, small_city, "admin", ADMIN_TG)
    before = len(emulator.sent_messages(ADMIN_TG))
    # ... they look it up (the second try of the same number is listed once).
    await emulator.send_contact(STRANGER)
    await emulator.wait_for_message(STRANGER, lambda m: CHECK_ROSTER in (m.text or ""), after=reply)
    assert len(emulator.sent_messages(ADMIN_TG)) == before
    listing = await command(emulator, ADMIN_TG, "/unmatched")
    assert "13700001234" in (listing.text or "")
    assert (listing.text or "").count("13700001234") == 1
    assert "新来的" in (listing.text or "")
    # A member may not see it.
    await bind(emulator, small_city, "member", NEWCOMER)
    refused = await command(emulator, NEWCOMER, "/unmatched")
    assert "13700001234" not in (refused.text or "")
    async with sessions() as session:
        outcomes = (await session.exec(select(PhoneAttempt.outcome))).all()
    assert outcomes == ["unmatched", "unmatched"]


async def test_number_already_bound_to_another_account_is_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", NEWCOMER)
    emulator.user(STRANGER, phone_number=MEMBER_MOBILE)
    await ask(emulator, STRANGER)
    reply = await share_own(emulator, STRANGER)
    assert "138****5678" in (reply.text or "")
    assert "换绑" in (reply.text or "")
    assert await live_bindings(sessions) == [(small_city.person_id("member"), NEWCOMER)]
    # The invite binding is in the audit trail; the refused attempt is not a change.
    assert [a for a, _s in await audit_actions(sessions)] == ["binding.invite"]


async def test_attempts_are_rate_limited_per_account(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    emulator.user(STRANGER, phone_number="13700009999")
    await ask(emulator, STRANGER)
    for _ in range(4):
        # The keyboard is gone after a refusal; the attachment menu shares the contact too.
        mark = emulator.checkpoint()
        await emulator.send_contact(STRANGER)
        reply = await emulator.wait_for_message(STRANGER, after=mark)
        assert CHECK_ROSTER in (reply.text or "")
    # The fifth try within the hour is refused even with the right number.
    mark = emulator.checkpoint()
    await emulator.send_contact(STRANGER, MEMBER_MOBILE)
    limited = await emulator.wait_for_message(STRANGER, after=mark)
    assert "绑定尝试次数过多" in (limited.text or "")
    assert await live_bindings(sessions) == []
    # Another account is not affected.
    emulator.user(NEWCOMER, phone_number=MEMBER_MOBILE)
    await ask(emulator, NEWCOMER)
    assert "绑定成功" in ((await share_own(emulator, NEWCOMER)).text or "")
    assert await live_bindings(sessions) == [(small_city.person_id("member"), NEWCOMER)]


async def test_personal_invite_links_keep_working(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", NEWCOMER)
    assert menu(emulator, NEWCOMER) == MEMBER_MENU


TOWN_HEAD = 6004
OTHER_TOWN_HEAD = 6005


async def test_a_town_posters_attempts_are_listed_for_that_town(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    hongqiao = small_city.grids["虹桥镇"].id
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    await bind(emulator, small_city, "other_town_head", OTHER_TOWN_HEAD)
    emulator.user(STRANGER, phone_number="13700002222")
    await ask(emulator, STRANGER, f"/start join_{hongqiao}")
    await share_own(emulator, STRANGER)
    emulator.user(NEWCOMER, phone_number="13700003333")
    await ask(emulator, NEWCOMER, "/start")
    await share_own(emulator, NEWCOMER)
    # A forged town id is ignored, like the plain /start.
    emulator.user(ADMIN_TG, phone_number="13700004444")
    await ask(emulator, ADMIN_TG, "/start join_99999")
    await share_own(emulator, ADMIN_TG)

    mine = (await command(emulator, TOWN_HEAD, "/unmatched")).text or ""
    assert "13700002222" in mine
    assert "海报：虹桥镇" in mine
    assert "13700003333" in mine  # no town can be told: every town sees it
    assert "13700004444" in mine
    other = (await command(emulator, OTHER_TOWN_HEAD, "/unmatched")).text or ""
    assert "13700002222" not in other
    assert "13700003333" in other


async def test_anything_else_from_an_unbound_user_offers_the_button(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    del small_city
    emulator.user(STRANGER)
    await ask(emulator, STRANGER, "/nosuchcommand")
