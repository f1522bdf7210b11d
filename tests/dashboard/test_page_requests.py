"""What the page sends: same-origin JSON requests carrying the control token from its URL.

The server here is an emulator that requires a control token, behind a recorder of headers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from openai import OpenAI
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator import Emulator
from emulator.server import ServerThread
from tests.dashboard.conftest import jsonl
from tests.dashboard.page import Page

TOKEN = "s3cret-token"


class Recorder:
    """Notes the method, path and headers of every control-plane request, then passes it on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/_emulator/"):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            self.seen.append((scope["method"], scope["path"], headers))
        await self.app(scope, receive, send)


@dataclass
class Recorded:
    emulator: Emulator
    recorder: Recorder
    url: str = ""


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    emulator = Emulator(timing="manual", control_token=TOKEN)
    setup = Recorded(emulator, Recorder(emulator.app))
    server = ServerThread(setup.recorder)
    setup.url = server.start()
    try:
        yield setup
    finally:
        server.stop()


def test_the_page_opens_without_the_token_and_its_data_needs_it(recorded: Recorded) -> None:
    for path in ("", "static/app.js", "static/style.css"):
        assert httpx.get(f"{recorded.url}/_emulator/{path}").status_code == 200, path
    for path in ("dashboard/batches", "dashboard/requests", "dashboard/findings", "clock"):
        refused = httpx.get(f"{recorded.url}/_emulator/{path}")
        assert refused.status_code == 401, path
        allowed = httpx.get(f"{recorded.url}/_emulator/{path}", headers={"x-emulator-token": TOKEN})
        assert allowed.status_code == 200, path
    posted = httpx.post(f"{recorded.url}/_emulator/", json={})
    assert posted.status_code in (401, 405)


def test_every_call_is_same_origin_json_with_the_token_from_the_page_url(
    recorded: Recorded, browser: object
) -> None:
    emulator, recorder, url = recorded.emulator, recorded.recorder, recorded.url
    client = OpenAI(base_url=url + "/v1", api_key="test", max_retries=0, timeout=30)
    upload = client.files.create(file=("in.jsonl", jsonl(2)), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    emulator.transition(batch.id, "in_progress")
    emulator.transition(batch.id, "completed")
    assert client.batches.retrieve(batch.id).status == "completed"  # seen, results never read

    page = Page(browser, url, f"?token={TOKEN}").open()
    page.wait(lambda: page.all(f'#batches tbody tr[data-id="{batch.id}"]'), "the batch")
    page.row(batch.id).click()
    page.wait(lambda: "results_unread" in page.text("#detail-findings"), "the finding")
    assert page.text("#findings-badge") == "1 finding"
    page.wait(lambda: page.all("#detail-files a"), "the input file link")[0].click()
    page.click("[data-advance='60']")
    page.wait(lambda: any(m == "POST" for m, _, _ in recorder.seen), "the advance call")
    page.wait(lambda: any("/dashboard/files/" in p for _, p, _ in recorder.seen), "the download")

    calls = [(m, p, h) for m, p, h in recorder.seen if "/static/" not in p and p != "/_emulator/"]
    assert {p for _, p, _ in calls} >= {
        "/_emulator/clock",
        "/_emulator/faults",
        "/_emulator/dashboard/findings",
        "/_emulator/dashboard/batches",
        f"/_emulator/dashboard/batches/{batch.id}",
        f"/_emulator/dashboard/files/{upload.id}",
        "/_emulator/clock/advance",
    }
    for method, path, headers in calls:
        assert headers.get("x-emulator-token") == TOKEN, (method, path)
        assert headers.get("sec-fetch-site") == "same-origin", (method, path)
        assert headers.get("content-type") == "application/json", (method, path)
    for method, path, headers in calls:
        if method != "GET":
            assert headers.get("origin") == url, (method, path)
    assert emulator.clock.offset == 60  # type: ignore[attr-defined]  # SystemClock


def test_without_the_token_the_page_says_why(recorded: Recorded, browser: object) -> None:
    page = Page(browser, recorded.url).open()
    page.wait(lambda: "control token" in page.text("#clock-kind"), "the refusal")
    assert "offline" in (page.find("body").get_attribute("class") or "")
