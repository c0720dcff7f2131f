"""/report through the real bot and the emulator, with the wall clock moved by time_machine (the
month decides the period, the deadline and the digest)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from handlers.context import GridApplication
from models.db import transaction
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod, QuestionStatus
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Question,
)
from services import texts as shared_texts
from services.reports import texts
from services.reports.buttons import UseSuggestion
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
GRID_HEAD_TG, TOWN_HEAD_TG, OTHER_TOWN_HEAD_TG, MEMBER_TG = 8501, 8502, 8503, 8504
INSTRUCTOR_TG = 8505


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def seed_grid_life(sessions: Sessions, city: SmallCity, *, starts: datetime) -> None:
    """In 虹桥镇网格: a study meeting (member checked in, instructor on leave), an open question
    from the member and a notice the member has not confirmed."""
    grid_id = city.grids["虹桥镇网格"].id
    assert grid_id is not None
    async with transaction(sessions) as session:
        activity = Activity(
            kind=ActivityKind.STUDY,
            title="统计法学习会",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="虹桥镇政府三楼",
            organiser_id=city.person_id("grid_head"),
            code_secret="s" * 32,
            link_token_hash="h" * 64,
        )
        notice = Notice(
            sender_id=city.person_id("instructor"), text="请核对年报", target_label="我的网格"
        )
        session.add_all([activity, notice])
        await session.flush()
        assert activity.id is not None
        assert notice.id is not None
        session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
        session.add(
            Attendance(
                activity_id=activity.id,
                person_id=city.person_id("member"),
                status=AttendanceStatus.CHECKED_IN,
                method=CheckinMethod.CODE,
                checked_in_at=starts,
            )
        )
        session.add(
            Attendance(
                activity_id=activity.id,
                person_id=city.person_id("instructor"),
                status=AttendanceStatus.LEAVE,
                leave_reason="出差",
            )
        )
        session.add(
            Question(
                asker_id=city.person_id("member"),
                grid_id=grid_id,
                assignee_id=city.person_id("instructor"),
                text="研发费用加计扣除怎么填报？",
                status=QuestionStatus.OPEN,
                waiting_since=starts,
            )
        )
        session.add(NoticeRecipient(notice_id=notice.id, person_id=city.person_id("member")))


async def press_then(
    emulator: BotApiEmulator, telegram_id: int, message: SentMessage, label: str, expect: str
) -> SentMessage:
    """Press the button labelled `label` and wait for a message containing `expect`."""
    mark = emulator.checkpoint()
    data = message.callback_data(label)
    callback_id = await emulator.press_button(telegram_id, message.message_id, data)
    answer = await emulator.wait_for_callback_answer(callback_id)
    assert not answer.text, answer.text
    return await emulator.wait_for_message(
        telegram_id, lambda m: expect in (m.text or ""), after=mark
    )


async def reports_in(sessions: Sessions) -> list[MonthlyReport]:
    async with sessions() as session:
        return list((await session.exec(select(MonthlyReport))).all())


async def test_report_is_guided_by_suggestions_and_stored_only_on_submit(
    bot_app: GridApplication, emulator: BotApiEmulator, sessions: Sessions, small_city: SmallCity
) -> None:
    del bot_app
    await bind(emulator, small_city, "grid_head", GRID_HEAD_TG)
    with time_machine.travel(local("2026-12-20T10:00"), tick=True):
        await seed_grid_life(sessions, small_city, starts=local("2026-12-08T14:00"))
        first = await command(emulator, GRID_HEAD_TG, "/report")
        assert "第1步/共4步：本月开展的网格活动" in (first.text or "")
        assert "12月8日 学习活动“统计法学习会”：签到 1 人，请假 1 人" in (first.text or "")

        second = await press_then(emulator, GRID_HEAD_TG, first, "使用建议", "第2步")
        assert "网格员提问待回复 1 条：研发费用加计扣除怎么填报？" in (second.text or "")
        assert "有未确认的通知：陈统计（1条）" in (second.text or "")

        third = await press_then(emulator, GRID_HEAD_TG, second, "使用建议", "第3步")
        assert third.buttons == [{"text": "暂无", "callback_data": UseSuggestion(2).pack()}]
        # A stale button of an earlier step does nothing.
        stale = await emulator.press_button(
            GRID_HEAD_TG, first.message_id, UseSuggestion(0).pack(), forge=True
        )
        assert (await emulator.wait_for_callback_answer(stale)).text == shared_texts.STALE_BUTTON

        mark = emulator.checkpoint()
        await emulator.send_text(GRID_HEAD_TG, "需要镇里协调<培训>场地")
        fourth = await emulator.wait_for_message(
            GRID_HEAD_TG, lambda m: "第4步" in (m.text or ""), after=mark
        )
        preview = await press_then(emulator, GRID_HEAD_TG, fourth, "暂无", "预览")
        assert "需要镇里协调<培训>场地" in (preview.text or "")
        assert "研发费用加计扣除怎么填报？" in (preview.text or "")
        assert await reports_in(sessions) == []  # nothing half-written

        mark = emulator.checkpoint()
        await press_then(emulator, GRID_HEAD_TG, preview, "提交", "已提交")
        done = await emulator.wait_for_message(
            GRID_HEAD_TG, lambda m: (m.text or "").startswith("✅ 已提交"), after=mark
        )
        assert "虹桥镇·工业网格1" in (done.text or "")
        assert "逾期" not in (done.text or "")
        # The preview now reads as the report submitted: no （预览）, no buttons.
        [shown] = [
            m for m in emulator.sent_messages(GRID_HEAD_TG) if m.message_id == preview.message_id
        ]
        assert "（预览）" not in (shown.text or "")
        assert "网格情况汇报（已提交）" in (shown.text or "")
        assert "需要镇里协调<培训>场地" in (shown.text or "")
        assert not shown.buttons

    [report] = await reports_in(sessions)
    assert report.period == "2026-12"
    assert report.author_id == small_city.person_id("grid_head")
    assert report.activities == "12月8日 学习活动“统计法学习会”：签到 1 人，请假 1 人"
    assert report.help_needed == "需要镇里协调<培训>场地"
    assert report.plan == "暂无"
    assert not report.late


async def test_report_is_only_for_grid_heads_and_can_be_cancelled(
    bot_app: GridApplication, emulator: BotApiEmulator, sessions: Sessions, small_city: SmallCity
) -> None:
    del bot_app
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    await bind(emulator, small_city, "grid_head", GRID_HEAD_TG)
    refused = await command(emulator, INSTRUCTOR_TG, "/report")
    assert refused.text == texts.REPORT_NOT_GRID_HEAD
    refused = await command(emulator, TOWN_HEAD_TG, "/report")
    assert refused.text == shared_texts.FORBIDDEN
    await command(emulator, GRID_HEAD_TG, "/report")
    cancelled = await command(emulator, GRID_HEAD_TG, "/cancel")
    assert cancelled.text == texts.REPORT_CANCELLED
    assert await reports_in(sessions) == []
