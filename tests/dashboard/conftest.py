"""A real `batch-emulator serve` and a real headless Chromium, for the dashboard's browser tests.

Chromium and its driver are Debian's (`.ci/run` installs them); selenium is told where the driver
is, so it never tries to download one (the machine may be offline). Without them the browser
tests are skipped locally and fail in CI, where `.ci/run` exports BATCH_EMULATOR_BROWSER=required.
Every wait is bounded; nothing sleeps to wait for state: the clock is moved through the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"
WAIT = 15.0  # seconds any one page condition may take before the test fails
# Slow enough that a batch stays visibly in each phase until the clock is moved from the page:
# validating 10 min, in_progress 10 min, finalizing 1 min, so "+1 h" always completes it; a
# cancel stays `cancelling` for 10 min.
SLOW = {
    "policy": "timed",
    "validating": 600,
    "in_progress": 600,
    "per_request": 0,
    "finalizing": 60,
    "cancel_delay": 600,
}
LINE = {
    "custom_id": "q1",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
}


def jsonl(count: int, prefix: str = "q") -> bytes:
    return b"".join(
        json.dumps({**LINE, "custom_id": f"{prefix}{i}"}).encode() + b"\n" for i in range(count)
    )


def start_serve(config: dict[str, Any], tmp: Path) -> tuple[subprocess.Popen[str], str]:
    """`python -m emulator serve --port 0 --config FILE`, as a user runs it; its URL."""
    path = tmp / "emulator.json"
    path.write_text(json.dumps(config))
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--config", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    banner = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", banner)
    if not found:
        proc.kill()
        raise AssertionError(f"no URL in banner {banner!r}")
    url = found.group(0)
    # serve logs every call to stdout: keep reading it, or a full pipe would stall the server.
    threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_emulator/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("serve did not answer /_emulator/health")


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_serve(
        {"timing": SLOW, "max_batch_requests": 100_000}, tmp_path_factory.mktemp("serve")
    )
    try:
        yield url
    finally:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def server(served: str) -> str:
    """The module's server, reset: every test starts with no batches, faults or calls."""
    httpx.post(served + "/_emulator/reset", timeout=10).raise_for_status()
    return served


def _binary(names: tuple[str, ...]) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver = _binary(CHROMIUM), _binary((DRIVER,))
    webdriver = pytest.importorskip("selenium.webdriver")
    if chromium is None or driver is None:
        message = "needs Debian's chromium and chromium-driver (.ci/run installs them)"
        if os.environ.get("BATCH_EMULATOR_BROWSER") == "required":
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1500,1100",
        "--no-first-run",
        "--disable-extensions",
    ):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=driver)
    chrome = webdriver.Chrome(options=options, service=service)
    chrome.set_page_load_timeout(30)
    chrome.set_script_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: $BATCH_EMULATOR_ARTIFACTS if set (CI keeps it), else tmp."""
    where = os.environ.get("BATCH_EMULATOR_ARTIFACTS")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path
