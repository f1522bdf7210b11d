"""The client verdict on Azure, Groq, Mistral and Together pipelines, through their own SDKs:
reading only the output file misses the failures, and is caught in the provider's terms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import ItemFault
from emulator.handle import EmulatorHandle
from tests.verdict.conftest import until

pytestmark = pytest.mark.batch_emulator(timing="immediate")
BUGGY = pytest.mark.batch_emulator(verdict="off")  # the test asserts the findings itself
CAREFUL = pytest.mark.batch_emulator(verdict="strict")  # any finding fails the test
ASK = [{"role": "user", "content": "hi"}]
IDS = ["r0", "r1", "r2", "r3"]


def _lines(url: str | None, model: str | None) -> bytes:
    out = []
    for c in IDS:
        body: dict[str, Any] = {"messages": ASK, **({"model": model} if model else {})}
        line: dict[str, Any] = {"custom_id": c, "body": body}
        if url:
            line.update(method="POST", url=url)
        out.append(json.dumps(line) + "\n")
    return "".join(out).encode()


def groq(h: EmulatorHandle, tmp: Path) -> Any:
    sdk = h.groq_client()
    data = _lines("/v1/chat/completions", "llama-3.1-8b-instant")
    f = sdk.files.create(file=("in.jsonl", data), purpose="batch")
    b = sdk.batches.create(
        input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = until(lambda: sdk.batches.retrieve(b.id), lambda x: x.status == "completed")
    return lambda careful: (
        sdk.files.content(done.output_file_id).read(),
        careful and sdk.files.content(done.error_file_id).read(),
    )


def mistral(h: EmulatorHandle, tmp: Path) -> Any:
    sdk = h.mistral_client()
    job = sdk.batch.jobs.create(
        requests=[{"custom_id": c, "body": {"messages": ASK}} for c in IDS],
        model="mistral-small-latest",
        endpoint="/v1/chat/completions",
    )
    done = until(lambda: sdk.batch.jobs.get(job_id=job.id), lambda x: x.status == "SUCCESS")
    return lambda careful: (
        sdk.files.download(file_id=done.output_file).read(),
        careful and sdk.files.download(file_id=done.error_file).read(),
    )


def together(h: EmulatorHandle, tmp: Path) -> Any:
    sdk = h.together_client()
    path = tmp / "in.jsonl"
    path.write_bytes(_lines(None, "meta-llama/Llama-3.3-70B-Instruct-Turbo"))
    f = sdk.files.upload(file=path, purpose="batch-api")
    job = sdk.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions").job
    assert job is not None and job.id
    done = until(lambda: sdk.batches.retrieve(job.id or ""), lambda x: x.status == "COMPLETED")
    return lambda careful: (
        sdk.files.content(done.output_file_id or "").read(),
        careful and sdk.files.content(done.error_file_id or "").read(),
    )


def azure_run(h: EmulatorHandle, tmp: Path) -> Any:
    sdk = h.azure_client()
    f = sdk.files.create(file=("in.jsonl", _lines("/chat/completions", "dep")), purpose="batch")
    b = sdk.batches.create(
        input_file_id=f.id, endpoint="/chat/completions", completion_window="24h"
    )
    done = until(lambda: sdk.batches.retrieve(b.id), lambda x: x.status == "completed")
    return lambda careful: (
        sdk.files.content(done.output_file_id or "").content,
        careful and sdk.files.content(done.error_file_id or "").content,
    )


RUNS: dict[str, Callable[[EmulatorHandle, Path], Any]] = {
    "azure": azure_run,
    "groq": groq,
    "mistral": mistral,
    "together": together,
}


@BUGGY
@pytest.mark.parametrize("provider", list(RUNS))
def test_reading_only_the_output_file_is_caught(
    batch_emulator: EmulatorHandle, tmp_path: Path, provider: str
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="r2", status=400, message="too long"))
    output, _ = RUNS[provider](batch_emulator, tmp_path)(False)
    assert len(output.splitlines()) == 3  # r2's failure silently disappeared
    [finding] = batch_emulator.verdict()
    assert (finding.rule, finding.dialect) == ("error_file_unread", provider)
    assert batch_emulator.batches[0].batch.error_file_id in finding.message


@CAREFUL
@pytest.mark.parametrize("provider", list(RUNS))
def test_reading_both_files_passes_strict(
    batch_emulator: EmulatorHandle, tmp_path: Path, provider: str
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="r2", status=400, message="too long"))
    output, errors = RUNS[provider](batch_emulator, tmp_path)(True)
    assert (len(output.splitlines()), len(errors.splitlines())) == (3, 1)
    assert batch_emulator.verdict() == []
