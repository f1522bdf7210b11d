"""What a user sees: failed-test reports, fixture docs, the batch view, control-plane answers,
and the small API edges (days, minutes, a fault without kind, a bad state name)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.batch_info import BatchInfo
from emulator.handle import EmulatorHandle
from emulator.pytest_plugin import FIXTURES

LINES = (
    b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",'
    b' "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}\n'
    b"this line is not json\n"
)


def submit(client: Any, data: bytes = LINES) -> Any:
    upload = client.files.create(file=("in.jsonl", data), purpose="batch")
    return client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )


@pytest.fixture
def control(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url + "/_emulator") as client:
        yield client


def test_a_failed_test_shows_the_journal_and_the_batches(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from emulator import HttpFault

        LINE = (b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",'
                b' "body": {"model": "gpt-4o-mini", "messages": []}}\\n')

        import pytest

        @pytest.mark.batch_emulator(timing="manual")
        def test_fails(batch_emulator, openai_client):
            batch_emulator.faults.add(HttpFault(status=429, operation="batches.list",
                                                retry_after_ms=1, times=1))
            upload = openai_client.files.create(file=("in.jsonl", LINE), purpose="batch")
            openai_client.batches.create(input_file_id=upload.id,
                                         endpoint="/v1/chat/completions",
                                         completion_window="24h")
            openai_client.batches.list()
            assert False, "the pipeline broke"

        def test_passes(batch_emulator, openai_client):
            openai_client.batches.list()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- batch-emulator -*",
            "calls (4):",
            "*POST /v1/files -> 200 (openai files.create)",
            "*POST /v1/batches -> 200 (openai batches.create) batch=batch_*",
            "*GET /v1/batches -> 429 (openai batches.list) fault=http:429 [[]fault_1[]]",
            "*GET /v1/batches -> 200 (openai batches.list) retry=1",
            "batches (1):",
            "  batch_* (openai, /v1/chat/completions) validating; 1 items: *",
        ]
    )
    assert result.stdout.str().count("- batch-emulator -") == 1  # not for the passing test


def test_every_fixture_has_a_docstring(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    text = result.stdout.str()
    ours = [*FIXTURES, "batch_emulator_config", "batch_emulator_server", "batch_emulator_app"]
    ours += ["openai_client", "async_openai_client", "anthropic_client"]
    ours += ["async_anthropic_client", "gemini_client"]
    ours += ["azure_client", "groq_client", "mistral_client", "together_client"]
    ours += ["bedrock_client", "s3_client", "vertex_client", "gcs_client"]
    for name in ours:
        block = text.split(f"\n{name}", 1)[1].split("\n\n", 1)[0]
        assert "no docstring available" not in block, name


def test_an_unused_context_manager_fault_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from emulator import HttpFault

        def test_never_cancels(batch_emulator, openai_client):
            with batch_emulator.fault(HttpFault(status=500, operation="batches.cancel", times=1)):
                openai_client.batches.list()

        def test_used(batch_emulator, openai_client):
            with batch_emulator.fault(HttpFault(status=500, operation="batches.list", times=1)):
                openai_client.batches.list()  # retried by the SDK: the rule is used up
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*fault(s) fault_1 set up with `times=` were not used up*"])


@pytest.mark.batch_emulator(timing="immediate")
def test_batches_are_typed_views_with_a_short_repr(batch_emulator, openai_client):
    good = submit(openai_client, LINES.splitlines(keepends=True)[0])
    bad = submit(openai_client)
    openai_client.batches.retrieve(good.id)
    infos = {b.id: b for b in batch_emulator.batches}
    done, failed = infos[good.id], infos[bad.id]
    assert isinstance(done, BatchInfo)
    assert (done.state, done.counts.succeeded, done.counts.total) == ("completed", 1, 1)
    assert done.polls == 1 and done.dialect == "openai" and done.failure is None
    assert repr(done) == f"<BatchInfo {good.id} openai completed: 1 ok, 0 errored>"
    assert failed.state == "failed"
    assert failed.failure is not None and failed.failure.startswith("line 2: ")
    assert len(repr(failed)) < 200
    assert batch_emulator.batch(bad.id) == failed


def test_advance_takes_days(batch_emulator: EmulatorHandle) -> None:
    before = batch_emulator.now()
    after = batch_emulator.advance(days=1, hours=1)
    assert after - before == pytest.approx(25 * 3600, abs=1)


def test_a_bad_state_name_lists_the_valid_ones(batch_emulator, openai_client):
    batch = submit(openai_client, LINES.splitlines(keepends=True)[0])
    with pytest.raises(ValueError, match="unknown batch state 'done'; valid states: validating,"):
        batch_emulator.transition(batch.id, "done")


def test_journal_names_the_batch_a_create_made(batch_emulator, openai_client, gemini_client):
    batch = submit(openai_client)
    job = gemini_client.batches.create(
        model="gemini-2.5-flash", src=[{"contents": [{"role": "user", "parts": [{"text": "x"}]}]}]
    )
    creates = [r.batch_id for r in batch_emulator.requests if r.operation == "batches.create"]
    assert creates == [batch.id, job.name.removeprefix("batches/")]


@pytest.mark.batch_emulator(timing="immediate")
def test_control_plane_one_batch_with_failure_and_counts(batch_emulator, openai_client, control):
    bad = submit(openai_client)
    good = submit(openai_client, LINES.splitlines(keepends=True)[0])
    failed = control.get(f"/batches/{bad.id}").json()
    assert failed["state"] == "failed"
    assert failed["failure"].startswith("line 2: ")
    assert failed["counts"]["total"] == 0
    done = control.get(f"/batches/{good.id}").json()
    assert (done["state"], done["failure"]) == ("completed", None)
    assert done["counts"] == {
        "total": 1,
        "processing": 0,
        "succeeded": 1,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    assert control.get("/batches").json()["data"][0]["failure"] is not None
    missing = control.get("/batches/batch_nope")
    assert missing.status_code == 404 and "batch_nope" in missing.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "seconds"),
    [({"minutes": 5}, 300), ({"hours": 1, "seconds": 2}, 3602), ({"days": 1}, 86400)],
)
def test_clock_advance_takes_units(control: httpx.Client, body: dict[str, int], seconds: int):
    before = control.get("/clock").json()["now"]
    after = control.post("/clock/advance", json=body).json()["now"]
    assert after - before == pytest.approx(seconds, abs=1)


@pytest.mark.parametrize("body", [{}, {"minute": 5}, {"minutes": -1}, {"hours": "1"}])
def test_clock_advance_refuses_nonsense(control: httpx.Client, body: dict[str, Any]) -> None:
    answer = control.post("/clock/advance", json=body)
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert any(f"{word}" in message for word in ("seconds", *body)), message


@pytest.mark.parametrize("body", [{}, {"times": 1}, [{"kind": "http", "status": 500}, {}]])
def test_a_fault_that_says_nothing_is_refused(control: httpx.Client, body: Any) -> None:
    """Without `kind` and without a field saying what it does, a rule would be a catch-all 500
    on every call: refused here, as in Python and config files (tests/test_fault_kinds.py)."""
    answer = control.post("/faults", json=body)
    assert answer.status_code == 400
    assert "'kind': 'http', 'item' or 'batch'" in answer.json()["error"]["message"]
    assert control.get("/faults").json()["data"] == []


@pytest.mark.batch_emulator(timing="immediate")
def test_a_failed_gemini_job_carries_its_reason_on_the_wire(batch_emulator, gemini_client):
    """The Operation's `error` {code, message} holds the reason. google-genai 3.x does not map
    it into `BatchJob.error` for the Gemini API (only for Vertex; shared/reference
    anthropic-gemini-batch.md, "never mapped for mldev"), so the reason is read from the wire,
    `batch_emulator.batch(...)` or `GET /_emulator/batches/{id}`."""
    upload = gemini_client.files.upload(
        file=_bytes_io(b'{"key": "a", "request": {"contents": []}}\nnot json\n'),
        config={"mime_type": "application/jsonl"},
    )
    job = gemini_client.batches.create(model="gemini-2.5-flash", src=upload.name)
    seen = gemini_client.batches.get(name=job.name)
    assert seen.state.name == "JOB_STATE_FAILED"
    raw = httpx.get(
        f"{batch_emulator.url}/v1beta/{job.name}", headers={"x-goog-api-key": "test"}
    ).json()
    assert raw["error"]["code"] == 3 and "2" in raw["error"]["message"]
    info = batch_emulator.batch(job.name.removeprefix("batches/"))
    assert info.failure is not None and raw["error"]["message"] in info.failure


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def test_control_plane_summary_matches_the_view(batch_emulator, openai_client, control):
    batch = submit(openai_client)
    assert control.get(f"/batches/{batch.id}").json() == json.loads(
        json.dumps(batch_emulator.batch(batch.id).as_dict())
    )
