"""`gridbot run` as a real process: polling or webhook, with its HTTP app, stopped by a signal."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli import app
from emulator import BotApiEmulator
from tests.bot.served import SECRET, eventually, free_socket
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
USERS = range(8501, 8506)


@asynccontextmanager
async def gridbot_run(
    emulator: BotApiEmulator, database_url: str, log: Path, *args: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()  # the child binds it
    environment = {
        **os.environ,
        "GRIDBOT_TOKEN": TOKEN,
        "GRIDBOT_DATABASE_URL": database_url,
        "GRIDBOT_API_BASE_URL": emulator.base_url,
        "GRIDBOT_QUIET_HOURS": "false",
        "GRIDBOT_DUTY_FIRST_RUN_SECONDS": "86400",
        "GRIDBOT_LISTEN": f"127.0.0.1:{port}",
        "GRIDBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "GRIDBOT_WEBHOOK_SECRET": SECRET,
    }
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import app; app()",
            "run",
            *args,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=output,
        )
        try:
            yield process, f"http://127.0.0.1:{port}"
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


async def ready(http: httpx.AsyncClient, base: str, log: Path) -> None:
    for _ in range(600):
        try:
            if (await http.get(f"{base}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"not ready; log:\n{tail(log)}")


async def stopped_by(process: asyncio.subprocess.Process, signum: int) -> int:
    process.send_signal(signum)
    return await asyncio.wait_for(process.wait(), timeout=30)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_gridbot_run_serves_health_and_stops_cleanly_on_a_signal(
    mode: str,
    emulator: BotApiEmulator,
    database_url: str,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    del engine  # a clean database
    emulator.webhook_retry_seconds = 0.05
    log = tmp_path / "bot.log"
    args = ("--webhook",) if mode == "webhook" else ()
    async with (
        gridbot_run(emulator, database_url, log, *args) as (process, base),
        httpx.AsyncClient(timeout=5) as http,
    ):
        await ready(http, base, log)
        assert (await http.get(f"{base}/healthz")).text == "ok"
        for user in USERS:
            emulator.user(user)
            await emulator.send_text(user, "/help")
        await eventually(lambda: all(emulator.sent_messages(u) for u in USERS), seconds=20)
        if mode == "webhook":
            assert emulator.webhook_url == f"{base}/hook"
            assert not any(method == "getUpdates" for method, _ in emulator.calls)
            first = {update_id for update_id, _status in emulator.webhook_deliveries}
            for update_id in first:
                emulator.redeliver(update_id)

            def answered_twice() -> bool:
                # Each update answered 2xx at least twice: its delivery and the redelivery
                # (on a loaded machine a slow first answer can also be retried).
                ok = [
                    u
                    for u, status in emulator.webhook_deliveries
                    if isinstance(status, int) and 200 <= status < 300
                ]
                return all(ok.count(update_id) >= 2 for update_id in first)

            await eventually(answered_twice)
            await asyncio.sleep(0.5)
        assert {u: len(emulator.sent_messages(u)) for u in USERS} == dict.fromkeys(USERS, 1)
        scraped = {
            (sample.name, tuple(sample.labels.values())): sample.value
            for family in text_string_to_metric_families((await http.get(f"{base}/metrics")).text)
            for sample in family.samples
        }
        assert scraped[("gridbot_updates_handled_total", ("command",))] == len(USERS)
        if mode == "webhook":
            # Every redelivery was dropped; on a loaded machine the emulator may also have
            # retried a first delivery it waited too long for: dropped as well (one reply each).
            assert scraped[("gridbot_webhook_deliveries_total", ("duplicate",))] >= len(USERS)
            assert scraped[("gridbot_webhook_deliveries_total", ("accepted",))] == len(USERS)
        signum = signal.SIGTERM if mode == "webhook" else signal.SIGINT
        assert await stopped_by(process, signum) == 0, tail(log)


def test_webhook_mode_needs_its_url_and_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_TOKEN", TOKEN)
    for name in ("GRIDBOT_WEBHOOK_URL", "GRIDBOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["run", "--webhook"])
    assert result.exit_code == 2
    assert "GRIDBOT_WEBHOOK_URL" in result.output
    assert "GRIDBOT_WEBHOOK_SECRET" in result.output
    monkeypatch.setenv("GRIDBOT_WEBHOOK_URL", "https://bot.example.gov.cn/telegram/x")
    monkeypatch.setenv("GRIDBOT_WEBHOOK_SECRET", "not allowed!")
    result = CliRunner().invoke(app, ["run", "--webhook"])
    assert result.exit_code == 2
    assert "GRIDBOT_WEBHOOK_SECRET" in result.output
