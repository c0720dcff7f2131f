"""Fault injection through the emulator, for every guided conversation and every button family:
a Bot API 400 / 403 / 429 / 502 / timeout on the bot's reply, or an unreachable database during
the update. Whatever happens, the user gets a Chinese message (except after 403: the user
blocked the bot and nothing reaches them; the failure is logged), the database holds the whole
change or none of it, and the conversation either goes on or has ended cleanly, so that
starting it again works."""

import dataclasses
import enum
import itertools
import typing
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import callback
from core.callback import CallbackData
from emulator import BotApiEmulator, SentMessage
from handlers.context import GridApplication
from models.tables import Activity, Question, QuestionPost
from services import texts as shared_texts
from services.activities import texts as activity_texts
from tests.bot.faults import FAULTS, READ_TIMEOUT, SLOW, ErrorLog, injected, settle
from tests.conftest import SmallCity
from tests.handlers.flows import FLOWS, TG, Flow, conversations, everything_person, start


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {"api_read_timeout_seconds": READ_TIMEOUT}


def _apologies(app: GridApplication) -> set[str]:
    """What the user may be told when an update fails: the general apology, or a conversation's
    own (which says how to start it again)."""
    return {shared_texts.INTERNAL_ERROR} | {
        shared_texts.STEP_FAILED.format(label=c.label, restart=c.restart)
        for c in conversations(app).values()
    }


def _told(emulator: BotApiEmulator, mark: int, calls: int, texts: set[str]) -> bool:
    """One of `texts` reached the user: as a message after `mark` or a button's alert."""
    if any(m.text in texts for m in emulator.sent_messages(TG) if m.seq > mark):
        return True
    return any(
        method == "answerCallbackQuery" and data.get("text") in texts
        for method, data in emulator.calls[calls:]
    )


def _since(emulator: BotApiEmulator, mark: int) -> list[SentMessage]:
    return [m for m in emulator.sent_messages(TG) if m.seq > mark]


