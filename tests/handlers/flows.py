"""The seven guided conversations as a test drives them: how each starts, what its prompt
says, a text its first step takes, and one person who may run them all (shared by the pairs
test and the fault-injection suite)."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from handlers.context import GridApplication
from handlers.conversation import GuidedConversation
from models.db import transaction
from models.enums import Role
from models.tables import Activity, Assignment, SurveyObject
from services.activities import texts as activity_texts
from services.activities.buttons import LeavePerson
from services.notices import texts as notice_texts
from services.questions import texts as question_texts
from services.reports import texts as report_texts
from tests.conftest import SmallCity
from tests.handlers.activities.support import publish
from tests.handlers.chat import bind

TG = 7101


@dataclass(frozen=True)
class Flow:
    """How the test starts one conversation, what its prompt says, and a text that its first
    step takes (`took` recognises its answer)."""

    label: str
    start: Callable[[BotApiEmulator, Activity, int], Awaitable[None]]
    prompt: Callable[[str], bool]
    probe: str
    took: Callable[[str], bool]


def typing(text: str) -> Callable[[BotApiEmulator, Activity, int], Awaitable[None]]:
    async def start(emulator: BotApiEmulator, _activity: Activity, _member: int) -> None:
        await emulator.send_text(TG, text)

    return start


async def press_leave(emulator: BotApiEmulator, activity: Activity, member: int) -> None:
    # The panel's [登记请假] list: the button's data is checked on the server, as every press.
    [*_, last] = emulator.sent_messages(TG)
    assert activity.id is not None
    data = LeavePerson(activity_id=activity.id, person_id=member).pack()
    await emulator.press_button(TG, last.message_id, data, forge=True)


FLOWS = {
    "study": Flow(
        "学时登记",
        typing("/study"),
        lambda t: "学习日期" in t,
        "今天",
        lambda t: "学习内容" in t,
    ),
    "activity": Flow(
        "活动发布",
        typing("/activity"),
        lambda t: "类型" in t or "哪种" in t or "选择" in t,
        "随便写点什么",
        lambda t: t == activity_texts.ACT_WAITING_BUTTON,
    ),
    "checkin": Flow(
        "签到",
        typing("/checkin"),
        lambda t: activity_texts.CHECKIN_USAGE in t,
        "12",
        lambda t: t == activity_texts.CHECKIN_BAD_CODE_FORMAT,
    ),
    "leave": Flow(
        "请假登记",
        press_leave,
        lambda t: "请假原因" in t,
        "外出培训",
        lambda t: "请假：外出培训" in t,
    ),
    "ask": Flow(
        "提问或回复",
        typing("/ask"),
        lambda t: t == question_texts.ASK_PROMPT,
        "下周的网格活动在哪个会议室开",
        # Filed, or first the knowledge base's nearest answers: either way /ask took the text.
        lambda t: "问题已提交" in t or "您是不是想问" in t or question_texts.ASK_KB_HEADING in t,
    ),
    "report": Flow(
        "月度汇报",
        typing("/report"),
        lambda t: report_texts.REPORT_PARTS[0] in t,
        "组织了一次统计法学习",
        lambda t: report_texts.REPORT_PARTS[1] in t,
    ),
    "notice": Flow(
        "通知",
        typing("/notice"),
        lambda t: t == notice_texts.NOTICE_ASK_TEXT,
        "请于本月10日前完成联网直报",
        lambda t: "图片或文件" in t,
    ),
}


async def everything_person(
    emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession], city: SmallCity
) -> tuple[Activity, int]:
    """The 网格长 of 虹桥镇网格, also its instructor and the statistician of one of its
    enterprises (so an activity of the instructor's asks them to check in); 陈统计 has not
    checked in to the 网格长's own activity."""
    head = city.person_id("grid_head")
    async with transaction(sessions) as session:
        grid_id = city.grids["虹桥镇网格"].id
        assert grid_id is not None
        session.add(Assignment(person_id=head, grid_id=grid_id, role=Role.INSTRUCTOR))
        found = await session.exec(
            select(SurveyObject).where(SurveyObject.name == "乐清市虹桥开关厂")
        )
        enterprise = found.one()
        enterprise.statistician_id = head
        session.add(enterprise)
    await bind(emulator, city, "grid_head", TG)
    activity = await publish(emulator, sessions, city)
    # One the 网格长 attends (nobody checks in to an activity of their own).
    await publish(emulator, sessions, city, organiser="instructor")
    return activity, city.person_id("member")


def conversations(app: GridApplication) -> dict[str, GuidedConversation]:
    return {
        handler.label: handler
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, GuidedConversation)
    }


async def start(
    emulator: BotApiEmulator, flow: Flow, activity: Activity, member: int
) -> list[SentMessage]:
    mark = emulator.checkpoint()
    await flow.start(emulator, activity, member)
    await emulator.wait_for_message(TG, lambda m: flow.prompt(m.text or ""), after=mark)
    return [m for m in emulator.sent_messages(TG) if m.seq > mark]


async def until(condition: Callable[[], bool]) -> bool:
    """The prompt arrives before PTB records the new state: wait for the update to finish."""
    for _ in range(100):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


async def say(emulator: BotApiEmulator, text: str) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_text(TG, text)
    return await emulator.wait_for_message(TG, after=mark)
