"""The organiser's panel through the real bot: code, attendance, QR, forged callbacks."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from models.enums import ActivityKind
from models.tables import Activity, ActivityGrid
from services.activities.buttons import LeavePerson
from services.activities.codes import code_at, code_step, link_token, new_code_secret
from services.onboarding import hash_token
from tests.conftest import BOT_USERNAME, SmallCity
from tests.handlers.activities.support import (
    HEAD_TG,
    MEMBER_TG,
    PERIOD,
    TOWN_HEAD_TG,
    code_now,
    open_panel,
    publish,
)
from tests.handlers.chat import bind, command, press

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_panel_shows_code_attendance_and_sends_the_qr(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(emulator, sessions, small_city)
    await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    panel = await open_panel(emulator, HEAD_TG)
    text = panel.text or ""
    assert "【学习】统计法学习" in text
    assert "签到码：" in text
    shown = text.split("签到码：")[1][:6]
    step = code_step(datetime.now(UTC), PERIOD)
    assert shown in {code_at(activity.code_secret, s) for s in (step - 1, step)}
    assert "已签到 1 人，请假 0 人，未签到 1 人" in text
    assert "• 陈统计" in text
    assert "签到码" in text.split("• 陈统计")[1].splitlines()[0]
    assert "未签到：\n• 李指导员" in text
    assert [b["text"] for b in panel.buttons] == ["刷新签到码", "签到二维码", "登记请假"]
    # The member sees the activity as their own, already checked in.
    mine = await command(emulator, MEMBER_TG, "/activities")
    assert "我参加的活动" in (mine.text or "")
    assert "已签到" in (mine.text or "")

    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, panel, panel.callback_data("签到二维码"), forge=False)
    photo = await emulator.wait_for_message(HEAD_TG, lambda m: m.photo is not None, after=mark)
    link = f"https://t.me/{BOT_USERNAME}?start=ci_{link_token(activity.code_secret)}"
    assert link in (photo.text or "")
    assert photo.photo is not None
    stored = emulator.file(photo.photo.file_id)
    assert stored.data is not None
    assert stored.data.startswith(b"\x89PNG")
    assert (stored.width or 0) >= 21 * 8

    # Refreshing re-renders the panel (unchanged within one code period: no edit, no error).
    callback_id = await emulator.press_button(
        HEAD_TG, panel.message_id, panel.callback_data("刷新签到码")
    )
    assert (await emulator.wait_for_callback_answer(callback_id)).text is None


async def test_forged_panel_callbacks_are_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "other_town_head", TOWN_HEAD_TG)
    mine = await publish(emulator, sessions, small_city)
    now = datetime.now(UTC)
    # Someone else's activity for the other town's grid.
    async with transaction(sessions) as session:
        secret = new_code_secret()
        foreign = Activity(
            kind=ActivityKind.TEAM,
            title="柳市团建",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            place="柳市",
            organiser_id=small_city.person_id("other_town_head"),
            code_secret=secret,
            link_token_hash=hash_token(link_token(secret)),
        )
        session.add(foreign)
        await session.flush()
        assert foreign.id is not None
        session.add(ActivityGrid(activity_id=foreign.id, grid_id=small_city.grids["柳市镇网格"].id))
    panel = await open_panel(emulator, HEAD_TG)
    for action in ("p", "r", "q", "m", "l"):
        answer, edited = await press(
            emulator, HEAD_TG, panel, f"act:{action}:{foreign.id}", forge=True
        )
        assert "无权查看或操作" in answer, action
        assert edited is None
    member_id = small_city.person_id("other_member")
    answer, _ = await press(
        emulator, HEAD_TG, panel, LeavePerson(foreign.id, member_id).pack(), forge=True
    )
    assert "无权查看或操作" in answer
    # The leave buttons' payload before they had a family of their own.
    answer, _ = await press(
        emulator, HEAD_TG, panel, f"act:lp:{foreign.id}:{member_id}", forge=True
    )
    assert "已失效" in answer
    # A town head of another town cannot open this grid's activity either.
    probe = await command(emulator, TOWN_HEAD_TG, "/me")
    answer, _ = await press(emulator, TOWN_HEAD_TG, probe, f"act:p:{mine.id}", forge=True)
    assert "无权查看或操作" in answer
    # A member has no panel at all.
    probe = await command(emulator, MEMBER_TG, "/me")
    answer, _ = await press(emulator, MEMBER_TG, probe, f"act:p:{mine.id}", forge=True)
    assert "无权使用" in answer
    answer, _ = await press(emulator, HEAD_TG, panel, "act:p:1;drop", forge=True)
    assert "已失效" in answer
