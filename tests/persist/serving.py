"""A `batch-emulator serve --state` subprocess, as a user runs it (for kill -9 and restarts)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import httpx

# Every server a test starts, so the test's teardown (conftest.py) kills any a failing
# assertion left running.
STARTED: list[subprocess.Popen[str]] = []


def start(state: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            "0",
            "--quiet",
            "--state",
            str(state),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    STARTED.append(proc)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", first)
    if found is None:
        proc.kill()
        raise AssertionError(f"no URL in banner line {first!r}")
    url = found.group(0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_emulator/health").status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.02)
    proc.kill()
    raise AssertionError("server did not answer /_emulator/health")


def stop(proc: subprocess.Popen[str], clean: bool = False) -> None:
    """SIGKILL (no shutdown code runs), or with `clean` SIGINT, as Ctrl-C."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT if clean else signal.SIGKILL)
    proc.wait(20)


def stop_all() -> None:
    while STARTED:
        stop(STARTED.pop())


def aws(url: str, service: str, key: str = "AKIDEXAMPLE") -> Any:
    """A boto3 client of `service` (s3, bedrock) on the server, path-style, one attempt per
    call (a retry across a restart would blur what was acknowledged)."""
    config = botocore.config.Config(
        s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}
    )
    return boto3.client(
        service,
        endpoint_url=f"{url}/{service}",
        aws_access_key_id=key,
        aws_secret_access_key="secret",
        region_name="us-east-1",
        config=config,
    )
