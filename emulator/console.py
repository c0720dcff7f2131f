"""The console chat of `gridbot demo`: pick a person, type as them, see what the bot answers."""

import asyncio
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from emulator.records import EmulatorError, SentFile, SentMessage
from emulator.server import BotApiEmulator

# How long the console waits for further bot messages after the last one arrived.
SETTLE_SECONDS = 0.4

HELP = """\
操作说明：
  直接输入文字或指令（如 /help、/me、/law 44、/tip）发送给机器人；
  直接问统计法律问题也可以，例如：没建统计台账会被罚款吗；
  最新一条机器人消息下的按钮以 [1] [2] … 编号，输入编号即可点击；其他数字（学时、签到码等）
  按文字发送，要把小编号当文字发送，请在前面加 '；
  :who 换一个人，:list 列出可扮演的人员，:help 显示本说明，:quit 退出。"""
STALE = "  （这个按钮已失效：消息已更新或删除，请使用最新消息中的按钮）"
AWAY = "  （您不在时收到的消息）"


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


def render(message: SentMessage, saved: Path | None = None) -> str:
    """A bot message as the console shows it, its buttons numbered from 1; `saved` is where
    its photo or file was written."""
    body = message.text or ""
    where = f"（已保存：{saved}）" if saved is not None else ""
    if message.document is not None:
        body = f"[文件] {message.document.filename}{where} {body}"
    elif message.photo is not None:
        body = f"[图片]{where} {body}"
    lines = [textwrap.indent(body, "  │ ", predicate=lambda _line: True)]
    for number, button in enumerate(message.buttons, start=1):
        lines.append(f"  [{number}] {button.get('text')}")
    edited = "（已更新）" if message.edited else ""
    return f"  ┌ 机器人{edited}\n" + "\n".join(lines)


class ConsoleChat:
    """Reads lines, plays them to the bot as the chosen person, prints the replies.

    ``invite_link`` is what the console shows when it follows a person's invitation.
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        cast: list[Player],
        *,
        invite_link: str,
        files_dir: Path | None = None,
        bound: set[int] | None = None,
    ) -> None:
        self.emulator = emulator
        self.cast = cast
        self.invite_link = invite_link
        # Where photos and files the bot sends are written (None: not saved).
        self.files_dir = files_dir
        self.current: Player | None = None
        # Who has followed their invitation already (a reopened demo: from the database).
        self.bound: set[int] = set(bound or ())
        # Per person: the last change of their chat already shown.
        self.shown: dict[int, int] = {}
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
        missed = self._unseen(player.telegram_id)
        if missed:
            _show(AWAY)
            self._print(missed)
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

    def latest(self) -> SentMessage | None:
        """The current person's latest bot message (by its last change)."""
        assert self.current is not None
        messages = self.emulator.sent_messages(self.current.telegram_id)
        return max(messages, key=lambda m: m.seq) if messages else None

    def pressable(self, text: str) -> bool:
        """A bare small number presses a button only when the latest bot message has that
        button; anything else (学时 2, a check-in code) is text for the bot."""
        latest = self.latest()
        return (
            text.isdigit()
            and len(text) <= 2
            and latest is not None
            and 1 <= int(text) <= len(latest.buttons)
        )

    async def press(self, number: int) -> None:
        assert self.current is not None
        message = self.latest()
        if message is None or not 1 <= number <= len(message.buttons):
            _show("没有这个编号的按钮。")
            return
        button = message.buttons[number - 1]
        if "callback_data" not in button:
            _show(f"（链接按钮：{button.get('url')}）")
            return
        mark = self.emulator.checkpoint()
        _show(f"  （点击按钮「{button.get('text')}」）")
        try:
            callback_id = await self.emulator.press_button(
                self.current.telegram_id, message.message_id, str(button["callback_data"])
            )
        except EmulatorError:
            _show(STALE)
            return
        try:
            answer = await self.emulator.wait_for_callback_answer(callback_id, timeout=10)
        except TimeoutError:
            answer = None
        if answer is not None and answer.text:
            _show(f"  （{'弹窗' if answer.show_alert else '提示'}）{answer.text}")
        await self.print_replies(mark, quiet=bool(answer and answer.text))

    async def print_replies(self, mark: int, *, quiet: bool = False) -> None:
        """What the bot sent the current person after `mark`, once it settles; `quiet`: an
        alert already answered, so no reply is no news."""
        assert self.current is not None
        try:
            message = await self.emulator.wait_for_message(
                self.current.telegram_id, after=mark, timeout=SETTLE_SECONDS if quiet else 10
            )
        except TimeoutError:
            if not quiet:
                _show("  （机器人没有回复）")
            return
        while True:
            try:
                message = await self.emulator.wait_for_message(
                    self.current.telegram_id, after=message, timeout=SETTLE_SECONDS
                )
            except TimeoutError:
                break
        self._print(self._unseen(self.current.telegram_id))

    def _unseen(self, telegram_id: int) -> list[SentMessage]:
        after = self.shown.get(telegram_id, 0)
        messages = [m for m in self.emulator.sent_messages(telegram_id) if m.seq > after]
        return sorted(messages, key=lambda m: m.seq)

    def _print(self, messages: list[SentMessage]) -> None:
        for message in messages:
            _show(render(message, self._save(message)))
            self.shown[message.chat_id] = max(self.shown.get(message.chat_id, 0), message.seq)

    def _save(self, message: SentMessage) -> Path | None:
        """Write the message's photo or file under `files_dir`; where it went."""
        sent: SentFile | None = message.document or message.photo
        if self.files_dir is None or sent is None or sent.data is None:
            return None
        name = sent.filename or f"{message.message_id}.{'png' if message.photo else 'bin'}"
        target = self.files_dir / f"{message.chat_id}-{message.message_id}-{Path(name).name}"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sent.data)
        return target

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
            elif text == ":help":
                _show(HELP)
            elif text == ":who":
                if not await self.choose():
                    return
            elif text.startswith(":"):
                _show(f"没有 {text} 这个操作。{HELP}")
            elif self.pressable(text):
                await self.press(int(text))
            else:
                await self.say(text.removeprefix("'"))
