"""Activities through the real bot: the /activity conversation and its invitations, check-in by
code, by link and with location, the organiser's panel (QR, attendance, reminders, leave) and
forged callbacks."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.db import transaction
from models.enums import ActivityKind
from models.tables import Activity, ActivityGrid, Attendance, OutboxMessage, Person, ReminderClaim
from services import activities as service
from services.onboarding import viewers_for
from tests.conftest import BOT_USERNAME, SmallCity
from tests.handlers.chat import bind, command, press

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

pytestmark = pytest.mark.usefixtures("bot_app")


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    *,
    starts: datetime | None = None,
    ends: datetime | None = None,
    located: bool = False,
    now: datetime | None = None,
) -> Activity:
    """An activity of 虹桥镇网格 by its 网格长, published by the service (ongoing by default)."""
    real_now = datetime.now(UTC)
    starts = starts or real_now - timedelta(minutes=10)
    ends = ends or real_now + timedelta(hours=1)
    async with transaction(sessions) as session:
        head = await session.get(Person, city.person_id("grid_head"))
        assert head is not None
        viewer = (await viewers_for(session=session, persons=[head]))[city.person_id("grid_head")]
        published = await service.publish_activity(
            session=session,
            viewer=viewer,
            draft=service.ActivityDraft(
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
            tz=service.SHANGHAI,
        )
    return published.activity


def code_now(activity: Activity) -> str:
    return service.current_code(activity, now=datetime.now(UTC), period_s=PERIOD).code


async def next_message(
    emulator: BotApiEmulator, chat_id: int, mark: int, needle: str
) -> SentMessage:
    return await emulator.wait_for_message(chat_id, lambda m: needle in (m.text or ""), after=mark)


async def say(emulator: BotApiEmulator, chat_id: int, text: str, needle: str) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_text(chat_id, text)
    return await next_message(emulator, chat_id, mark, needle)


async def test_create_activity_end_to_end_and_invitations_arrive(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for key, tg in (
        ("grid_head", HEAD_TG),
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("other_member", OTHER_TG),
    ):
        await bind(emulator, small_city, key, tg)
    kinds = await command(emulator, HEAD_TG, "/activity")
    assert [b["text"] for b in kinds.buttons] == [k.value for k in ActivityKind]
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, kinds, kinds.callback_data("学习"), forge=False)
    await next_message(emulator, HEAD_TG, mark, "活动主题")
    await say(emulator, HEAD_TG, "统计台账规范化学习会", "日期和时间段")
    # Bad windows are explained and asked again.
    bad = await say(emulator, HEAD_TG, "下周找个时间", "没有看懂")
    assert "12月3日 14:00-16:00" in (bad.text or "")
    await say(emulator, HEAD_TG, "明天 11:00-10:00", "结束时间必须晚于开始时间")
    await say(emulator, HEAD_TG, "2020-01-01 9:00-10:00", "已经过去")
    await say(emulator, HEAD_TG, "明天 9:30-11", "活动地点")
    skip = await say(emulator, HEAD_TG, "虹桥镇政府三楼会议室", "位置")
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, skip, skip.callback_data("跳过"), forge=False)
    grids = await next_message(emulator, HEAD_TG, mark, "参加活动的网格")
    assert [b["text"] for b in grids.buttons] == ["虹桥镇·工业网格1", "完成"]
    answer, _ = await press(emulator, HEAD_TG, grids, grids.callback_data("完成"), forge=False)
    assert "至少选择一个网格" in answer
    # A grid the organiser does not staff cannot be slipped in.
    forged = f"actnew:g:{small_city.grids['柳市镇网格'].id}"
    answer, _ = await press(emulator, HEAD_TG, grids, forged, forge=True)
    assert "不在您的管辖范围" in answer
    _, toggled = await press(
        emulator, HEAD_TG, grids, grids.callback_data("虹桥镇·工业网格1"), forge=False
    )
    assert toggled is not None
    assert [b["text"] for b in toggled.buttons] == ["✅ 虹桥镇·工业网格1", "完成"]
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, toggled, toggled.callback_data("完成"), forge=False)
    preview = await next_message(emulator, HEAD_TG, mark, "请确认活动信息")
    text = preview.text or ""
    assert "类型：学习" in text
    assert "主题：统计台账规范化学习会" in text
    tomorrow = (datetime.now(service.SHANGHAI) + timedelta(days=1)).date()
    assert f"{tomorrow.month}月{tomorrow.day}日 09:30-11:00" in text
    assert "网格：虹桥镇·工业网格1" in text
    async with sessions() as session:
        assert (await session.exec(select(Activity))).all() == []  # nothing before confirm
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, preview, preview.callback_data("确认发布"), forge=False)
    done = await next_message(emulator, HEAD_TG, mark, "活动已发布")
    assert "已向 2 人发送邀请" in (done.text or "")
    for tg in (MEMBER_TG, INSTRUCTOR_TG):
        invitation = await emulator.wait_for_message(tg, lambda m: "网格活动邀请" in (m.text or ""))
        assert "【学习】统计台账规范化学习会" in (invitation.text or "")
        assert "虹桥镇政府三楼会议室" in (invitation.text or "")
        assert "王网格长" in (invitation.text or "")
    async with sessions() as session:
        [activity] = (await session.exec(select(Activity))).all()
        [grid] = (await session.exec(select(ActivityGrid))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    assert activity.organiser_id == small_city.person_id("grid_head")
    assert activity.starts_at.astimezone(service.SHANGHAI).strftime("%H:%M") == "09:30"
    assert grid.grid_id == small_city.grids["虹桥镇网格"].id
    assert sorted(m.person_id or 0 for m in outbox) == sorted(
        [small_city.person_id("member"), small_city.person_id("instructor")]
    )
    assert {m.ref for m in outbox} == {f"activity:{activity.id}"}


async def test_cancel_writes_nothing_and_members_cannot_organise(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    kinds = await command(emulator, HEAD_TG, "/activity")
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, kinds, kinds.callback_data("团建"), forge=False)
    await next_message(emulator, HEAD_TG, mark, "活动主题")
    await say(emulator, HEAD_TG, "/cancel", "已取消发起活动")
    # The old buttons are dead once the conversation ended.
    answer, _ = await press(emulator, HEAD_TG, kinds, "actnew:k:0", forge=True)
    assert "已失效" in answer
    refused = await command(emulator, MEMBER_TG, "/activity")
    assert "无权使用" in (refused.text or "")
    refused = await command(emulator, TOWN_HEAD_TG, "/activity")
    assert "无权使用" in (refused.text or "")
    async with sessions() as session:
        assert (await session.exec(select(Activity))).all() == []


async def test_check_in_by_code_twice_and_from_another_grid(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "other_member", OTHER_TG)
    activity = await publish(sessions, small_city)
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
    activity = await publish(sessions, small_city)
    step = service.code_step(datetime.now(UTC), PERIOD)
    # A code shown three periods ago and forwarded to someone not in the room.
    stale = service.code_at(activity.code_secret, step - 3)
    reply = await command(emulator, MEMBER_TG, f"/checkin {stale}")
    assert "已过期" in (reply.text or "")
    valid = {service.code_at(activity.code_secret, s) for s in range(step - 200, step + 2)}
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
    activity = await publish(sessions, small_city)
    asked = await command(emulator, MEMBER_TG, "/checkin")
    assert "正在签到的活动" in (asked.text or "")
    assert "【学习】统计法学习" in (asked.text or "")
    assert "6 位签到码" in (asked.text or "")
    await say(emulator, MEMBER_TG, "12345", "6 位数字")
    await say(emulator, MEMBER_TG, code_now(activity), "签到成功")


async def test_check_in_by_link_and_unbound_user_is_told_to_bind(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(sessions, small_city)
    payload = f"ci_{service.link_token(activity.code_secret)}"
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
    activity = await publish(sessions, small_city, located=True)
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
        sessions, small_city, starts=now + timedelta(hours=2), ends=now + timedelta(hours=3)
    )
    early = await command(emulator, MEMBER_TG, f"/checkin {code_now(later)}")
    assert "签到尚未开始" in (early.text or "")
    assert "开放" in (early.text or "")
    ended = await publish(
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


async def open_panel(emulator: BotApiEmulator, tg: int) -> SentMessage:
    listing = await emulator.wait_for_message(
        tg, lambda m: "我组织" in (m.text or ""), after=await _send(emulator, tg, "/activities")
    )
    mark = emulator.checkpoint()
    await press(emulator, tg, listing, listing.buttons[0]["callback_data"], forge=False)
    return await next_message(emulator, tg, mark, "签到情况")


async def _send(emulator: BotApiEmulator, tg: int, text: str) -> int:
    mark = emulator.checkpoint()
    await emulator.send_text(tg, text)
    return mark


async def test_panel_shows_code_attendance_and_sends_the_qr(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(sessions, small_city)
    await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    panel = await open_panel(emulator, HEAD_TG)
    text = panel.text or ""
    assert "【学习】统计法学习" in text
    assert "签到码：" in text
    shown = text.split("签到码：")[1][:6]
    step = service.code_step(datetime.now(UTC), PERIOD)
    assert shown in {service.code_at(activity.code_secret, s) for s in (step - 1, step)}
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
    link = f"https://t.me/{BOT_USERNAME}?start=ci_{service.link_token(activity.code_secret)}"
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


async def test_record_leave_and_remind_absentees_once(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    now = datetime.now(UTC)
    activity = await publish(
        sessions,
        small_city,
        starts=now - timedelta(hours=2),
        ends=now - timedelta(minutes=1),
        now=now - timedelta(hours=3),
    )
    panel = await open_panel(emulator, HEAD_TG)
    assert "签到已关闭" in (panel.text or "")
    assert [b["text"] for b in panel.buttons] == ["登记请假", "提醒未签到"]

    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, panel, panel.callback_data("登记请假"), forge=False)
    choose = await next_message(emulator, HEAD_TG, mark, "登记请假的人员")
    assert [b["text"] for b in choose.buttons] == ["李指导员", "陈统计"]
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, choose, choose.callback_data("陈统计"), forge=False)
    await next_message(emulator, HEAD_TG, mark, "请输入陈统计的请假原因")
    await say(emulator, HEAD_TG, "到市里参加培训", "已登记陈统计请假：到市里参加培训")

    _, refreshed = await press(emulator, HEAD_TG, panel, f"act:r:{activity.id}", forge=True)
    assert refreshed is not None
    assert "请假：\n• 陈统计：到市里参加培训" in (refreshed.text or "")
    assert "未签到：\n• 李指导员" in (refreshed.text or "")

    answer, _ = await press(
        emulator, HEAD_TG, refreshed, refreshed.callback_data("提醒未签到"), forge=False
    )
    assert "已向 1 名未签到人员发送提醒" in answer
    reminder = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: "活动未签到提醒" in (m.text or "")
    )
    assert "统计法学习" in (reminder.text or "")
    answer, _ = await press(emulator, HEAD_TG, refreshed, f"act:m:{activity.id}", forge=True)
    assert "已经提醒过" in answer
    async with sessions() as session:
        claims = (await session.exec(select(ReminderClaim))).all()
        reminders = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "activity"))
        ).all()
    assert len(claims) == 1
    assert [m.person_id for m in reminders if "未签到提醒" in m.text] == [
        small_city.person_id("instructor")
    ]
    assert not any(
        "未签到提醒" in m.text for m in emulator.sent_messages(MEMBER_TG)
    )  # on leave: not reminded


async def test_forged_panel_callbacks_are_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "other_town_head", TOWN_HEAD_TG)
    mine = await publish(sessions, small_city)
    now = datetime.now(UTC)
    # Someone else's activity for the other town's grid.
    async with transaction(sessions) as session:
        secret = service.new_code_secret()
        foreign = Activity(
            kind=ActivityKind.TEAM,
            title="柳市团建",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            place="柳市",
            organiser_id=small_city.person_id("other_town_head"),
            code_secret=secret,
            link_token_hash=service.hash_token(service.link_token(secret)),
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
        emulator, HEAD_TG, panel, f"act:lp:{foreign.id}:{member_id}", forge=True
    )
    assert "无权查看或操作" in answer
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


async def test_organiser_shares_the_place_on_the_map(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    kinds = await command(emulator, INSTRUCTOR_TG, "/activity")
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR_TG, kinds, kinds.callback_data("法治宣传"), forge=False)
    await next_message(emulator, INSTRUCTOR_TG, mark, "活动主题")
    await say(emulator, INSTRUCTOR_TG, "统计法进企业", "日期和时间段")
    await say(emulator, INSTRUCTOR_TG, "12月30日 下午2点-4点", "活动地点")
    await say(emulator, INSTRUCTOR_TG, "虹桥电气会议室", "位置")
    await say(emulator, INSTRUCTOR_TG, "就在厂里", "请发送活动地点的地图位置")
    mark = emulator.checkpoint()
    await emulator.share_location(INSTRUCTOR_TG, LAT, LON)
    grids = await next_message(emulator, INSTRUCTOR_TG, mark, "参加活动的网格")
    _, toggled = await press(
        emulator, INSTRUCTOR_TG, grids, grids.callback_data("虹桥镇·工业网格1"), forge=False
    )
    assert toggled is not None
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR_TG, toggled, toggled.callback_data("完成"), forge=False)
    preview = await next_message(emulator, INSTRUCTOR_TG, mark, "请确认活动信息")
    assert "12月30日 14:00-16:00" in (preview.text or "")
    assert "签到需核验位置" in (preview.text or "")
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR_TG, preview, preview.callback_data("确认发布"), forge=False)
    # The member and the 网格长 are invited; neither has bound, so nobody can be messaged.
    done = await next_message(emulator, INSTRUCTOR_TG, mark, "活动已发布")
    assert "2 人尚未绑定机器人" in (done.text or "")
    async with sessions() as session:
        [activity] = (await session.exec(select(Activity))).all()
    assert (activity.latitude, activity.longitude) == (LAT, LON)
    assert activity.kind == ActivityKind.LAW
    assert activity.organiser_id == small_city.person_id("instructor")
