"""Groq against a run printed from api.groq.com (fixtures/recorded/groq/batch_output.json):
its id shapes (ULIDs behind `batch_`, `file_`, `batch_req_out_`, `req_`) and one output line,
through the official `groq` SDK over loopback."""

from __future__ import annotations

import json
import re

from groq import Groq

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import load, nulls, shape

RECORDED = load("groq/batch_output.json")
ULID = r"01[0-9a-hjkmnp-tv-z]{24}"  # lowercase Crockford base 32, as every recorded id
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def test_ids_and_output_line_match_the_recording(batch_emulator: EmulatorHandle) -> None:
    sdk = Groq(base_url=batch_emulator.groq_base_url, api_key="gsk")
    want = RECORDED["output_line"]
    request = {"custom_id": "request-2", "method": "POST", "url": "/v1/chat/completions"}
    request["body"] = {
        "model": "llama-3.1-8b-instant",
        "messages": [{"role": "user", "content": "Hi"}],
    }
    up = sdk.files.create(file=("batch_file.jsonl", json.dumps(request).encode()), purpose="batch")
    raw = sdk.batches.with_raw_response.create(
        input_file_id=up.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    batch = raw.parse()
    assert re.fullmatch("req_" + ULID, raw.headers["x-request-id"])
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert done.status == RECORDED["statuses_seen"][-1] and done.output_file_id
    for got, recorded, prefix in (
        (up.id, RECORDED["upload_id"], "file_"),
        (batch.id, RECORDED["batch_id"], "batch_"),
        (done.output_file_id, RECORDED["output_file_id"], "file_"),
    ):
        assert re.fullmatch(prefix + ULID, got) and re.fullmatch(prefix + ULID, recorded)
    line = json.loads(sdk.files.content(done.output_file_id).read())
    assert shape(line) == shape(want) and nulls(line) == nulls(want)
    body, recorded_body = line["response"]["body"], want["response"]["body"]
    assert set(body) == set(recorded_body)
    assert set(body["usage"]) == set(recorded_body["usage"])
    assert list(body["choices"][0]["message"]) == list(recorded_body["choices"][0]["message"])
    assert re.fullmatch("batch_req_out_" + ULID, line["id"]) and re.fullmatch(
        "batch_req_out_" + ULID, want["id"]
    )
    request_id = line["response"]["request_id"]
    assert re.fullmatch("req_" + ULID, request_id) and body["x_groq"]["id"] == request_id
    assert want["response"]["request_id"] == recorded_body["x_groq"]["id"]  # as recorded
    assert re.fullmatch("chatcmpl-" + UUID, body["id"])
    assert re.fullmatch("chatcmpl-" + UUID, recorded_body["id"])
