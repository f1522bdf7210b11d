"""The dashboard in a real headless Chromium, in the provider's words: an Anthropic batch shows
its model and `canceling`/`ended`, a toast says what the batch's answer says, a finished batch
offers no controls, and a tall detail panel leaves no gap under the batch list."""

from __future__ import annotations

from anthropic import Anthropic

from tests.dashboard.page import Page

REQUEST = {
    "custom_id": "a",
    "params": {
        "model": "claude-sonnet-4-5",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}],
    },
}


def test_an_anthropic_batch_in_its_own_words(server: str, browser: object) -> None:
    page = Page(browser, server).open()
    client = Anthropic(base_url=server, api_key="test", max_retries=0, timeout=30)
    batch = client.messages.batches.create(requests=[REQUEST])
    page.wait_state(batch.id, batch.processing_status)  # "in_progress", Anthropic's word
    assert "claude-sonnet-4-5" in page.row(batch.id).text

    page.row(batch.id).click()
    page.wait(lambda: page.text("#detail-id") == batch.id, "the batch's detail")
    assert page.find("#detail-actions").is_displayed()
    page.click("#detail-cancel")
    page.wait(lambda: f"{batch.id}: " in page.text("#toast"), "the toast")
    # A cancel's answer is `canceling` (Anthropic's cancel reference), the neutral word beside
    # it. Read only once the toast is up: read at the click, the cancel may not have landed.
    assert f"{batch.id}: canceling (cancelling)" in page.text("#toast")
    assert client.messages.batches.retrieve(batch.id).processing_status in ("canceling", "ended")

    page.click("[data-advance='3600']")
    page.wait(lambda: page.text("#detail-state") == "ended", "the detail, ended")
    page.wait(lambda: not page.find("#detail-actions").is_displayed(), "no controls")
    list(client.messages.batches.results(batch.id))


def test_no_gap_under_the_batch_list(server: str, browser: object) -> None:
    page = Page(browser, server).open()
    client = Anthropic(base_url=server, api_key="test", max_retries=0, timeout=30)
    batch = client.messages.batches.create(requests=[REQUEST])
    page.wait_state(batch.id, "in_progress")
    page.row(batch.id).click()  # the detail panel, taller than the one-row batch list
    page.wait(lambda: page.text("#detail-id") == batch.id, "the batch's detail")
    rects = page.script(
        "return ['batches-panel', 'journal-panel', 'detail'].map("
        "(id) => document.getElementById(id).getBoundingClientRect().toJSON());"
    )
    batches, journal, detail = rects
    assert detail["height"] > batches["height"]  # the case that used to leave a gap
    assert 0 <= journal["top"] - batches["bottom"] <= 20  # the grid gap, nothing more
