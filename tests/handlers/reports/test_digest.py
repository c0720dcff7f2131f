"""The monthly digest's buttons through the real bot and the emulator: [查看] shows a report to
whoever may read it, [已听取汇报] records the hearing once, forged presses are refused."""

import time_machine
from sqlmodel import select

from emulator import BotApiEmulator, SentMessage
from handlers.context import GridApplication
from models import people
from models.db import transaction
from models.duties import claim
from models.enums import ReminderStatus
from models.tables import (
    MonthlyReport,
    ReportHearing,
)
from services import texts as shared_texts
from services.outbox import enqueue_text
from services.reports import texts
from services.reports.monthly_duty import MonthlyReportDuty
from tests.conftest import SmallCity
from tests.handlers.chat import bind, press
from tests.handlers.reports.test_compose import (
    MEMBER_TG,
    OTHER_TOWN_HEAD_TG,
    SHANGHAI,
    TOWN_HEAD_TG,
    Sessions,
    local,
    press_then,
)


async def test_digest_buttons_show_reports_and_record_the_hearing(
    bot_app: GridApplication, emulator: BotApiEmulator, sessions: Sessions, small_city: SmallCity
) -> None:
    for key, telegram_id in (
        ("town_head", TOWN_HEAD_TG),
        ("other_town_head", OTHER_TOWN_HEAD_TG),
        ("member", MEMBER_TG),
    ):
        await bind(emulator, small_city, key, telegram_id)
    hongqiao = small_city.grids["虹桥镇"].id
    async with transaction(sessions) as session:
        report = MonthlyReport(
            grid_id=small_city.grids["虹桥镇网格"].id or 0,
            period="2026-12",
            author_id=small_city.person_id("grid_head"),
            activities="组织统计法学习",
            problems="两家企业报表逾期",
            help_needed="暂无",
            plan="走访小升规企业",
            submitted_at=local("2026-12-20T10:00"),
        )
        session.add(report)
    config = bot_app.bot_data.duties_config
    duty = MonthlyReportDuty(config.monthly_report, send_time=config.engine.send_time, tz=SHANGHAI)

    with time_machine.travel(local("2026-12-28T09:30"), tick=True):
        # What the engine does with the duty's digests: queue text and keyboard in the outbox.
        async with transaction(sessions) as session:
            digests = [
                r
                for r in await duty.reminders(session=session, at=local("2026-12-28T09:30"))
                if r.step == "digest" and r.period == "2026-12"
            ]
            chats = await people.live_telegram_ids(
                session=session, person_ids=[r.person_id for r in digests]
            )
            for reminder in digests:
                await claim(
                    session=session,
                    key=reminder.key,
                    status=ReminderStatus.QUEUED,
                    note=None,
                    now=local("2026-12-28T09:30"),
                )
                await enqueue_text(
                    session=session,
                    chat_id=chats[reminder.person_id],
                    person_id=reminder.person_id,
                    text=reminder.text,
                    kind="reminder",
                    buttons=reminder.buttons,
                )
        bot_app.bot_data.outbox.wake()
        digest = await emulator.wait_for_message(
            TOWN_HEAD_TG, lambda m: "网格情况汇报汇总" in (m.text or "")
        )
        assert "已提交 1/1" in (digest.text or "")
        assert [b["text"] for b in digest.buttons] == ["查看 虹桥镇·工业网格1", "已听取汇报"]
        theirs = await emulator.wait_for_message(
            OTHER_TOWN_HEAD_TG, lambda m: "网格情况汇报汇总" in (m.text or "")
        )
        assert "柳市镇" in (theirs.text or "")
        assert "未提交（1）" in (theirs.text or "")

        shown = await press_then(
            emulator, TOWN_HEAD_TG, digest, "查看 虹桥镇·工业网格1", "两家企业报表逾期"
        )
        assert "虹桥镇·工业网格1 2026年12月网格情况汇报" in (shown.text or "")
        assert "网格长 王网格长，提交于 2026-12-20 10:00" in (shown.text or "")

        # Forged presses: another town's head, and a member, with 虹桥镇's data.
        view_data = digest.callback_data("查看 虹桥镇·工业网格1")
        hear_data = digest.callback_data("已听取汇报")
        assert hear_data == f"mr:h:{hongqiao}:2026-12"
        answer, _ = await press(emulator, OTHER_TOWN_HEAD_TG, theirs, hear_data, forge=True)
        assert answer == texts.REPORT_HEARING_FORBIDDEN
        answer, _ = await press(emulator, OTHER_TOWN_HEAD_TG, theirs, view_data, forge=True)
        assert answer == texts.REPORT_NOT_FOUND
        # A view button in the format before typed callback data is stale, not a report.
        answer, _ = await press(emulator, TOWN_HEAD_TG, digest, f"mr:v:{report.id}", forge=True)
        assert answer == shared_texts.STALE_BUTTON
        [bound] = emulator.sent_messages(MEMBER_TG)
        answer, _ = await press(emulator, MEMBER_TG, bound, view_data, forge=True)
        assert answer == shared_texts.FORBIDDEN
        async with sessions() as session:
            assert (await session.exec(select(ReportHearing))).all() == []

        confirmed = await press_then(emulator, TOWN_HEAD_TG, digest, "已听取汇报", "已记录")
        assert "虹桥镇2026年12月" in (confirmed.text or "")
        [marked] = [
            m for m in emulator.sent_messages(TOWN_HEAD_TG) if m.message_id == digest.message_id
        ]
        assert marked.buttons[0]["text"] == "查看 虹桥镇·工业网格1"
        assert marked.buttons[1]["text"].startswith("✅ 已听取汇报（12-28 09:3")
        answer, _ = await press(emulator, TOWN_HEAD_TG, marked, hear_data, forge=False)
        assert answer.startswith("虹桥镇2026年12月的汇报已由虹桥镇长于 12-28 09:3")

    async with sessions() as session:
        [hearing] = (await session.exec(select(ReportHearing))).all()
    assert (hearing.town_id, hearing.period) == (hongqiao, "2026-12")
    assert hearing.confirmed_by == small_city.person_id("town_head")
    assert local("2026-12-28T09:30") <= hearing.confirmed_at < local("2026-12-28T09:40")


