"""Asynchronous input validation: validating -> failed with every bad line listed (§2.3)."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openai import OpenAI
from openai.types import Batch

from emulator.handle import EmulatorHandle
from tests.providers.conftest import chat_line, fixture_bytes, jsonl

CHAT = "/v1/chat/completions"
EMB = "/v1/embeddings"

# fixtures/openai/bad_lines.jsonl, line by line, with the code and param the reference gives
# (§2.3 table; [I] rows are the reference's suggestions). Lines 1 and 17 are valid, 15 is blank.
BAD_LINES = {
    (2, "invalid_json_line", None),
    (3, "missing_required_parameter", "custom_id"),
    (4, "missing_required_parameter", "method"),
    (5, "missing_required_parameter", "url"),
    (6, "missing_required_parameter", "body"),
    (7, "invalid_request", "method"),
    (8, "invalid_url", "url"),
    (9, "streaming_unsupported", "body.stream"),
    (10, "invalid_request", "body.model"),
    (11, "model_not_found", "body.model"),
    (12, "invalid_request", "body.messages"),
    (13, "duplicate_custom_id", "custom_id"),
    (14, "model_mismatch", "body.model"),
    (16, "invalid_json_line", None),
}


def run(client: OpenAI, emu: EmulatorHandle, data: bytes, endpoint: Any = CHAT) -> Batch:
    """Upload, create and read the batch once validation is over. `stall` keeps a valid batch
    in progress, so no test pays for generating results it does not read."""
    upload = client.files.create(file=("input.jsonl", data), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id,
        endpoint=endpoint,
        completion_window="24h",
        extra_headers={"x-emulator-scenario": "stall"},
    )
    assert batch.status == "validating"
    emu.advance(1)
    return client.batches.retrieve(batch.id)


def reported(batch: Batch) -> set[tuple[int | None, str, str | None]]:
    assert batch.errors is not None
    return {(e.line, e.code or "", e.param) for e in batch.errors.data}


def assert_failed(batch: Batch) -> None:
    assert batch.status == "failed"
    assert batch.failed_at is not None and batch.in_progress_at is None
    assert (batch.output_file_id, batch.error_file_id) == (None, None)
    counts = batch.request_counts
    assert counts is not None and (counts.total, counts.completed, counts.failed) == (0, 0, 0)


def test_every_kind_of_bad_line_is_reported(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = run(openai_sdk, batch_emulator, fixture_bytes("bad_lines.jsonl"))
    assert_failed(batch)
    assert reported(batch) == BAD_LINES
    assert batch.errors is not None
    messages = {e.line: e.message for e in batch.errors.data}
    assert messages[2] == "This line is not parseable as valid JSON."
    assert messages[3] == "Missing required parameter: 'custom_id'."
    assert messages[8] == "The URL provided for this request does not match the batch endpoint."
    assert messages[9] == "Chat Completions: Streaming is not supported in the Batch API."
    assert messages[10] == "Model parameter is required."
    assert messages[11] == (
        "The provided model 'nonexistent-model-xyz' is not supported by the Batch API."
    )
    assert messages[12] == "Messages parameter is required."


def test_errors_are_hidden_while_validating(openai_sdk: OpenAI) -> None:
    upload = openai_sdk.files.create(
        file=("bad.jsonl", fixture_bytes("bad_lines.jsonl")), purpose="batch"
    )
    batch = openai_sdk.batches.create(
        input_file_id=upload.id, endpoint=CHAT, completion_window="24h"
    )
    assert batch.errors is None
    assert openai_sdk.batches.retrieve(batch.id).errors is None


def test_too_many_requests(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    line = json.dumps(chat_line("x"))
    data = "".join(line.replace('"x"', f'"r{i}"') + "\n" for i in range(50_001)).encode()
    batch = run(openai_sdk, batch_emulator, data)
    assert_failed(batch)
    assert {(line, code) for line, code, _ in reported(batch)} == {(None, "too_many_tasks")}


def test_fifty_thousand_requests_are_accepted(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    line = json.dumps(chat_line("x"))
    data = "".join(line.replace('"x"', f'"r{i}"') + "\n" for i in range(50_000)).encode()
    batch = run(openai_sdk, batch_emulator, data)
    assert batch.status == "in_progress"
    assert batch.request_counts is not None and batch.request_counts.total == 50_000


def embedding_lines(inputs_per_line: list[int]) -> bytes:
    return jsonl(
        [
            {
                "custom_id": f"e{i}",
                "method": "POST",
                "url": EMB,
                "body": {"model": "text-embedding-3-small", "input": ["t"] * n},
            }
            for i, n in enumerate(inputs_per_line)
        ]
    )


def test_too_many_embedding_inputs(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    batch = run(openai_sdk, batch_emulator, embedding_lines([2000] * 25 + [1]), EMB)
    assert_failed(batch)
    assert {(line, code) for line, code, _ in reported(batch)} == {(None, "too_many_tasks")}


def test_fifty_thousand_embedding_inputs_are_accepted(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = run(openai_sdk, batch_emulator, embedding_lines([2000] * 25), EMB)
    assert batch.status == "in_progress"


def test_missing_input_file(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    batch = openai_sdk.batches.create(
        input_file_id="file-doesnotexist", endpoint=CHAT, completion_window="24h"
    )
    assert batch.status == "validating"
    batch_emulator.advance(1)
    failed = openai_sdk.batches.retrieve(batch.id)
    assert_failed(failed)
    assert failed.errors is not None
    [error] = failed.errors.data
    assert (error.code, error.param, error.line) == ("invalid_request", "file_id", None)
    assert "Cannot find file file-doesnotexist" in error.message


def test_input_file_with_wrong_purpose(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    upload = openai_sdk.files.create(
        file=("in.jsonl", jsonl([chat_line("a")])), purpose="user_data"
    )
    batch = openai_sdk.batches.create(
        input_file_id=upload.id, endpoint=CHAT, completion_window="24h"
    )
    batch_emulator.advance(1)
    failed = openai_sdk.batches.retrieve(batch.id)
    assert_failed(failed)
    assert failed.errors is not None
    [error] = failed.errors.data
    assert (error.code, error.line) == ("invalid_request", None)
    assert "purpose" in error.message


# -- property: injected defects are reported exactly ------------------------------------------
# Each defect: how to spoil a valid line, and the (code, param) the reference gives for it.
DEFECTS: dict[str, tuple[str, str | None]] = {
    "invalid_json": ("invalid_json_line", None),
    "no_custom_id": ("missing_required_parameter", "custom_id"),
    "no_method": ("missing_required_parameter", "method"),
    "no_url": ("missing_required_parameter", "url"),
    "no_body": ("missing_required_parameter", "body"),
    "method_get": ("invalid_request", "method"),
    "wrong_url": ("invalid_url", "url"),
    "stream": ("streaming_unsupported", "body.stream"),
    "no_model": ("invalid_request", "body.model"),
    "unknown_model": ("model_not_found", "body.model"),
}
# Kinds that leave a line well-formed on its own; they only clash with other lines.
CLEAN_KINDS = ("valid", "duplicate", "other_model")


def build_line(index: int, kind: str) -> str:
    line = chat_line("shared" if kind == "duplicate" else f"req-{index}")
    body = line["body"]
    if kind == "invalid_json":
        return json.dumps(line)[:-7]
    if kind.startswith("no_") and kind[3:] in line:
        del line[kind[3:]]
    elif kind == "no_model":
        del body["model"]
    edits = {
        "method_get": lambda: line.update(method="GET"),
        "wrong_url": lambda: line.update(url=EMB),
        "stream": lambda: body.update(stream=True),
        "unknown_model": lambda: body.update(model="not-a-model"),
        "other_model": lambda: body.update(model="gpt-4o"),
    }
    if kind in edits:
        edits[kind]()
    return json.dumps(line)


def expected_errors(kinds: list[str]) -> set[tuple[int | None, str, str | None]]:
    """The test's own model of the rules: per-line defects, then clashes between lines."""
    expected: set[tuple[int | None, str, str | None]] = set()
    batch_model = None
    shared_seen = False
    for number, kind in enumerate(kinds, start=1):
        if kind in DEFECTS:
            expected.add((number, *DEFECTS[kind]))
            continue
        model = "gpt-4o" if kind == "other_model" else "gpt-4o-mini"
        batch_model = batch_model or model
        if model != batch_model:
            expected.add((number, "model_mismatch", "body.model"))
        if kind == "duplicate":
            if shared_seen:
                expected.add((number, "duplicate_custom_id", "custom_id"))
            shared_seen = True
    return expected


KINDS = st.sampled_from([*DEFECTS, *CLEAN_KINDS, "valid", "valid", "valid"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(KINDS, min_size=1, max_size=25))
def test_injected_defects_are_reported_exactly(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle, kinds: list[str]
) -> None:
    data = ("\n".join(build_line(i, k) for i, k in enumerate(kinds)) + "\n").encode()
    if kinds[0] == "invalid_json":  # a first line that is not JSON is refused at upload
        with pytest.raises(openai.BadRequestError):
            openai_sdk.files.create(file=("input.jsonl", data), purpose="batch")
        return
    upload = openai_sdk.files.create(file=("input.jsonl", data), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=upload.id, endpoint=CHAT, completion_window="24h"
    )
    batch_emulator.advance(1)
    seen = openai_sdk.batches.retrieve(batch.id)
    expected = expected_errors(kinds)
    if not expected:
        assert seen.status in ("in_progress", "finalizing", "completed")
        assert seen.errors is None
        return
    assert_failed(seen)
    assert reported(seen) == expected
