"""`gridbot demo` opens the browser sandbox; `--console` the console chat; where a browser is."""

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.sandbox.run import browser_available


def test_demo_is_the_sandbox_and_console_the_console_chat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    async def sandbox(**options: Any) -> int:
        calls.append(("sandbox", options))
        return 0

    async def console(**options: Any) -> int:
        calls.append(("console", options))
        return 0

    monkeypatch.setattr("bot.sandbox.run.run_sandbox", sandbox)
    monkeypatch.setattr("bot.demo.run_demo", console)
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--no-browser", "--port", "9000"]).exit_code == 0
    assert runner.invoke(app, ["demo", "--console", "--reset"]).exit_code == 0
    [(first, opened), (second, played)] = calls
    assert first == "sandbox"
    assert opened["open_browser"] is False
    assert opened["port"] == 9000
    assert opened["directory"] == Path("demo")
    assert second == "console"
    assert played["reset"] is True


@pytest.mark.parametrize(
    ("environment", "platform", "expected"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"BROWSER": "firefox"}, "linux", True),
        ({}, "darwin", True),
    ],
)
def test_a_browser_is_opened_only_where_one_can_show_the_page(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], platform: str, expected: bool
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.platform", platform)
    assert browser_available() is expected