async def _whole_or_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A filed question is never without its first post (the two are written together)."""
    async with sessions() as session:
        questions = set((await session.exec(select(Question.id))).all())
        posted = (await session.exec(select(QuestionPost.question_id))).all()
    assert questions <= set(posted), (questions, posted)


async def _drive(
    flow: Flow,
    step: str,
    fault: str,
    *,
    app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    log: ErrorLog,
    activity: Activity,
    member: int,
) -> str:
    """One case; returns how it ended ("continued" or "ended")."""
    case = f"{flow.label} {step} {fault}"
    conversation = conversations(app)[flow.label]
    if step == "probe":
        await start(emulator, flow, activity, member)
    mark, calls, errors = emulator.checkpoint(), len(emulator.calls), log.count()
    expected: Callable[[str], bool] = flow.prompt if step == "entry" else flow.took

    def answered() -> bool:
        return any(expected(m.text or "") for m in _since(emulator, mark))

    async with injected(
        fault,
        emulator=emulator,
        app=app,
        database_url=database_url,
        method="sendMessage",
        monkeypatch=monkeypatch,
    ):
        if step == "entry":
            await flow.start(emulator, activity, member)
        else:
            await emulator.send_text(TG, flow.probe)
        assert await settle(lambda: answered() or log.count() > errors), case
    await _whole_or_nothing(sessions)
    if log.count() == errors:
        # Nothing failed (a 429 is retried; a step may not need the database): it goes on.
        assert fault in ("429", "database"), case
        return "continued"
    assert fault != "429", case
    assert await settle(lambda: not conversation.is_open((TG, TG))), case
    if fault == "403":
        assert await settle(lambda: log.count() > errors), case
    else:
        apology = _apologies(app)
        assert await settle(lambda: _told(emulator, mark, calls, apology)), (
            case,
            [m.text for m in _since(emulator, mark)],
        )
    # Ended cleanly: starting again works.
    await start(emulator, flow, activity, member)
    return "ended"


async def _cancel(emulator: BotApiEmulator) -> None:
    mark = emulator.checkpoint()
    await emulator.send_text(TG, "/cancel")
    await emulator.wait_for_message(TG, after=mark)


@pytest.mark.parametrize("name", list(FLOWS))
async def test_every_fault_in_every_conversation(
    name: str,
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = ErrorLog(caplog)
    activity, member = await everything_person(emulator, sessions, small_city)
    outcomes: dict[str, str] = {}
    for step in ("entry", "probe"):
        for fault in FAULTS:
            outcomes[f"{step} {fault}"] = await _drive(
                FLOWS[name],
                step,
                fault,
                app=bot_app,
                emulator=emulator,
                sessions=sessions,
                database_url=database_url,
                monkeypatch=monkeypatch,
                log=log,
                activity=activity,
                member=member,
            )
            await _cancel(emulator)
    # Every Bot API error other than 429 on the reply fails the step; a 429 is waited out.
    for step in ("entry", "probe"):
        assert outcomes[f"{step} 429"] == "continued"
        assert all(outcomes[f"{step} {f}"] == "ended" for f in ("400", "403", "502", "timeout"))


async def test_a_bad_gateway_after_choosing_the_kind_does_not_strand_activity(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    # The reproduced defect: the kind buttons were gone and every text got "请点击上方的按钮".
    activity, member = await everything_person(emulator, sessions, small_city)
    mark = emulator.checkpoint()
    await emulator.send_text(TG, "/activity")
    kinds = await emulator.wait_for_message(TG, lambda m: bool(m.buttons), after=mark)
    emulator.fail_next("sendMessage", 502)
    mark = emulator.checkpoint()
    await emulator.press_button(TG, kinds.message_id, kinds.callback_data("学习"), forge=False)
    failed = shared_texts.STEP_FAILED.format(label="活动发布", restart="发送 /activity 重新开始")
    await emulator.wait_for_message(TG, lambda m: m.text == failed, after=mark)
    assert not conversations(bot_app)["活动发布"].is_open((TG, TG))
    mark = emulator.checkpoint()
    await emulator.send_text(TG, "统计台账规范化学习会")
    answer = await emulator.wait_for_message(TG, after=mark)
    assert answer.text != activity_texts.ACT_WAITING_BUTTON
    await start(emulator, FLOWS["activity"], activity, member)


# No 403 here: a user who blocked the bot cannot press its buttons.
BUTTON_FAULTS = ("400", "429", "502", "timeout", "database")


def _candidates(annotation: object) -> list[object]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    optional = len(args) == 1
    kind = args[0] if optional else annotation
    values: list[object]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        values = list(kind)
    elif kind is bool:
        values = [True, False]
    elif kind is int:
        values = [1, 2024]
    else:
        values = ["x", "2026-11"]
    return [*values, None] if optional else values


def _sample(family: type[CallbackData]) -> str:
    """A payload of the family that parses: the first combination of plain values its checks
    accept."""
    hints = typing.get_type_hints(family)
    names = [f.name for f in dataclasses.fields(family) if f.init]
    for values in itertools.product(*(_candidates(hints[name]) for name in names)):
        try:
            return family(**dict(zip(names, values, strict=True))).pack()
        except ValueError:
            continue
    raise AssertionError(f"no sample payload for {family.__name__}")


def _families() -> list[type[CallbackData]]:
    """Every button family of the bot (all are defined once the handlers are imported); not
    the families other test modules define for themselves."""
    ours = (f for f in set(callback._prefixes.values()) if f.__module__.startswith("services."))
    return sorted(ours, key=lambda f: f.__name__)


async def _press_case(
    family: type[CallbackData],
    fault: str,
    *,
    app: GridApplication,
    emulator: BotApiEmulator,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    log: ErrorLog,
    message: SentMessage,
) -> str:
    """Press a payload of `family` with `fault` on the press's answer; how it ended."""
    case = f"{family.__name__} {fault}"
    mark, errors = emulator.checkpoint(), log.count()
    async with injected(
        fault,
        emulator=emulator,
        app=app,
        database_url=database_url,
        method="answerCallbackQuery",
        monkeypatch=monkeypatch,
    ):
        pressed = await emulator.press_button(TG, message.message_id, _sample(family), forge=True)
        # Every family is answered, also outside the conversation it belongs to.
        answer = await emulator.wait_for_callback_answer(pressed, timeout=SLOW)
    if log.count() == errors:
        # A 429 is waited out and retried; a refusal may not need the database: answered.
        assert fault in ("429", "database"), case
        # In words: as the alert, or (a silent answer) as the message that follows.
        assert answer.text or await settle(lambda: bool(_since(emulator, mark))), case
        return "answered"
    apologies = _apologies(app)
    # As the alert, or (the handler had answered the press already) as a new message.
    assert answer.text in apologies or await settle(
        lambda: any(m.text in apologies for m in _since(emulator, mark))
    ), (case, answer.text)
    return "apologised"


async def test_every_fault_on_every_button_family(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = ErrorLog(caplog)
    await everything_person(emulator, sessions, small_city)
    [*_, last] = emulator.sent_messages(TG)
    outcomes = {
        (family.__name__, fault): await _press_case(
            family,
            fault,
            app=bot_app,
            emulator=emulator,
            database_url=database_url,
            monkeypatch=monkeypatch,
            log=log,
            message=last,
        )
        for family in _families()
        for fault in BUTTON_FAULTS
    }
    assert len(_families()) >= 30
    # A Bot API error on the answer always fails the press, and the user is told; a 429 is
    # retried and the press answered as usual.
    for (family, fault), outcome in outcomes.items():
        if fault == "429":
            assert outcome == "answered", family
        elif fault != "database":
            assert outcome == "apologised", (family, fault)
