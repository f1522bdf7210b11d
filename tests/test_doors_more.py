"""The cross-door contract for Azure, Groq, Mistral and Together: whichever door looks first
(native SDK, control plane, Python handle, and for Azure Bifrost's unified API and its
OpenAI-compatible routes), every door then sees the same ended batch, the same counts and the
same result files, stamped at the batch's finish time rather than at the first read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai import AzureOpenAI

from emulator.handle import EmulatorHandle

SCENARIO = {"x-emulator-scenario": "errors:0.5"}
N = 8
ASK = [{"role": "user", "content": "hi"}]


def _azure(h: EmulatorHandle, tmp: Path) -> str:
    sdk = h.azure_client()
    lines = [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/chat/completions",
            "body": {"model": "dep", "messages": ASK},
        }
        for i in range(N)
    ]
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    f = sdk.files.create(file=("in.jsonl", data), purpose="batch")
    h.advance(5)  # Azure processes an upload a few seconds after it lands (pending first)
    return sdk.batches.create(
        input_file_id=f.id,
        endpoint="/chat/completions",
        completion_window="24h",
        extra_headers=SCENARIO,
    ).id


def _groq(h: EmulatorHandle, tmp: Path) -> str:
    sdk = h.groq_client()
    lines = [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "llama-3.1-8b-instant", "messages": ASK},
        }
        for i in range(N)
    ]
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    f = sdk.files.create(file=("in.jsonl", data), purpose="batch")
    return sdk.batches.create(
        input_file_id=f.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        extra_headers=SCENARIO,
    ).id


def _mistral(h: EmulatorHandle, tmp: Path) -> str:
    sdk = h.mistral_client()
    return sdk.batch.jobs.create(
        requests=[{"custom_id": f"r{i}", "body": {"messages": ASK}} for i in range(N)],
        model="mistral-small-latest",
        endpoint="/v1/chat/completions",
        http_headers=SCENARIO,
    ).id


def _together(h: EmulatorHandle, tmp: Path) -> str:
    sdk = h.together_client()
    path = tmp / "in.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "custom_id": f"r{i}",
                    "body": {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "messages": ASK},
                }
            )
            + "\n"
            for i in range(N)
        )
    )
    f = sdk.files.upload(file=path, purpose="batch-api")
    job = sdk.batches.create(
        input_file_id=f.id, endpoint="/v1/chat/completions", extra_headers=SCENARIO
    ).job
    assert job is not None and job.id
    return job.id


CREATE: dict[str, Callable[[EmulatorHandle, Path], str]] = {
    "azure": _azure,
    "groq": _groq,
    "mistral": _mistral,
    "together": _together,
}


def _native(h: EmulatorHandle, provider: str, batch_id: str) -> tuple[str, int, int, set[str]]:
    """(ended?, succeeded, failed, result file ids) as the provider's own SDK reports them."""
    if provider == "azure":
        b = h.azure_client().batches.retrieve(batch_id)
        assert b.request_counts is not None
        return (
            b.status,
            b.request_counts.completed,
            b.request_counts.failed,
            {b.output_file_id or "", b.error_file_id or ""},
        )
    if provider == "groq":
        g = h.groq_client().batches.retrieve(batch_id)
        assert g.request_counts is not None
        return (
            g.status,
            g.request_counts.completed,
            g.request_counts.failed,
            {g.output_file_id or "", g.error_file_id or ""},
        )
    if provider == "mistral":
        j = h.mistral_client().batch.jobs.get(job_id=batch_id)
        return (
            str(j.status),
            j.succeeded_requests,
            j.failed_requests,
            {j.output_file or "", j.error_file or ""},
        )
    t = h.together_client().batches.retrieve(batch_id)
    files = {t.output_file_id or "", t.error_file_id or ""}
    return str(t.status), -1, -1, files  # Together reports progress, not counts


ENDED = {"azure": "completed", "groq": "completed", "mistral": "SUCCESS", "together": "COMPLETED"}


def _control(h: EmulatorHandle, batch_id: str) -> dict[str, Any]:
    rows = httpx.get(h.url + "/_emulator/batches").json()["data"]
    return next(r for r in rows if r["id"] == batch_id)


def _first_native(h: EmulatorHandle, provider: str, batch_id: str) -> None:
    _native(h, provider, batch_id)


def _first_control(h: EmulatorHandle, provider: str, batch_id: str) -> None:
    _control(h, batch_id)


def _first_handle(h: EmulatorHandle, provider: str, batch_id: str) -> None:
    next(v for v in h.batches if v.batch.id == batch_id)


def _first_bifrost(h: EmulatorHandle, provider: str, batch_id: str) -> None:
    if provider == "azure":
        httpx.get(f"{h.bifrost_base_url}/v1/batches/{batch_id}", params={"provider": "azure"})
    else:
        _control(h, batch_id)


FIRST = {
    "native": _first_native,
    "control plane": _first_control,
    "python handle": _first_handle,
    "bifrost (azure)": _first_bifrost,
}


@pytest.mark.parametrize("first", list(FIRST))
@pytest.mark.parametrize("provider", list(CREATE))
def test_every_door_sees_the_same_ended_batch(
    batch_emulator: EmulatorHandle, tmp_path: Path, provider: str, first: str
) -> None:
    batch_id = CREATE[provider](batch_emulator, tmp_path)
    batch_emulator.advance(hours=1)  # it finished long ago; nobody has read it
    FIRST[first](batch_emulator, provider, batch_id)
    control = _control(batch_emulator, batch_id)
    view = next(v for v in batch_emulator.batches if v.batch.id == batch_id)
    status, succeeded, failed, files = _native(batch_emulator, provider, batch_id)
    assert status == ENDED[provider]
    assert control["state"] == view.state.value == "completed"
    assert control["dialect"] == provider
    assert (control["counts"]["succeeded"], control["counts"]["errored"]) == (N // 2, N // 2)
    if succeeded >= 0:
        assert (succeeded, failed) == (N // 2, N // 2)
    expected = {control["output_file_id"], control["error_file_id"]}
    assert files == expected == {view.batch.output_file_id, view.batch.error_file_id}
    ended = control["ended_at"]
    stamps = {batch_emulator.emulator.service.get_file(f).created_at for f in expected}
    assert stamps == {ended}  # made at the finish instant, whoever looked first
    if provider == "azure":
        unified = httpx.get(
            f"{batch_emulator.bifrost_base_url}/v1/batches/{batch_id}", params={"provider": "azure"}
        ).json()
        assert unified["status"] == "completed"
        assert {unified["output_file_id"], unified["error_file_id"]} == expected
        compat = AzureOpenAI(
            azure_endpoint=batch_emulator.bifrost_base_url, api_key="k", api_version="2024-10-21"
        )
        seen = compat.batches.retrieve(batch_id)
        assert (seen.status, seen.output_file_id) == ("completed", control["output_file_id"])
