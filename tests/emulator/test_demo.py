"""`gridbot demo` end to end: a scripted newcomer session against the real bot and emulator."""

import io
from pathlib import Path

import pytest

from bot.demo import run_demo


async def test_demo_console_binds_and_chats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = "\n".join(["1", "/me", ":who", "7", "/grid", "1", "1", ":quit"]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert await run_demo(directory=tmp_path / "demo", enterprises=60, towns=2) == 0
    out = capsys.readouterr().out
    assert "演示城市已生成：2 个乡镇（街道）、60 家企业" in out
    assert out.count("绑定成功") == 2
    assert "我的信息" in out
    assert "请选择乡镇（街道）" in out
    # The admin pressed a town, then the first grid of that town.
    assert out.count("（点击按钮「") == 2
    assert "网格1（" in out
    assert "统计员已绑定" in out
    assert "再见" in out
    assert (tmp_path / "demo" / "gridbot-demo.db").exists()


async def run_script(
    directory: Path,
    lines: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    reset: bool = False,
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code = await run_demo(directory=directory, enterprises=60, towns=2, reset=reset)
    assert code == 0
    return capsys.readouterr().out


async def test_the_console_shows_the_core_loop_across_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A member binds; the admin sends a notice to the city; switching back, the member sees
    it (it arrived while they were not played), confirms it, and pressing again shows the
    bot's alert. Numbers the bot asks for (学时 2) are text; the admin's export is saved as a
    file; :help is the console's own; the bot's logs go to demo.log."""
    directory = tmp_path / "demo"
    out = await run_script(
        directory,
        [
            "1",
            ":help",
            ":who",
            "7",
            "/notice",
            "请本周内完成年报",
            "1",  # 跳过 (no attachment)
            "3",  # 全市
            "1",  # 全体人员
            "1",  # 确认发送
            ":who",
            "1",
            "1",  # 已阅
            "1",  # 已阅 again: an alert
            "/study",
            "今天",
            "统计法培训",
            "2",  # hours: text, not a button
            "1",  # 确认登记
            ":who",
            "7",
            "/export",
            "4",  # 问题台账
            "1",  # this month
            ":quit",
        ],
        monkeypatch,
        capsys,
    )
    away = out.index("（您不在时收到的消息）")
    assert "请本周内完成年报" in out[away : away + 200]
    assert "[1] 已阅" in out[away:]
    assert "（提示）您已确认过这条通知，无需重复确认。" in out
    assert "没有这个编号的按钮" not in out
    assert "学时：2" in out
    assert "已登记" in out
    [saved] = list((directory / "files").iterdir())
    assert "问题台账_全市_" in saved.name
    assert saved.read_bytes()[:2] == b"PK"  # an .xlsx
    assert f"（已保存：{saved}）" in out
    # :help was answered by the console (twice: on choosing and on :help), not sent as text.
    assert out.count("操作说明：") >= 4
    assert "（机器人没有回复）" not in out
    log = (directory / "demo.log").read_text(encoding="utf-8")
    assert "duty clock" in log
    assert " INFO " not in out
    assert " WARNING " not in out


async def test_the_demo_reopens_where_it_was_left_unless_reset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "demo"
    first = await run_script(directory, ["1", "/me", ":quit"], monkeypatch, capsys)
    assert first.count("绑定成功") == 1
    again = await run_script(directory, ["1", "/me", ":quit"], monkeypatch, capsys)
    assert "已打开上次的演示城市" in again
    # Still bound: the invitation is not followed a second time.
    assert "绑定成功" not in again
    assert "我的信息" in again
    fresh = await run_script(directory, ["1", ":quit"], monkeypatch, capsys, reset=True)
    assert "演示城市已生成" in fresh
    assert fresh.count("绑定成功") == 1


async def test_a_stale_button_gives_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from emulator import BotApiEmulator, EmulatorError, SentMessage
    from emulator.console import STALE, ConsoleChat, Player

    async with BotApiEmulator(token="1:t", bot_username="b") as emulator:
        chat = ConsoleChat(emulator, [Player("甲", "甲", 5, "x")], invite_link="…")
        chat.current = chat.cast[0]
        emulator.user(5, first_name="甲")

        gone = SentMessage(
            message_id=9,
            chat_id=5,
            method="sendMessage",
            date=0,
            text="通知",
            reply_markup={"inline_keyboard": [[{"text": "已阅", "callback_data": "n:1"}]]},
        )

        async def refused(*_args: object, **_kwargs: object) -> str:
            raise EmulatorError("message 9 has no button with callback_data 'n:1'")

        monkeypatch.setattr(chat, "latest", lambda: gone)
        monkeypatch.setattr(emulator, "press_button", refused)
        await chat.press(1)
    assert STALE in capsys.readouterr().out
