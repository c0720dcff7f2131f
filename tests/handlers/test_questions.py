"""Questions to instructors through the real bot: /ask with knowledge-base suggestions, the
instructor's reply, follow-ups and closing, hand-overs, /questions, the SLA sweep, FAQ
candidates and the hand-off from the knowledge-base answers."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from handlers.context import GridApplication
from models.enums import CandidateStatus, QuestionStatus, Role
from models.tables import (
    Assignment,
    FaqCandidate,
    OutboxMessage,
    Person,
    Question,
    ReminderClaim,
)
from services import questions
from services import texts as shared_texts
from services.answers import texts as answers_texts
from services.onboarding import issue_invites, load_viewer
from services.questions import texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER, INSTRUCTOR, OTHER_INSTRUCTOR, DEPUTY, ADMIN, OTHER_MEMBER = (
    8301,
    8302,
    8303,
    8304,
    8305,
    8306,
)
SHANGHAI = ZoneInfo("Asia/Shanghai")
KNOWN_QUESTION = "没建统计台账被查到了会罚款吗"
UNKNOWN_QUESTION = "一套表平台的登录密码忘记了怎么办"

pytestmark = pytest.mark.usefixtures("bot_app")


async def add_staff(
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    key: str,
    *,
    name: str,
    mobile: str,
    grid: str,
    role: Role,
) -> None:
    """A person holding `role` on `city.grids[grid]`, with an invite token to bind."""
    async with sessions() as session, session.begin():
        person = Person(name=name, mobile=mobile)
        session.add(person)
        await session.flush()
        assert person.id is not None
        grid_id = city.grids[grid].id
        assert grid_id is not None
        session.add(Assignment(person_id=person.id, grid_id=grid_id, role=role))
        city.people[key] = person
        issued = await issue_invites(
            session=session, persons=[person], ttl=timedelta(days=30), now=datetime.now(UTC)
        )
        city.tokens[key] = issued[0].token


async def add_other_staff(sessions: async_sessionmaker[AsyncSession], city: SmallCity) -> None:
    await add_staff(
        sessions,
        city,
        "other_instructor",
        name="赵指导员",
        mobile="13900000011",
        grid="柳市镇网格",
        role=Role.INSTRUCTOR,
    )
    await add_staff(
        sessions,
        city,
        "deputy",
        name="钱分管",
        mobile="13900000012",
        grid="虹桥镇",
        role=Role.TOWN_DEPUTY,
    )


async def message_with(
    emulator: BotApiEmulator, chat_id: int, fragment: str, after: int = 0
) -> SentMessage:
    return await emulator.wait_for_message(
        chat_id, lambda m: fragment in (m.text or ""), after=after
    )


def data_of(message: SentMessage, label: str) -> str:
    return next(b["callback_data"] for b in message.buttons if b["text"] == label)


async def ask_and_file(emulator: BotApiEmulator, question: str) -> int:
    """The member asks; suggestions or not, the question ends up filed; returns its id."""
    shown = await command(emulator, MEMBER, f"/ask {question}")
    if texts.ASK_KB_HEADING in (shown.text or ""):
        mark = emulator.checkpoint()
        await press(emulator, MEMBER, shown, data_of(shown, texts.ASK_STILL), forge=False)
        shown = await message_with(emulator, MEMBER, "问题已提交", after=mark)
    assert "问题已提交给网格指导员 李指导员" in (shown.text or ""), shown.text
    return int((shown.text or "").split("#")[1].split("）")[0])


async def one_question(sessions: async_sessionmaker[AsyncSession], question_id: int) -> Question:
    async with sessions() as session:
        found = await session.get(Question, question_id)
        assert found is not None
        return found


async def test_ask_suggest_file_reply_and_close(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    suggestions = await command(emulator, MEMBER, f"/ask {KNOWN_QUESTION}")
    assert texts.ASK_KB_HEADING in (suggestions.text or "")
    assert "依据：" in (suggestions.text or "")
    labels = [b["text"] for b in suggestions.buttons]
    assert labels[-2:] == [texts.ASK_SOLVED, texts.ASK_STILL]
    assert 1 <= len(labels) - 2 <= 3
    # Nothing is stored while the member decides.
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []

    mark = emulator.checkpoint()
    await press(emulator, MEMBER, suggestions, data_of(suggestions, texts.ASK_STILL), forge=False)
    filed = await message_with(emulator, MEMBER, "问题已提交", after=mark)
    question_id = int((filed.text or "").split("#")[1].split("）")[0])

    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    assert KNOWN_QUESTION in (notice.text or "")
    assert "陈统计" in (notice.text or "")
    assert [b["text"] for b in notice.buttons] == [texts.QUESTION_REPLY, texts.QUESTION_TRANSFER]

    _, prompt = await press(
        emulator, INSTRUCTOR, notice, questions.reply_data(question_id), forge=False
    )
    assert prompt is not None
    assert f"请发送对问题 #{question_id} 的回复" in (prompt.text or "")
    replied = await command(emulator, INSTRUCTOR, "要建立台账，被查到可能罚款，尽快补建。")
    assert "回复已发送给 陈统计" in (replied.text or "")
    assert [b["text"] for b in replied.buttons] == [texts.QUESTION_ADD_TO_KB]

    relayed = await message_with(emulator, MEMBER, "回复了您的问题")
    assert "网格指导员 李指导员" in (relayed.text or "")
    assert "尽快补建" in (relayed.text or "")
    assert [b["text"] for b in relayed.buttons] == [texts.QUESTION_FOLLOW, texts.QUESTION_CLOSE]
    stored = await one_question(sessions, question_id)
    assert stored.status == QuestionStatus.ANSWERED
    assert stored.waiting_since is None

    # A follow-up goes back to the instructor and restarts the wait.
    _, follow_prompt = await press(
        emulator, MEMBER, relayed, questions.follow_data(question_id), forge=False
    )
    assert follow_prompt is not None
    mark = emulator.checkpoint()
    sent = await command(emulator, MEMBER, "那补建要多久？")
    assert "追问已发送给 李指导员" in (sent.text or "")
    followup = await message_with(emulator, INSTRUCTOR, "有追问", after=mark)
    assert "那补建要多久" in (followup.text or "")
    assert (await one_question(sessions, question_id)).status == QuestionStatus.OPEN

    await press(emulator, INSTRUCTOR, followup, questions.reply_data(question_id), forge=False)
    mark = emulator.checkpoint()
    await command(emulator, INSTRUCTOR, "一周内。")
    second = await message_with(emulator, MEMBER, "一周内", after=mark)
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, second, questions.close_data(question_id), forge=False)
    await message_with(emulator, MEMBER, texts.QUESTION_CLOSED.format(id=question_id), after=mark)
    closed = await one_question(sessions, question_id)
    assert closed.status == QuestionStatus.CLOSED
    assert closed.closed_at is not None
    # A closed question takes no more replies.
    answer, _ = await press(
        emulator, INSTRUCTOR, followup, questions.reply_data(question_id), forge=True
    )
    assert answer == texts.QUESTION_ALREADY_CLOSED


async def test_solved_by_the_suggestions_files_nothing(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    suggestions = await command(emulator, MEMBER, f"/ask {KNOWN_QUESTION}")
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, suggestions, data_of(suggestions, texts.ASK_SOLVED), forge=False)
    await message_with(emulator, MEMBER, texts.ASK_SOLVED_DONE, after=mark)
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []
    # The conversation is over: the [仍需提问] button no longer files anything.
    answer, _ = await press(emulator, MEMBER, suggestions, "ask:file", forge=True)
    assert answer == texts.ASK_STALE
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []


async def test_written_question_without_matches_is_filed_directly_and_cancel_works(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    prompt = await command(emulator, MEMBER, "/ask")
    assert prompt.text == texts.ASK_PROMPT
    cancelled = await command(emulator, MEMBER, "/cancel")
    assert cancelled.text == texts.ASK_CANCELLED
    await command(emulator, MEMBER, "/ask")
    filed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert "问题已提交给网格指导员 李指导员" in (filed.text or "")
    async with sessions() as session:
        stored = (await session.exec(select(Question))).one()
    assert stored.text == UNKNOWN_QUESTION
    assert stored.status == QuestionStatus.OPEN
    assert stored.waiting_since is not None


async def test_staff_of_another_town_cannot_answer_even_with_forged_buttons(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_other_staff(sessions, small_city)
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "other_instructor", OTHER_INSTRUCTOR)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER)
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    home = await command(emulator, OTHER_INSTRUCTOR, "/questions")
    assert home.text == texts.QUESTIONS_NONE
    deputy_id = small_city.person_id("deputy")
    for data in (
        questions.reply_data(question_id),
        questions.transfer_data(question_id),
        questions.transfer_to_data(question_id, deputy_id),
        questions.add_to_kb_data(question_id),
    ):
        answer, touched = await press(emulator, OTHER_INSTRUCTOR, home, data, forge=True)
        assert answer == texts.QUESTION_NOT_YOURS, data
        assert touched is None
    # A member has no ANSWER_QUESTIONS at all; the asker of another question neither.
    answer, _ = await press(
        emulator, OTHER_MEMBER, home, questions.reply_data(question_id), forge=True
    )
    assert answer == shared_texts.FORBIDDEN
    answer, _ = await press(
        emulator, OTHER_MEMBER, home, questions.close_data(question_id), forge=True
    )
    assert answer == texts.QUESTION_NOT_YOURS
    # The refused instructor's next text is not taken as a reply.
    await command(emulator, OTHER_INSTRUCTOR, "随便回一句")
    stored = await one_question(sessions, question_id)
    assert stored.status == QuestionStatus.OPEN
    assert stored.assignee_id == small_city.person_id("instructor")


async def test_transfer_to_the_town_deputy(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_other_staff(sessions, small_city)
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "deputy", DEPUTY)
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR, notice, questions.transfer_data(question_id), forge=False)
    choices = await message_with(emulator, INSTRUCTOR, "转交给：", after=mark)
    # Only staff of the same town: the 柳市镇 instructor is not offered.
    assert [b["text"] for b in choices.buttons] == ["分管负责人 钱分管（虹桥镇）"]
    deputy_id = small_city.person_id("deputy")
    _, done = await press(
        emulator,
        INSTRUCTOR,
        choices,
        questions.transfer_to_data(question_id, deputy_id),
        forge=False,
    )
    assert done is not None
    assert "已转交给分管负责人 钱分管" in (done.text or "")
    handed = await message_with(emulator, DEPUTY, f"问题 #{question_id} 已由 李指导员 转交给您")
    assert UNKNOWN_QUESTION in (handed.text or "")
    assert (await one_question(sessions, question_id)).assignee_id == deputy_id
    # The new assignee answers; the member hears it from the 分管负责人.
    await press(emulator, DEPUTY, handed, questions.reply_data(question_id), forge=False)
    await command(emulator, DEPUTY, "请到镇统计中心重置密码。")
    relayed = await message_with(emulator, MEMBER, "重置密码")
    assert "分管负责人 钱分管" in (relayed.text or "")
    # A forged hand-over to someone outside the town is refused.
    other_id = small_city.person_id("other_member")
    answer, _ = await press(
        emulator, DEPUTY, handed, questions.transfer_to_data(question_id, other_id), forge=True
    )
    assert answer == shared_texts.STALE_BUTTON


async def test_questions_lists_oldest_first_with_reply_buttons(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    now = datetime.now(UTC)
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER)
        assert viewer is not None
        newer = await questions.file_question(
            session=session, viewer=viewer, text="较新的问题", now=now - timedelta(hours=1)
        )
        older = await questions.file_question(
            session=session, viewer=viewer, text="较早的问题", now=now - timedelta(days=2)
        )
        await session.commit()
    listing = await command(emulator, INSTRUCTOR, "/questions")
    text = listing.text or ""
    assert text.index("较早的问题") < text.index("较新的问题")
    assert "2天0小时" in text
    assert [b["callback_data"] for b in listing.buttons] == [
        questions.reply_data(older.question.id or 0),
        questions.reply_data(newer.question.id or 0),
    ]
    _, prompt = await press(
        emulator, INSTRUCTOR, listing, listing.buttons[0]["callback_data"], forge=False
    )
    assert prompt is not None
    assert "较早的问题" in (prompt.text or "")
    # /questions is for those who answer.
    refused = await command(emulator, MEMBER, "/questions")
    assert refused.text == shared_texts.FORBIDDEN


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


async def test_sla_reminds_after_24_and_escalates_after_72_working_hours(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    bot_app: GridApplication,
) -> None:
    await add_other_staff(sessions, small_city)
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "deputy", DEPUTY)
    settings = bot_app.bot_data.settings
    filed_at = shanghai("2025-11-14T10:00")  # a Friday
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER)
        assert viewer is not None
        filed = await questions.file_question(
            session=session, viewer=viewer, text=UNKNOWN_QUESTION, now=filed_at
        )
        await session.commit()
    question_id = filed.question.id
    assert question_id is not None

    async def sweep(moment: str) -> questions.SlaReport:
        async with sessions() as session:
            report = await questions.sla_sweep(
                session=session, now=shanghai(moment), settings=settings
            )
            await session.commit()
        bot_app.bot_data.outbox.wake()
        return report

    # Sunday noon: 50 hours have passed but only 14 working hours (Friday's rest).
    assert await sweep("2025-11-16T12:00") == questions.SlaReport()
    mark = emulator.checkpoint()
    assert await sweep("2025-11-17T10:30") == questions.SlaReport(reminded=[question_id])
    assert await sweep("2025-11-17T11:00") == questions.SlaReport()
    reminder = await message_with(emulator, INSTRUCTOR, f"提醒：问题 #{question_id}", after=mark)
    assert "24 个工作小时" in (reminder.text or "")
    assert [b["text"] for b in reminder.buttons] == [texts.QUESTION_REPLY, texts.QUESTION_TRANSFER]
    # Wednesday 09:00 is 71 working hours; 10:30 is past 72.
    assert await sweep("2025-11-19T09:00") == questions.SlaReport()
    mark = emulator.checkpoint()
    assert await sweep("2025-11-19T10:30") == questions.SlaReport(escalated=[question_id])
    assert await sweep("2025-11-20T10:30") == questions.SlaReport()
    escalated = await message_with(emulator, DEPUTY, f"超时未回复：问题 #{question_id}", after=mark)
    assert "当前负责：李指导员" in (escalated.text or "")
    async with sessions() as session:
        claims = (await session.exec(select(ReminderClaim).order_by(col(ReminderClaim.id)))).all()
        sent = (
            await session.exec(
                select(OutboxMessage).where(OutboxMessage.ref == f"question:{question_id}")
            )
        ).all()
    assert [(c.duty, c.target, c.step) for c in claims] == [
        ("question_sla", f"question:{question_id}", "remind"),
        ("question_sla", f"question:{question_id}", f"escalate:{small_city.person_id('deputy')}"),
    ]
    assert {c.period for c in claims} == {filed_at.isoformat()}
    # Filing, one reminder, one escalation: nothing twice.
    assert len(sent) == 3


async def test_sla_counts_a_holiday_as_no_working_time(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    bot_app: GridApplication,
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    settings = bot_app.bot_data.settings
    async with sessions() as session:
        viewer = await questions_viewer(session, small_city, "member")
        filed = await questions.file_question(
            session=session, viewer=viewer, text=UNKNOWN_QUESTION, now=shanghai("2025-09-30T10:00")
        )
        await session.commit()
        # Sunday 5 October, in the middle of 国庆: five days later, 14 working hours.
        quiet = await questions.sla_sweep(
            session=session, now=shanghai("2025-10-05T12:00"), settings=settings
        )
        due = await questions.sla_sweep(
            session=session, now=shanghai("2025-10-09T10:30"), settings=settings
        )
        await session.commit()
    assert quiet == questions.SlaReport()
    assert due == questions.SlaReport(reminded=[filed.question.id or 0])


async def questions_viewer(session: AsyncSession, city: SmallCity, key: str) -> questions.Viewer:
    from services.onboarding import viewers_for

    person = city.people[key]
    return (await viewers_for(session=session, persons=[person]))[city.person_id(key)]


async def test_approved_answer_becomes_searchable_with_an_honest_source(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "admin", ADMIN)
    before = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert before.text == answers_texts.FAQ_ABSTAIN
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    await press(emulator, INSTRUCTOR, notice, questions.reply_data(question_id), forge=False)
    replied = await command(emulator, INSTRUCTOR, "联系乡镇统计中心，由管理员在平台上重置密码。")
    mark = emulator.checkpoint()
    await press(
        emulator, INSTRUCTOR, replied, data_of(replied, texts.QUESTION_ADD_TO_KB), forge=False
    )
    await message_with(emulator, INSTRUCTOR, texts.CANDIDATE_CREATED, after=mark)
    again, _ = await press(
        emulator, INSTRUCTOR, replied, questions.add_to_kb_data(question_id), forge=True
    )
    assert again == texts.CANDIDATE_EXISTS.format(status=CandidateStatus.PENDING.value)

    refused = await command(emulator, INSTRUCTOR, "/faqreview")
    assert refused.text == shared_texts.FORBIDDEN
    review = await command(emulator, ADMIN, "/faqreview")
    assert UNKNOWN_QUESTION in (review.text or "")
    assert "重置密码" in (review.text or "")
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, review, data_of(review, texts.FAQREVIEW_APPROVE), forge=False)
    await message_with(emulator, ADMIN, texts.FAQREVIEW_APPROVED, after=mark)
    async with sessions() as session:
        candidate = (await session.exec(select(FaqCandidate))).one()
    assert candidate.status == CandidateStatus.APPROVED
    assert candidate.author_id == small_city.person_id("instructor")

    after = await command(emulator, MEMBER, "一套表平台登录密码忘了怎么办")
    text = after.text or ""
    assert "重置密码" in text, text
    today = datetime.now(SHANGHAI).date().isoformat()
    assert f"来源：网格指导员解答（审核通过，{today}）" in text
    assert "依据" not in text
    assert "《" not in text


async def test_faq_handoff_button_starts_ask_with_the_question(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER)
    missed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert [b["text"] for b in missed.buttons] == [answers_texts.FAQ_ASK_INSTRUCTOR]
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, missed, missed.buttons[0]["callback_data"], forge=False)
    prefilled = await message_with(emulator, MEMBER, "将把以下问题转给您的网格指导员", after=mark)
    assert UNKNOWN_QUESTION in (prefilled.text or "")
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, prefilled, data_of(prefilled, texts.ASK_SUBMIT), forge=False)
    await message_with(emulator, MEMBER, "问题已提交给网格指导员 李指导员", after=mark)
    async with sessions() as session:
        stored = (await session.exec(select(Question))).one()
    assert stored.text == UNKNOWN_QUESTION

    # Nobody in 柳市镇网格 answers questions: the hand-off shows whom to call instead.
    other_missed = await command(emulator, OTHER_MEMBER, UNKNOWN_QUESTION)
    _, contacts = await press(
        emulator, OTHER_MEMBER, other_missed, other_missed.buttons[0]["callback_data"], forge=False
    )
    assert contacts is not None
    assert contacts.text == answers_texts.HANDOFF_NOBODY
    await add_staff(
        sessions,
        small_city,
        "other_grid_head",
        name="孙网格长",
        mobile="13900000013",
        grid="柳市镇网格",
        role=Role.GRID_HEAD,
    )
    mark = emulator.checkpoint()
    await press(
        emulator, OTHER_MEMBER, other_missed, other_missed.buttons[0]["callback_data"], forge=False
    )
    listed = await emulator.wait_for_message(OTHER_MEMBER, after=mark)
    assert "网格长 孙网格长 139****0013（柳市镇·工业网格1）" in (listed.text or "")


async def test_start_ask_from_inline_mode_opens_ask(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    prompt = await command(emulator, MEMBER, "/start ask")
    assert prompt.text == texts.ASK_PROMPT
    filed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert "问题已提交" in (filed.text or "")


async def test_people_outside_level3_grids_cannot_ask(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", ADMIN)
    refused = await command(emulator, ADMIN, "/ask 有个问题")
    assert refused.text == texts.ASK_NOT_IN_GRID
