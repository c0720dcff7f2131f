"""The console chat of `gridbot demo`: pick a person, type as them, see what the bot answers."""

import asyncio
import sys
import textwrap
from dataclasses import dataclass

from emulator.records import SentMessage
from emulator.server import BotApiEmulator

# How long the console waits for further bot messages after the last one arrived.
SETTLE_SECONDS = 0.4

HELP = """\
操作说明：
  直接输入文字或指令（如 /help、/me、/grid、/law 44、/tip）发送给机器人；
  直接问统计法律问题也可以，例如：没建统计台账会被罚款吗；
  机器人消息下的按钮以 [1] [2] … 编号，输入编号即可点击；要发送纯数字文字，请在前面加 '；
  :who 换一个人，:list 列出可扮演的人员，:quit 退出。"""


@dataclass(frozen=True)
class Player:
    """A person the console can play: who they are on screen and to the bot."""

    label: str
    first_name: str
    telegram_id: int
    # Sent as `/start <payload>` the first time they are played, as their invitation link would.
    start_payload: str


def _show(text: str) -> None:
    print(text)


def render(message: SentMessage) -> str:
    """A bot message as the console shows it, its buttons numbered from 1."""
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
    """Reads lines, plays them to the bot as the chosen person, prints the replies.

    ``invite_link`` is what the console shows when it follows a person's invitation.
    """

    def __init__(self, emulator: BotApiEmulator, cast: list[Player], *, invite_link: str) -> None:
        self.emulator = emulator
        self.cast = cast
        self.invite_link = invite_link
        self.current: Player | None = None
        self.bound: set[int] = set()
        self.last_with_buttons: SentMessage | None = None
        self.interactive = sys.stdin.isatty()

    async def read(self, prompt: str) -> str | None:
        try:
            return await asyncio.to_thread(input, prompt)
        except EOFError:
            return None

    def list_cast(self) -> None:
        _show("可扮演的人员：")
        for number, player in enumerate(self.cast, start=1):
            _show(f"  {number}. {player.label}")

    async def choose(self) -> bool:
        self.list_cast()
        while True:
            line = await self.read("请选择编号（:quit 退出）> ")
            if line is None or line.strip() in {":quit", ":q"}:
                return False
            if line.strip().isdigit() and 1 <= int(line) <= len(self.cast):
                self.current = self.cast[int(line) - 1]
                break
            _show("请输入列表中的编号。")
        player = self.current
        self.emulator.user(player.telegram_id, first_name=player.first_name)
        _show(f"\n现在您是 {player.label}。")
        if player.telegram_id not in self.bound:
            self.bound.add(player.telegram_id)
            _show(f"（模拟点击个人邀请链接 {self.invite_link}）")
            await self.say(f"/start {player.start_payload}", echo=False)
        _show(HELP)
        return True

    async def say(self, text: str, *, echo: bool = True) -> None:
        assert self.current is not None
        mark = self.emulator.checkpoint()
        if echo and not self.interactive:
            # Typed lines are already on screen; piped ones are not.
            _show(f"  ┌ 我\n  │ {text}")
        await self.emulator.send_text(self.current.telegram_id, text)
        await self.print_replies(mark)

    async def press(self, number: int) -> None:
        assert self.current is not None
        message = self.last_with_buttons
        if message is None or not 1 <= number <= len(message.buttons):
            _show("没有这个编号的按钮。")
            return
        button = message.buttons[number - 1]
        if "callback_data" not in button:
            _show(f"（链接按钮：{button.get('url')}）")
            return
        mark = self.emulator.checkpoint()
        _show(f"  （点击按钮「{button.get('text')}」）")
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
            _show("  （机器人没有回复）")
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
            _show(render(message))
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