async def test_duties_offers_the_unheard_month_with_the_digest_buttons(
    bot_app: GridApplication, emulator: BotApiEmulator, sessions: Sessions, small_city: SmallCity
) -> None:
    # /duties said ⏳ 二级网格长尚未确认听取汇报 with nothing to press.
    del bot_app
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    hongqiao = small_city.grids["虹桥镇"].id
    head = small_city.person_id("town_head")
    async with transaction(sessions) as session:
        session.add(
            MonthlyReport(
                grid_id=small_city.grids["虹桥镇网格"].id or 0,
                period="2026-11",
                author_id=small_city.person_id("grid_head"),
                activities="组织统计法学习",
                problems="暂无",
                help_needed="暂无",
                plan="走访企业",
                submitted_at=local("2026-11-20T10:00"),
            )
        )
        # November's digest reached the head; October's too, but its window has closed;
        # September's never did (nothing to offer).
        for period, at in (("2026-11", "2026-11-26T09:00"), ("2026-10", "2026-10-27T09:00")):
            await claim(
                session=session,
                key=("monthly_report", f"town:{hongqiao}:person:{head}", period, "digest"),
                status=ReminderStatus.QUEUED,
                note=None,
                now=local(at),
            )

    def unheard() -> list[SentMessage]:
        return [
            m for m in emulator.sent_messages(TOWN_HEAD_TG) if "您尚未确认听取" in (m.text or "")
        ]

    with time_machine.travel(local("2026-12-02T10:00"), tick=True):
        mark = emulator.checkpoint()
        await emulator.send_text(TOWN_HEAD_TG, "/duties")
        offer = await emulator.wait_for_message(
            TOWN_HEAD_TG, lambda m: "您尚未确认听取" in (m.text or ""), after=mark
        )
        assert "虹桥镇2026年11月" in (offer.text or "")
        assert "已提交 1/1" in (offer.text or "")
        assert [b["text"] for b in offer.buttons] == ["查看 虹桥镇·工业网格1", "已听取汇报"]
        assert len(unheard()) == 1
        await press_then(emulator, TOWN_HEAD_TG, offer, "查看 虹桥镇·工业网格1", "组织统计法学习")
        await press_then(emulator, TOWN_HEAD_TG, offer, "已听取汇报", "已记录")
        # Heard: the next /duties offers nothing (a chat's updates are handled in order, so
        # once /help is answered, /duties has said all it had to say).
        await emulator.send_text(TOWN_HEAD_TG, "/duties")
        mark = emulator.checkpoint()
        await emulator.send_text(TOWN_HEAD_TG, "/help")
        await emulator.wait_for_message(
            TOWN_HEAD_TG, lambda m: "/duties" in (m.text or ""), after=mark
        )
        assert len(unheard()) == 1
    async with sessions() as session:
        [hearing] = (await session.exec(select(ReportHearing))).all()
    assert (hearing.town_id, hearing.period) == (hongqiao, "2026-11")
