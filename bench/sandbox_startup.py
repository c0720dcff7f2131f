"""Benchmark: how long `uv run gridbot demo` takes until its sandbox page answers, for a new
demo city and for the same city reopened (goal: under 20 s each once dependencies are
installed).

    uv run python bench/sandbox_startup.py [--runs 2] [--chromium /usr/bin/chromium]

Each run starts `uv run gridbot demo --no-browser` in a fresh temporary directory (the first
run builds the city, the later ones reopen it) and times from the process start until the page
is served (it then shows what is being prepared), until the sandbox behind it is ready, and,
with `--chromium`, until that browser shows the panes with the Chinese font loaded; then it
stops the demo with Ctrl+C (SIGINT) as a user would.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SERVED = "演示沙盒网页："
READY = "演示沙盒已就绪："


def shown_in(chromium: str, url: str) -> None:
    """Open the page in Chromium and wait for its panes and font (Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-ready] .pane")
        page.evaluate("document.fonts.ready")
        browser.close()


def one_run(directory: Path, chromium: str | None) -> tuple[float, float, float | None]:
    started = time.monotonic()
    process = subprocess.Popen(
        ["uv", "run", "gridbot", "demo", "--dir", str(directory), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    served = 0.0
    try:
        for line in process.stdout:
            if SERVED in line and not served:
                served = time.monotonic() - started
            if READY in line:
                url = line.split(READY, 1)[1].strip()
                with urllib.request.urlopen(url, timeout=10) as page:
                    page.read()
                answered = time.monotonic() - started
                if chromium is None:
                    return served, answered, None
                shown_in(chromium, url)
                return served, answered, time.monotonic() - started
        raise RuntimeError(f"gridbot demo ended without its page (exit {process.wait()})")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--chromium", help="also time the page shown in this Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "demo"
        for number in range(args.runs):
            what = "new city" if number == 0 else "reopened"
            served, answered, shown = one_run(directory, args.chromium)
            line = (
                f"run {number + 1} ({what}): page served after {served:.1f} s, "
                f"its panes' data after {answered:.1f} s"
            )
            if shown is not None:
                line += f", panes and font shown in Chromium after {shown:.1f} s"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
