"""催报 by deadline on a controlled clock: the grid's 网格长 and 指导员 get one list N working
hours before, the town after the deadline; each once, declared items left out."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from emulator import BotApiEmulator
from handlers.context import GridApplication
from services.chase.escalation import ChaseEscalationDuty, working_hours_before
from services.duties import engine
from services.duties.engine import EngineReport
from tests.conftest import SmallCity
from tests.handlers.chase.chase_support import (
    EXAMPLE,
    GRID_HEAD_TG,
    INSTRUCTOR_TG,
    MEMBER_TG,
    TOWN_HEAD_TG,
    Sessions,
    chase_message,
    confirm,
    send_list,
)
from tests.handlers.chat import bind, press

pytestmark = pytest.mark.usefixtures("bot_app", "every_day_works")
TZ = ZoneInfo("Asia/Shanghai")


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_working_hours_before_skips_weekends_and_inverts_adding() -> None:
    # Monday 2026-12-07 02:00 minus 8 working hours: the weekend does not count.
    assert working_hours_before(shanghai("2026-12-07T02:00"), 8, TZ) == shanghai("2026-12-04T18:00")
    assert working_hours_before(shanghai("2026-12-11T00:00"), 8, TZ) == shanghai("2026-12-10T16:00")


async def test_escalation_before_and_after_the_deadline(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: Sessions,
    bot_app: GridApplication,
) -> None:
    for key, tg in (
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("grid_head", GRID_HEAD_TG),
        ("town_head", TOWN_HEAD_TG),
    ):
        await bind(emulator, small_city, key, tg)
    preview = await send_list(emulator, INSTRUCTOR_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    await confirm(emulator, INSTRUCTOR_TG, preview)
    chased = await chase_message(emulator, MEMBER_TG)
    # The statistician says the output form is filed: it is left out of the escalations.
    await press(emulator, MEMBER_TG, chased, chased.callback_data("①已报送"), forge=False)
    duty = ChaseEscalationDuty(bot_app.bot_data.duties_config.chase, tz=TZ)

    async def sweep(moment: str) -> EngineReport:
        now = shanghai(moment)
        async with sessions() as session:
            found = await duty.reminders(session=session, at=now)
            report = await engine.settle(
                session=session, reminders=[r for r in found if engine.is_due(r, now)], now=now
            )
            await session.commit()
        bot_app.bot_data.outbox.wake()
        return report

    assert (await sweep("2026-12-10T08:00")).queued == []
    mark = emulator.checkpoint()
    # 8 working hours before 17:00: the switch factory's form goes to the 网格长 and 指导员.
    first = await sweep("2026-12-10T09:30")
    assert sorted(r.person_id for r in first.queued) == sorted(
        [small_city.person_id("grid_head"), small_city.person_id("instructor")]
    )
    for tg in (GRID_HEAD_TG, INSTRUCTOR_TG):
        listed = await emulator.wait_for_message(
            tg, lambda m: "催报即将截止" in (m.text or ""), after=mark
        )
        assert "乐清市虹桥开关厂" in (listed.text or "")
        assert "电气" not in (listed.text or "")
        assert "统计员：陈统计" in (listed.text or "")
    assert (await sweep("2026-12-10T10:00")).queued == []
    # 16:00 is 8 working hours before the end of 10 December: only the energy form, since
    # the output form was declared.
    second = await sweep("2026-12-10T16:30")
    assert len(second.queued) == 2
    assert all("能源购进" in r.text and "工业产销总值" not in r.text for r in second.queued)
    assert (await sweep("2026-12-10T16:45")).queued == []
    mark = emulator.checkpoint()
    # After 17:00 the town hears of the switch factory (no 分管负责人: its 二级网格长).
    after = await sweep("2026-12-10T17:30")
    assert [r.person_id for r in after.queued] == [small_city.person_id("town_head")]
    town = await emulator.wait_for_message(
        TOWN_HEAD_TG, lambda m: "催报已过截止时间" in (m.text or ""), after=mark
    )
    assert "虹桥镇·工业网格1 · 乐清市虹桥开关厂" in (town.text or "")
    assert (await sweep("2026-12-10T18:00")).queued == []
    assert len((await sweep("2026-12-11T09:00")).queued) == 1
    assert (await sweep("2026-12-11T10:00")).queued == []
