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
