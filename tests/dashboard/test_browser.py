"""The dashboard in a real headless Chromium against a real `batch-emulator serve`.

A batch made through the openai SDK shows up, "+1 h" completes it, a fault added with the form
fails the SDK's next call; the page's own requests never reach the journal or the poll count.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import openai
import pytest
from anthropic import Anthropic
from openai import OpenAI

from tests.dashboard.conftest import jsonl
from tests.dashboard.page import Page

ROOT = Path(__file__).resolve().parents[2]
DASH = "\N{EN DASH}"  # the pager says "1\N{EN DASH}50 of 1001"


def _client(url: str) -> OpenAI:
    return OpenAI(base_url=url + "/v1", api_key="test", max_retries=0, timeout=30)


def _submit(client: OpenAI, count: int = 3) -> str:
    upload = client.files.create(file=("in.jsonl", jsonl(count)), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    return batch.id


def _screenshot(page: Page, artifacts: Path, name: str) -> Path:
    path = artifacts / name
    assert page.driver.save_screenshot(str(path)), "chromium saved no screenshot"
    assert path.stat().st_size > 10_000
    refresh = os.environ.get("BATCH_EMULATOR_SCREENSHOT")  # scripts/dashboard-screenshot
    if refresh:
        page.driver.save_screenshot(str(ROOT / refresh))
    return path


def test_batch_appears_completes_on_plus_one_hour_and_a_form_fault_fails_the_sdk(
    server: str, browser: object, artifacts: Path
) -> None:
    page = Page(browser, server).open()
    assert page.find("#batches-empty").is_displayed()
    client = _client(server)

    batch_id = _submit(client)
    page.wait(lambda: page.state_of(batch_id) == "validating", "the new batch, validating")
    row = page.row(batch_id)
    assert "openai" in row.text and "/v1/chat/completions" in row.text

    page.click("[data-advance='3600']")
    page.wait_state(batch_id, "completed")
    assert page.row(batch_id).find_element("css selector", ".progress small").text == "3/3"

    page.row(batch_id).click()
    page.wait(lambda: page.text("#detail-id") == batch_id, "the batch's detail")
    page.wait(lambda: page.text("#detail-state") == "completed", "the detail, completed")
    timeline = [li.get_attribute("data-state") for li in page.all("#detail-timeline li")]
    assert timeline == ["validating", "in_progress", "finalizing", "completed"]
    assert "3 succeeded" in page.text("#detail-counts")

    done = client.batches.retrieve(batch_id)
    assert done.output_file_id is not None
    link = page.wait(
        lambda: [a for a in page.all("#detail-files a") if done.output_file_id in a.text],
        "a link to the output file",
    )[0]
    downloaded = httpx.get(link.get_attribute("href"), timeout=10)
    assert downloaded.content == client.files.content(done.output_file_id).content

    page.choose("#fault-form [name=kind]", "http")
    page.choose("#fault-form [name=dialect]", "openai")
    page.choose("#fault-form [name=operation]", "batches.retrieve")
    page.type("#fault-form [name=status]", "503")
    page.type("#fault-form [name=times]", "1")
    page.type("#fault-form [name=message]", "armed from the dashboard")
    page.click("#fault-add")
    page.wait(lambda: page.all("#faults-list li[data-id]"), "the new fault rule")
    assert "batches.retrieve" in page.text("#faults-list")

    with pytest.raises(openai.InternalServerError, match="armed from the dashboard") as caught:
        client.batches.retrieve(batch_id)
    assert caught.value.status_code == 503
    page.wait(lambda: "http:503" in page.text("#journal tbody"), "the faulted call")
    page.wait(lambda: "fired 1" in page.text("#faults-list"), "the rule's fired count")
    assert client.batches.retrieve(batch_id).status == "completed"  # times=1: spent

    shot = _screenshot(page, artifacts, "dashboard.png")
    print(f"dashboard screenshot: {shot}")

    page.after_refreshes(2)
    journal = httpx.get(server + "/_emulator/requests", timeout=10).json()["data"]
    assert {e["operation"] for e in journal} == {
        "files.create",
        "batches.create",
        "batches.retrieve",
        "files.content",
    }
    assert all(e["path"].startswith("/v1/") for e in journal)
    answered = [e for e in journal if e["operation"] == "batches.retrieve" and e["status"] == 200]
    listed = httpx.get(server + "/_emulator/batches", timeout=10).json()["data"]
    assert [b["polls"] for b in listed] == [len(answered)]  # the faulted call never ran


def test_form_shows_the_control_planes_refusal(server: str, browser: object) -> None:
    page = Page(browser, server).open()
    page.choose("#fault-form [name=kind]", "http")
    page.type("#fault-form [name=status]", "99")
    page.click("#fault-add")
    message = page.wait(lambda: page.text("#fault-error"), "the refusal")
    direct = httpx.post(server + "/_emulator/faults", json={"kind": "http", "status": 99})
    assert direct.status_code == 400
    assert message == direct.json()["error"]["message"]
    assert httpx.get(server + "/_emulator/faults").json()["data"] == []


def test_drive_batches_clock_faults_and_reset_from_the_page(server: str, browser: object) -> None:
    client = _client(server)
    first, second = _submit(client), _submit(client)
    page = Page(browser, server).open()

    page.row(first).click()
    page.wait(lambda: page.text("#detail-id") == first, "the first batch's detail")
    planned = [li.get_attribute("data-state") for li in page.all("#detail-timeline li.planned")]
    assert planned == ["in_progress", "finalizing", "completed", "expired"]
    page.click("#detail-step")
    page.wait_state(first, "in_progress")
    page.wait(lambda: "completed" in page.text("#detail-transition-to"), "the allowed targets")
    page.choose("#detail-transition-to", "completed")
    page.click("#detail-transition")
    page.wait_state(first, "completed")
    assert client.batches.retrieve(first).status == "completed"  # seen, results never read
    page.wait(lambda: "results_unread" in page.text("#detail-findings"), "the verdict's finding")
    assert page.text("#findings-badge") == "1 finding"

    page.row(second).click()
    page.wait(lambda: page.text("#detail-id") == second, "the second batch's detail")
    page.wait(lambda: page.find("#detail-cancel").is_enabled(), "cancel enabled")
    page.click("#detail-cancel")
    page.wait_state(second, "cancelling")
    page.click("#detail-step")
    page.wait_state(second, "cancelled")
    assert client.batches.retrieve(second).status == "cancelled"

    before = httpx.get(server + "/_emulator/clock").json()["now"]
    page.type("#advance-custom", "2h\n")
    page.wait(
        lambda: httpx.get(server + "/_emulator/clock").json()["now"] - before >= 7200,
        "the clock two hours on",
    )
    assert httpx.get(server + "/_emulator/clock").json()["now"] - before < 7200 + 60

    page.type("#journal-q", "/files")
    page.wait(lambda: page.text("#journal-info").startswith("(2 of 2"), "only the uploads")
    assert {r.text.split()[2] for r in page.all("#journal tbody tr")} == {"/v1/files"}

    httpx.post(server + "/_emulator/faults", json={"kind": "item", "rate": 0.5})
    remove = page.wait(lambda: page.all("#faults-list li[data-id] button.remove"), "the rule")
    remove[0].click()
    page.wait(lambda: not page.all("#faults-list li[data-id]"), "the rule gone")
    assert httpx.get(server + "/_emulator/faults").json()["data"] == []

    page.click("#reset")
    page.driver.switch_to.alert.accept()
    page.wait(lambda: not page.all("#batches tbody tr"), "an empty table")
    assert httpx.get(server + "/_emulator/batches").json()["data"] == []
    assert page.find("#detail-empty").is_displayed()


def test_a_thousand_batches_and_a_100k_batch_in_progress_stay_paged(
    server: str, browser: object
) -> None:
    """Responsiveness by construction: what the page fetches is bounded by its page sizes."""
    small = Anthropic(base_url=server, api_key="test", max_retries=0, timeout=30)
    request = {
        "custom_id": "a",
        "params": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 8,
            "messages": [{"role": "user", "content": "hi"}],
        },
    }
    for _ in range(1000):  # these finish at once; only the big one is still in progress
        small.messages.batches.create(
            requests=[request], extra_headers={"x-emulator-timing": "immediate"}
        )
    client = OpenAI(base_url=server + "/v1", api_key="test", max_retries=0, timeout=120)
    upload = client.files.create(file=("big.jsonl", jsonl(100_000)), purpose="batch")
    big = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    ).id
    httpx.post(server + "/_emulator/clock/advance", json={"seconds": 900}).raise_for_status()

    page = Page(browser, server).open()
    page.wait_state(big, "in_progress")
    assert len(page.all("#batches tbody tr")) == 50
    assert page.text("#pager-info") == f"1{DASH}50 of 1001"
    done, total = page.row(big).find_element("css selector", ".progress small").text.split("/")
    assert total == "100000" and 0 < int(done) < 100_000

    page.row(big).click()
    page.wait(lambda: "100000 items" in page.text("#detail-counts"), "the big batch's counts")
    page.click("#pager-next")
    page.wait(lambda: page.text("#pager-info") == f"51{DASH}100 of 1001", "the second page")
    assert len(page.all("#batches tbody tr")) == 50
    page.choose("#batch-filter-state", "in_progress")
    page.wait(lambda: page.text("#pager-info") == f"1{DASH}1 of 1", "the one batch in progress")
    page.after_refreshes(2)

    fetched = page.script(
        "return performance.getEntriesByType('resource')"
        ".map(e => [e.name, e.encodedBodySize, e.initiatorType])"
    )
    origin = server + "/"
    assert fetched and all(name.startswith(origin) for name, _, _ in fetched)
    data = [(name, size) for name, size, kind in fetched if kind == "fetch"]
    assert any("dashboard/batches?" in name for name, _ in data)
    assert all(size < 64 * 1024 for _, size in data), max(data, key=lambda d: d[1])
