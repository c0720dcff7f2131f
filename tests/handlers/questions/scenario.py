"""The people of the question tests and the steps they share: staff, asking, reading replies."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.enums import Role
from models.tables import Assignment, Person, Question
from services.access import Viewer
from services.onboarding import issue_invites
from services.questions import texts
from tests.conftest import SmallCity
from tests.handlers.chat import command, press

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


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


async def questions_viewer(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    from services.onboarding import viewers_for

    person = city.people[key]
    return (await viewers_for(session=session, persons=[person]))[city.person_id(key)]
