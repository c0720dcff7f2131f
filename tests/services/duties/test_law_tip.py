"""The weekly law tip: which day (holidays, a week without working days), which tip, and only
bound members who have not opted out."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.base import KnowledgeBase
from models.preferences import set_law_tip_opt_out
from models.tables import TelegramBinding, utcnow
from services.duties import engine
from services.duties.config import DutiesConfig
from services.duties.law_tip import LawTipDuty
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def law_tip(knowledge: KnowledgeBase, weekday: int = 1) -> LawTipDuty:
    config = DutiesConfig.model_validate({"law_tip": {"weekday": weekday}})
    return LawTipDuty(config, tz=TZ, tips=knowledge.tips())


def test_send_day_stays_in_its_week(knowledge: KnowledgeBase) -> None:
    monday = law_tip(knowledge, weekday=1)
    assert monday.send_day(2026, 49) == date(2026, 11, 30)
    # 10月5–7日 are holidays: the Monday tip of that week goes out on Thursday 10月8日.
    assert monday.send_day(2026, 41) == date(2026, 10, 8)
    # Spring Festival 2026: 2月16–22日 has no working day, so that week has no tip.
    assert monday.send_day(2026, 8) is None
    friday = law_tip(knowledge, weekday=5)
    # 10月2日 (Friday) is a holiday, 10月1日 too: the nearest working day before is 9月30日.
    assert friday.send_day(2026, 40) == date(2026, 9, 30)


def test_the_week_decides_the_tip(knowledge: KnowledgeBase) -> None:
    duty = law_tip(knowledge)
    tips = knowledge.tips()
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(len(tips))]
    picked = [duty.tip_for_week(*day.isocalendar()[:2]) for day in weeks]
    assert len({tip.id for tip in picked}) == len(tips)  # consecutive weeks walk through all
    assert duty.tip_for_week(2026, 49) == law_tip(knowledge).tip_for_week(2026, 49)


async def test_weekly_tip_to_bound_members_who_did_not_opt_out(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, knowledge: KnowledgeBase
) -> None:
    async with sessions() as session, session.begin():
        for n, key in enumerate(("member", "other_member", "instructor")):
            session.add(
                TelegramBinding(person_id=small_city.person_id(key), telegram_user_id=9300 + n)
            )
        await set_law_tip_opt_out(
            session=session,
            person_id=small_city.person_id("instructor"),
            opt_out=True,
            now=utcnow(),
        )
        # Opting in again explicitly keeps them on the list.
        await set_law_tip_opt_out(
            session=session,
            person_id=small_city.person_id("other_member"),
            opt_out=False,
            now=utcnow(),
        )
    duty = law_tip(knowledge)
    async with sessions() as session:
        assert await duty.reminders(session=session, at=local(2026, 11, 30, 8, 59)) == []
        found = await duty.reminders(session=session, at=local(2026, 11, 30, 9, 0))
        later = await duty.reminders(session=session, at=local(2026, 12, 4, 17, 0))
    assert {r.person_id for r in found} == {
        small_city.person_id("member"),
        small_city.person_id("other_member"),
    }
    assert {r.period for r in found} == {"2026-W49"}
    assert {r.step for r in found} == {"tip"}
    assert all(r.deadline == local(2026, 12, 7) for r in found)
    # Preview on Monday and a later computation in the week agree on the tip.
    assert {r.text for r in found} == {r.text for r in later}
    tip = duty.tip_for_week(2026, 49)
    text = found[0].text
    assert "每周法治小贴士" in text
    assert tip.text[:20] in text
    assert tip.refs[0].label in text
    assert "/settings" in text

    sent = await engine.run_due(sessions=sessions, duties=[duty], now=local(2026, 11, 30, 9, 5))
    assert len(sent.queued) == 2
    again = await engine.run_due(sessions=sessions, duties=[duty], now=local(2026, 12, 2, 9, 5))
    assert again.queued == []
