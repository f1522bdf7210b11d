"""What the dashboard's data says about a batch, in the provider's words: Anthropic's model, the
provider's status word beside the neutral state, native ids, and no controls for a finished
batch (the page hides the controls exactly when `allowed` is empty)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle

STATIC = Path(__file__).resolve().parents[2] / "emulator" / "dashboard" / "static"
MESSAGE = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hi"}],
}


def get(handle: EmulatorHandle, path: str) -> Any:
    response = httpx.get(f"{handle.url}/_emulator/{path}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.batch_emulator(timing="manual")
def test_anthropic_rows_show_the_model_and_ended(
    batch_emulator: EmulatorHandle, anthropic_client: Any
) -> None:
    batch = anthropic_client.messages.batches.create(
        requests=[{"custom_id": "a", "params": MESSAGE}]
    )
    [row] = get(batch_emulator, "dashboard/batches")["data"]
    assert (row["model"], row["status"], row["state"]) == (
        "claude-sonnet-4-5",
        batch.processing_status,
        "validating",
    )
    batch_emulator.transition(batch.id, "cancelled")
    detail = get(batch_emulator, f"dashboard/batches/{batch.id}")
    seen = anthropic_client.messages.batches.retrieve(batch.id).processing_status
    assert (detail["status"], detail["state"]) == (seen, "cancelled")
    assert detail["allowed"] == []  # finished: the page offers no controls
    list(anthropic_client.messages.batches.results(batch.id))


@pytest.mark.batch_emulator(timing="manual")
def test_gemini_detail_by_the_sdks_name(batch_emulator: EmulatorHandle, gemini_client: Any) -> None:
    job = gemini_client.batches.create(
        model="gemini-2.5-flash", src=[{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}]
    )
    detail = get(batch_emulator, f"dashboard/batches/{job.name}")
    assert (detail["native_id"], detail["status"]) == (job.name, job.state.value)
    assert "in_progress" in detail["allowed"]
    found = httpx.get(
        f"{batch_emulator.url}/_emulator/dashboard/batches", params={"q": job.name}
    ).json()["data"]
    assert [row["native_id"] for row in found] == [job.name]
    results = httpx.get(f"{batch_emulator.url}/_emulator/dashboard/batches/{job.name}/results")
    assert results.status_code == 200


def test_the_page_hides_controls_when_nothing_is_allowed() -> None:
    """The page's own rule, read from its script: the controls box follows `allowed`."""
    script = (STATIC / "app.js").read_text()
    assert '$("#detail-actions").classList.toggle("hidden", !choices.length)' in script
    assert 'id="detail-actions"' in (STATIC / "index.html").read_text()


def test_two_columns_flow_on_their_own() -> None:
    """Each column stacks its panels, so a tall detail leaves no gap under the batch list."""
    html = (STATIC / "index.html").read_text()
    main = html.index('id="column-main"')
    side = html.index('id="column-side"')
    assert main < html.index('id="batches-panel"') < html.index('id="journal-panel"') < side
    assert side < html.index('id="detail"') < html.index('id="faults-panel"')


@pytest.mark.batch_emulator(timing="immediate")
def test_a_gemini_file_downloads_by_its_name(
    batch_emulator: EmulatorHandle, gemini_client: Any
) -> None:
    import io

    uploaded = gemini_client.files.upload(
        file=io.BytesIO(b'{"key": "a", "request": {"contents": [{"parts": [{"text": "hi"}]}]}}\n'),
        config={"mime_type": "application/jsonl"},
    )
    assert uploaded.name.startswith("files/")
    got = httpx.get(f"{batch_emulator.url}/_emulator/dashboard/files/{uploaded.name}")
    assert got.status_code == 200 and b'"key": "a"' in got.content
    job = gemini_client.batches.create(model="gemini-2.5-flash", src=uploaded.name)
    done = gemini_client.batches.get(name=job.name)
    gemini_client.files.download(file=done.dest.file_name)  # a careful client reads its results
