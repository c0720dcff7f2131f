"""Submitting the monthly report (replace, late, final), reading it, confirming the hearing,
the status, /todo and the bot's suggestions, on a real database with a chosen clock."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from core.formatting import utf16_len
from models.db import transaction
from models.tables import (
    MonthlyReport,
    OutboxMessage,
    ReportHearing,
    TelegramBinding,
)
from services.duties.config import load_duties
from services.onboarding import load_viewer
from services.reports import submission as reports
from services.reports.limits import PART_MAX, clean_part
from services.reports.monthly_status import monthly_status
from services.reports.suggestions import suggestions
from services.reports.todo import todo_items
from tests.services.reports.conftest import (
    SHANGHAI,
    City,
    Sessions,
    digest_sent,
    duty,
    local,
    submit,
)

# --- Submitting and hearing -------------------------------------------------------------------


async def test_resubmitting_before_the_digest_replaces_and_after_it_is_refused(
    sessions: Sessions, city: City
) -> None:
    first = await submit(
        sessions,
        city,
        key="grid_head",
        grid_key="虹桥镇网格",
        at=local("2026-12-20T10:00"),
        text="一",
    )
    second = await submit(
        sessions,
        city,
        key="grid_head",
        grid_key="虹桥镇网格",
        at=local("2026-12-26T10:00"),
        text="二",
    )
    assert (first.replaced, second.replaced) == (False, True)
    assert second.report_id == first.report_id
    assert not second.late
    with pytest.raises(reports.ReportError) as refused:
        await submit(
            sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-28T09:00")
        )
    assert refused.value.problem == reports.ReportProblem.LOCKED
    async with sessions() as session:
        rows = (await session.exec(select(MonthlyReport))).all()
    assert [(r.activities, r.late) for r in rows] == [("二", False)]


async def test_a_report_after_the_digest_is_late_and_the_town_is_told(
    sessions: Sessions, city: City
) -> None:
    done = await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-29T10:00")
    )
    assert done.late
    assert done.alerted == 2  # the town head and the deputy
    async with sessions() as session:
        alerts = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "monthly_report"))
        ).all()
        status = await monthly_status(session=session, period="2026-12", town_ids=None)
    assert {m.person_id for m in alerts} == {city.id("town_head"), city.deputy.id}
    assert alerts[0].reply_markup == {
        "inline_keyboard": [
            [{"text": "查看 虹桥镇·工业网格1", "callback_data": f"mrv:{done.report_id}"}]
        ]
    }
    hongqiao = next(t for t in status.towns if t.town_name == "虹桥镇")
    row = next(g for g in hongqiao.grids if g.grid_name == "虹桥镇·工业网格1")
    assert (row.submitted_by, row.late, row.submitted_at) == (
        "王网格长",
        True,
        local("2026-12-29T10:00"),
    )
    assert [g.grid_name for g in hongqiao.missing] == ["虹桥镇·工业网格2"]
    assert hongqiao.heard_by is None


async def test_only_the_towns_head_confirms_the_hearing_and_only_once(
    sessions: Sessions, city: City
) -> None:
    town = city.grid("虹桥镇")

    async def press(telegram_id: int, at: str) -> reports.Hearing:
        async with transaction(sessions) as session:
            viewer = await load_viewer(session=session, telegram_user_id=telegram_id)
            assert viewer is not None
            return await reports.confirm_hearing(
                session=session,
                viewer=viewer,
                town_id=town,
                period="2026-12",
                now=local(at),
                duty=duty(),
            )

    async with transaction(sessions) as session:
        session.add(TelegramBinding(person_id=city.id("other_town_head"), telegram_user_id=9200))
    assert (await press(9101, "2026-12-27T10:00")).outcome == reports.HearingOutcome.TOO_EARLY
    # A digest that never reached the head cannot have been heard (a forged or guessed button).
    assert (await press(9101, "2026-12-28T10:00")).outcome == reports.HearingOutcome.NO_DIGEST
    await digest_sent(sessions, town_id=town, person_id=city.id("town_head"), period="2026-12")
    assert (await press(9200, "2026-12-28T10:00")).outcome == reports.HearingOutcome.FORBIDDEN
    assert (await press(9104, "2026-12-28T10:00")).outcome == reports.HearingOutcome.FORBIDDEN
    done = await press(9101, "2026-12-28T10:00")
    assert (done.outcome, done.town, done.by) == (
        reports.HearingOutcome.CONFIRMED,
        "虹桥镇",
        "虹桥镇长",
    )
    again = await press(9101, "2026-12-29T10:00")
    assert (again.outcome, again.at) == (reports.HearingOutcome.ALREADY, local("2026-12-28T10:00"))
    async with sessions() as session:
        status = await monthly_status(session=session, period="2026-12", town_ids=[town])
    assert [(t.town_name, t.heard_by, t.heard_at) for t in status.towns] == [
        ("虹桥镇", "虹桥镇长", local("2026-12-28T10:00"))
    ]


async def test_a_hearing_is_confirmed_only_within_the_window_after_its_digest(
    sessions: Sessions, city: City
) -> None:
    town = city.grid("虹桥镇")

    async def press(period: str, at: str) -> reports.HearingOutcome:
        async with transaction(sessions) as session:
            viewer = await load_viewer(session=session, telegram_user_id=9101)
            assert viewer is not None
            hearing = await reports.confirm_hearing(
                session=session,
                viewer=viewer,
                town_id=town,
                period=period,
                now=local(at),
                duty=duty(),
            )
            return hearing.outcome

    # The reproduced defect: mr:h:<town>:2026-01 .. 2026-11 pressed on 20 December recorded
    # eleven hearings for months without a report (no digest was ever sent).
    outcomes = {await press(f"2026-{m:02d}", "2026-12-20T10:00") for m in range(1, 12)}
    assert outcomes == {reports.HearingOutcome.NO_DIGEST}
    # A digest sent in January, confirmed in December: past the 31-day window.
    await digest_sent(sessions, town_id=town, person_id=city.id("town_head"), period="2026-01")
    assert await press("2026-01", "2026-12-20T10:00") == reports.HearingOutcome.TOO_LATE
    async with sessions() as session:
        assert (await session.exec(select(ReportHearing))).all() == []


async def test_a_report_is_readable_by_the_town_not_by_another_town(
    sessions: Sessions, city: City
) -> None:
    done = await submit(
        sessions,
        city,
        key="grid_head",
        grid_key="虹桥镇网格",
        at=local("2026-12-20T10:00"),
        text="学习<统计法>",
    )
    async with transaction(sessions) as session:
        session.add(TelegramBinding(person_id=city.id("other_town_head"), telegram_user_id=9200))
    async with sessions() as session:
        readers = {}
        for telegram_id in (9101, 9104, 9102, 9200):
            viewer = await load_viewer(session=session, telegram_user_id=telegram_id)
            assert viewer is not None
            readers[telegram_id] = await reports.readable_report(
                session=session, viewer=viewer, report_id=done.report_id, tz=SHANGHAI
            )
    assert readers[9200] is None
    for telegram_id in (9101, 9104, 9102):  # town head, deputy, admin
        text = readers[telegram_id]
        assert text is not None
        assert "学习&lt;统计法&gt;" in text
        assert "王网格长，提交于 2026-12-20 10:00" in text


# --- Status and /todo -----------------------------------------------------------------------


async def test_status_per_town_and_grid(sessions: Sessions, city: City) -> None:
    await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-20T10:00")
    )
    async with sessions() as session:
        status = await monthly_status(session=session, period="2026-12", town_ids=None)
    assert status.period == "2026-12"
    assert [
        (t.town_name, [(g.grid_name, g.heads, g.submitted_by, g.late) for g in t.grids])
        for t in status.towns
    ] == [
        ("柳市镇", [("柳市镇·工业网格1", (), None, False)]),
        (
            "虹桥镇",
            [
                ("虹桥镇·工业网格1", ("王网格长",), "王网格长", False),
                ("虹桥镇·工业网格2", ("赵网格长",), None, False),
            ],
        ),
    ]


async def test_todo_for_the_grid_head_and_the_town_head(sessions: Sessions, city: City) -> None:
    async def items(telegram_id: int, at: str) -> list[str]:
        async with sessions() as session:
            viewer = await load_viewer(session=session, telegram_user_id=telegram_id)
            assert viewer is not None
            found = await todo_items(
                session=session, viewer=viewer, now=local(at), config=load_duties(), tz=SHANGHAI
            )
        return [item.text for item in found]

    assert await items(9100, "2026-12-10T10:00") == [
        "提交虹桥镇·工业网格1 2026年12月网格情况汇报（截止 12月25日（周五））——发送 /report"
    ]
    assert await items(9100, "2026-12-26T10:00") == []  # past the deadline: nothing to do
    await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-11T10:00")
    )
    assert await items(9100, "2026-12-12T10:00") == []
    # The town head: November's hearing is open from November's digest on.
    assert await items(9101, "2026-12-02T10:00") == [
        "听取虹桥镇2026年11月网格情况汇报，并在汇总消息下点「已听取汇报」确认"
    ]
    async with transaction(sessions) as session:
        session.add(
            ReportHearing(
                town_id=city.grid("虹桥镇"), period="2026-11", confirmed_by=city.id("town_head")
            )
        )
    assert await items(9101, "2026-12-02T10:00") == []
    assert len(await items(9101, "2026-12-28T10:00")) == 1  # December's digest is out


async def test_suggestions_from_activities_questions_and_notices(
    sessions: Sessions, city: City
) -> None:
    from tests.handlers.reports.test_compose import seed_grid_life

    await seed_grid_life(sessions, city.small, starts=local("2026-12-08T14:00"))
    async with sessions() as session:
        activities, problems, help_needed, plan = await suggestions(
            session=session,
            grid_id=city.grid("虹桥镇网格"),
            period="2026-12",
            now=local("2026-12-20T10:00"),
            tz=SHANGHAI,
        )
    assert activities == "12月8日 学习活动“统计法学习会”：签到 1 人，请假 1 人"
    assert problems is not None
    assert "网格员提问待回复 1 条：研发费用加计扣除怎么填报？" in problems
    assert "有未确认的通知：陈统计（1条）" in problems
    assert help_needed is None
    assert plan is None


@settings(max_examples=200)
@given(st.text(max_size=PART_MAX + 20) | st.text(st.sampled_from(" \n\t\u3000\u00a0x"), max_size=8))
@example("x" * PART_MAX + " \n")
@example("😀" * (PART_MAX // 2 + 1))
@example("\u3000")
def test_a_part_is_the_trimmed_text_within_the_limit_or_a_refusal(text: str) -> None:
    part, refusal = clean_part(text)
    trimmed = text.strip()
    # Counted as Telegram counts: an emoji outside the BMP is two.
    fits = 0 < utf16_len(trimmed) <= PART_MAX
    assert part == (trimmed if fits else None)
    assert (refusal is None) == fits
