"""Benchmark: how long `uv run gridbot demo` takes until its sandbox page answers, for a new
demo city and for the same city reopened (goal: under 20 s each once dependencies are
installed).

    uv run python bench/sandbox_startup.py [--runs 2]

Each run starts `uv run gridbot demo --no-browser` in a fresh temporary directory (the first
run builds the city, the later ones reopen it), times from the process start until the page
at the printed address has answered, then stops it with Ctrl+C (SIGINT) as a user would.
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

READY = "演示沙盒已就绪："


def one_run(directory: Path) -> float:
    started = time.monotonic()
    process = subprocess.Popen(
        ["uv", "run", "gridbot", "demo", "--dir", str(directory), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if READY in line:
                url = line.split(READY, 1)[1].strip()
                with urllib.request.urlopen(url, timeout=10) as page:
                    page.read()
                return time.monotonic() - started
        raise RuntimeError(f"gridbot demo ended without its page (exit {process.wait()})")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "demo"
        for number in range(args.runs):
            what = "new city" if number == 0 else "reopened"
            print(f"run {number + 1} ({what}): page answered after {one_run(directory):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
