"""`gridbot run` instances as real processes against the emulator and a test database (the
takeover tests and bench/takeover.py): start one, read its log, kill it, and time a takeover
as Telegram sees it (the first getUpdates after the kill)."""

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from emulator import BotApiEmulator
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
STANDBY_LOG = "leadership: standby, waiting"
ACTIVE_LOG = "active: polling for updates"


@dataclass
class Instance:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self) -> str:
        return f"--- {self.name} ---\n{self.log_text()[-3000:]}"

    async def wait_for_log(self, needle: str, seconds: float = 90.0) -> None:
        deadline = time.monotonic() + seconds
        while needle not in self.log_text():
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: no {needle!r} in its log\n{self.tail()}")
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)


async def start_instance(
    name: str,
    *,
    database_url: str,
    emulator: BotApiEmulator,
    log_dir: Path,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Instance:
    """`gridbot run`, as in production, in a process of its own."""
    log = log_dir / f"{name}.log"
    environment = {
        **os.environ,
        "GRIDBOT_TOKEN": TOKEN,
        "GRIDBOT_DATABASE_URL": database_url,
        "GRIDBOT_API_BASE_URL": emulator.base_url,
        "GRIDBOT_QUIET_HOURS": "false",
        # Each instance's HTTP app (health, metrics) on a port of its own: several on one host.
        "GRIDBOT_LISTEN": "127.0.0.1:0",
        **(env or {}),
    }
    with log.open("wb") as output:
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
    return Instance(name=name, process=process, log=log)


async def stop_instance(instance: Instance) -> None:
    if instance.process.returncode is None:
        instance.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(instance.process.wait(), timeout=30)
        except TimeoutError:
            instance.kill()
            await instance.process.wait()


async def first_poll_after(emulator: BotApiEmulator, mark: int, seconds: float = 30.0) -> float:
    """Monotonic time of the first getUpdates at or after call number `mark`."""
    deadline = time.monotonic() + seconds
    seen = mark
    while time.monotonic() < deadline:
        calls = emulator.calls
        if any(method == "getUpdates" for method, _data in calls[seen:]):
            return time.monotonic()
        seen = len(calls)
        await asyncio.sleep(0.005)
    raise TimeoutError(f"nobody polled within {seconds}s of the kill")
