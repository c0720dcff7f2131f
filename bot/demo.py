"""`gridbot demo`: a demo city, the emulator, the real bot, and a console chat.

Everything runs in one process on a fresh SQLite file: nothing reaches Telegram.
You pick a demo person, the console follows their personal invitation link for them,
and then you talk to the bot as that person.
"""

import asyncio
import logging
import shutil
import sys
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_application
from bot.emulator import BotApiEmulator, SentMessage
from bot.runner import polling
from core.settings import load_settings
from models import people
from models.db import create_engine, session_factory, transaction
from models.migrate import upgrade
from services.demo_data.roster import DemoPerson, DemoRoster, build_demo_roster
from services.grids.partition.run import partition
from services.onboarding import issue_invites
from services.roster_import import import_roster

DEMO_TOKEN = "1000001:gridbot-demo-token"
DEMO_BOT_USERNAME = "gridbot_demo_bot"
# Telegram user ids of demo people: an offset keeps them apart from person ids.
TELEGRAM_ID_OFFSET = 900_000_000
# How long the console waits for further bot messages after the last one arrived.
SETTLE_SECONDS = 0.4

HELP = """\
操作说明：
  直接输入文字或指令（如 /help、/me、/grid、/law 44、/tip）发送给机器人；
  直接问统计法律问题也可以，例如：没建统计台账会被罚款吗；
  机器人消息下的按钮以 [1] [2] … 编号，输入编号即可点击；要发送纯数字文字，请在前面加 '；
  :who 换一个人，:list 列出可扮演的人员，:quit 退出。"""


@dataclass(frozen=True)
class Character:
    person: DemoPerson
    token: str
    telegram_id: int

    @property
    def label(self) -> str:
        town = f" · {self.person.town}" if self.person.town else ""
        return f"{self.person.name}（{'、'.join(self.person.roles)}{town}）"


def pick_cast(everyone: list[DemoPerson]) -> list[DemoPerson]:
    """One demo person per role, in the order a newcomer would want to try them."""
    wanted = ["网格员", "副网格长", "网格指导员", "网格长", "分管负责人", "二级网格长", "管理员"]
    cast: list[DemoPerson] = []
    for role in wanted:
        # Prefer someone who holds just this role, so that each pick shows one view.
        candidates = sorted(
            (p for p in everyone if role in p.roles and p not in cast), key=lambda p: len(p.roles)
        )
        if candidates:
            cast.append(candidates[0])
    return cast


def fresh_roster(directory: Path, *, towns: int, enterprises: int) -> DemoRoster:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return build_demo_roster(directory / "演示花名册.xlsx", towns=towns, enterprises=enterprises)


async def prepare_city(
    directory: Path, *, enterprises: int, towns: int
) -> tuple[str, list[Character]]:
    """Build the demo database from scratch and return its URL and the playable cast."""
    roster = await asyncio.to_thread(fresh_roster, directory, towns=towns, enterprises=enterprises)
    database_url = f"sqlite+aiosqlite:///{directory / 'gridbot-demo.db'}"
    settings = load_settings(database_url=database_url)
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            report = await import_roster(
                session=session, paths=[roster.path], city_name=settings.city_name
            )
        if not report.ok:
            raise RuntimeError(f"demo roster did not import: {report.errors[:3]}")
        async with sessions() as session:
            await partition(session=session)
        cast = pick_cast(roster.people)
        characters: list[Character] = []
        async with transaction(sessions) as session:
            for demo_person in cast:
                person = await people.person_by_mobile(session=session, mobile=demo_person.mobile)
                assert person is not None
                assert person.id is not None
                [invite] = await issue_invites(
                    session=session,
                    persons=[person],
                    ttl=settings.invite_ttl,
                    now=datetime.now(UTC),
                )
                characters.append(
                    Character(demo_person, invite.token, TELEGRAM_ID_OFFSET + person.id)
                )
    finally:
        await engine.dispose()
    print(
        f"演示城市已生成：{len(roster.towns)} 个乡镇（街道）、{roster.enterprise_count} 家企业，"
        f"数据在 {directory}/"
    )
    return database_url, characters


def render(message: SentMessage) -> str:
    body = message.text or ""
    if message.document is not None:
        body = f"[文件] {message.document.filename} {body}"
    elif message.photo is not None:
        body = f"[图片] {body}"
    lines = [textwrap.indent(body, "  │ ", predicate=lambda _line: True)]
    for number, button in enumerate(message.buttons, start=1):
        lines.append(f"  [{number}] {button.get('text')}")
    edited = "（已更新）" if message.edited else ""
    return f"  ┌ 机器人{edited}\n" + "\n".join(lines)


