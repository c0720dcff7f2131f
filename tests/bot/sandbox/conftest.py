"""One sandbox and one Chromium for all browser tests of a module: the sandbox runs on its own
event loop in a thread (Playwright's sync API drives the page from the test's thread)."""

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.live import Sandbox
from bot.sandbox.run import sandbox

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots of the page, kept after the run (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@dataclass
class RunningSandbox:
    handle: Sandbox
    loop: asyncio.AbstractEventLoop

    @property
    def url(self) -> str:
        return self.handle.url

    def call(self, coroutine: Any) -> Any:
        """Run a coroutine on the sandbox's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)


@pytest.fixture(scope="module")
def running_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    directory = tmp_path_factory.mktemp("sandbox") / "demo"
    started: Future[RunningSandbox] = Future()
    stopping: Future[asyncio.Event] = Future()

    async def main() -> None:
        stop = asyncio.Event()
        stopping.set_result(stop)
        try:
            async with sandbox(directory, enterprises=60, towns=2, port=0) as handle:
                started.set_result(RunningSandbox(handle, asyncio.get_running_loop()))
                await stop.wait()
        except BaseException as exc:
            if not started.done():
                started.set_exception(exc)
            raise

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="sandbox")
    thread.start()
    running = started.result(timeout=120)
    try:
        yield running
    finally:
        stop = stopping.result()
        running.loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=60)


@pytest.fixture(scope="module")
def page(running_sandbox: RunningSandbox) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        context = browser.new_context(
            viewport={"width": 1840, "height": 940}, accept_downloads=True
        )
        page = context.new_page()
        # Every address the page asked for: all must be the sandbox's own (offline).
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.requested = requested
        page.set_default_timeout(20_000)
        page.goto(running_sandbox.url)
        page.wait_for_selector("body[data-ready]")
        yield page
        ARTIFACTS.mkdir(exist_ok=True)
        # The page after every flow of the module: what a newcomer sees after trying it.
        page.screenshot(path=str(ARTIFACTS / "sandbox-after.png"))
        browser.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