class ConsoleChat:
    """The console side of the demo: reads lines, plays them to the bot, prints replies."""

    def __init__(self, emulator: BotApiEmulator, cast: list[Character]) -> None:
        self.emulator = emulator
        self.cast = cast
        self.current: Character | None = None
        self.bound: set[int] = set()
        self.last_with_buttons: SentMessage | None = None
        self.interactive = sys.stdin.isatty()

    async def read(self, prompt: str) -> str | None:
        try:
            return await asyncio.to_thread(input, prompt)
        except EOFError:
            return None

    def list_cast(self) -> None:
        print("可扮演的人员：")
        for number, character in enumerate(self.cast, start=1):
            print(f"  {number}. {character.label}")

    async def choose(self) -> bool:
        self.list_cast()
        while True:
            line = await self.read("请选择编号（:quit 退出）> ")
            if line is None or line.strip() in {":quit", ":q"}:
                return False
            if line.strip().isdigit() and 1 <= int(line) <= len(self.cast):
                self.current = self.cast[int(line) - 1]
                break
            print("请输入列表中的编号。")
        character = self.current
        self.emulator.user(character.telegram_id, first_name=character.person.name)
        print(f"\n现在您是 {character.label}。")
        if character.telegram_id not in self.bound:
            self.bound.add(character.telegram_id)
            print(f"（模拟点击个人邀请链接 https://t.me/{DEMO_BOT_USERNAME}?start=…）")
            await self.say(f"/start {character.token}", echo=False)
        print(HELP)
        return True

    async def say(self, text: str, *, echo: bool = True) -> None:
        assert self.current is not None
        mark = self.emulator.checkpoint()
        if echo and not self.interactive:
            # Typed lines are already on screen; piped ones are not.
            print(f"  ┌ 我\n  │ {text}")
        await self.emulator.send_text(self.current.telegram_id, text)
        await self.print_replies(mark)

    async def press(self, number: int) -> None:
        assert self.current is not None
        message = self.last_with_buttons
        if message is None or not 1 <= number <= len(message.buttons):
            print("没有这个编号的按钮。")
            return
        button = message.buttons[number - 1]
        if "callback_data" not in button:
            print(f"（链接按钮：{button.get('url')}）")
            return
        mark = self.emulator.checkpoint()
        print(f"  （点击按钮「{button.get('text')}」）")
        await self.emulator.press_button(
            self.current.telegram_id, message.message_id, str(button["callback_data"])
        )
        await self.print_replies(mark)

    async def print_replies(self, mark: int) -> None:
        assert self.current is not None
        try:
            message = await self.emulator.wait_for_message(
                self.current.telegram_id, after=mark, timeout=10
            )
        except TimeoutError:
            print("  （机器人没有回复）")
            return
        seen: list[SentMessage] = [message]
        while True:
            try:
                message = await self.emulator.wait_for_message(
                    self.current.telegram_id, after=message, timeout=SETTLE_SECONDS
                )
            except TimeoutError:
                break
            seen.append(message)
        for message in seen:
            print(render(message))
            if message.buttons:
                self.last_with_buttons = message

    async def loop(self) -> None:
        if not await self.choose():
            return
        while True:
            line = await self.read("> ")
            if line is None:
                return
            text = line.strip()
            if not text:
                continue
            if text in {":quit", ":q"}:
                return
            if text == ":list":
                self.list_cast()
            elif text == ":who":
                if not await self.choose():
                    return
            elif text.isdigit():
                await self.press(int(text))
            else:
                await self.say(text.removeprefix("'"))


async def run_demo(*, directory: Path, enterprises: int, towns: int) -> int:
    logging.basicConfig(level=logging.WARNING)
    database_url, cast = await prepare_city(directory, enterprises=enterprises, towns=towns)
    async with BotApiEmulator(token=DEMO_TOKEN, bot_username=DEMO_BOT_USERNAME) as emulator:
        # The demo is tried at any hour: quiet hours would hold its notices until morning.
        settings = load_settings(
            token=DEMO_TOKEN,
            database_url=database_url,
            api_base_url=emulator.base_url,
            quiet_hours=False,
        )
        print(f"本地 Bot API 模拟器：{emulator.base_url}（不连接 Telegram）\n")
        async with polling(build_application(settings), poll_timeout=1):
            await ConsoleChat(emulator, cast).loop()
    print("再见！")
    return 0
