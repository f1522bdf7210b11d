"""The same batch flow under google-genai 2.34.0 (the `/v1beta` generation), in a subprocess.

The snippet moves the emulator's clock through the control plane and prints what the old SDK
parsed; the assertions here hold it to the reference and to the SDK's own types.
"""

from __future__ import annotations

import json
from typing import Any

from tests.legacy import run_legacy

SNIPPET = r"""
import io, json, os
import httpx
from google import genai
from google.genai import errors, types

url = os.environ["EMU_URL"]
client = genai.Client(api_key="test", http_options={"base_url": url})
out = {"version": genai.__version__}

def advance(seconds):
    httpx.post(url + "/_emulator/clock/advance", json={"seconds": seconds}).raise_for_status()

line = {"key": "f-1", "request": {"contents": [{"parts": [{"text": "hi"}]}]}}
upload = client.files.upload(
    file=io.BytesIO((json.dumps(line) + "\n").encode()), config={"mime_type": "jsonl"}
)
out["upload"] = [upload.name, upload.size_bytes, upload.state.name]
inline = client.batches.create(
    model="gemini-2.5-flash",
    src=[{"contents": f"q{i}", "metadata": {"key": f"k{i}"}} for i in range(3)],
    config={"display_name": "legacy"},
)
from_file = client.batches.create(model="gemini-2.5-flash", src=upload.name)
out["created"] = [inline.state.name, from_file.state.name, inline.display_name]
advance(3600)
done = client.batches.get(name=inline.name)
keys = [r.metadata["key"] for r in done.dest.inlined_responses]
out["inline"] = [done.state.name, done.done, keys]
out["texts"] = [bool(r.response.text) for r in done.dest.inlined_responses]
fdone = client.batches.get(name=from_file.name)
out["file"] = [fdone.state.name, fdone.dest.file_name, from_file.name]
lines = [json.loads(x) for x in client.files.download(file=fdone.dest.file_name).splitlines()]
for x in lines:
    types.GenerateContentResponse.model_validate(x["response"])
out["lines"] = [x["key"] for x in lines]
out["listed"] = [j.name for j in client.batches.list(config={"page_size": 1})]
manual = {"http_options": {"headers": {"x-emulator-timing": "manual"}}}
third = client.batches.create(model="gemini-2.5-flash", src=[{"contents": "x"}], config=manual)
client.batches.cancel(name=third.name)
out["cancelled"] = client.batches.get(name=third.name).state.name
client.batches.delete(name=third.name)
try:
    client.batches.get(name=third.name)
except errors.ClientError as e:
    out["after_delete"] = [e.code, e.status]
print(json.dumps(out))
"""


def test_legacy_sdk_round_trip(batch_emulator: Any) -> None:
    out = json.loads(run_legacy("genai", SNIPPET, EMU_URL=batch_emulator.url))
    assert out["version"].startswith("2.")
    name, size, state = out["upload"]
    assert name.startswith("files/") and size > 0 and state == "ACTIVE"
    assert out["created"] == ["JOB_STATE_PENDING", "JOB_STATE_PENDING", "legacy"]
    assert out["inline"] == ["JOB_STATE_SUCCEEDED", True, ["k0", "k1", "k2"]]
    assert out["texts"] == [True, True, True]
    state, dest, batch_name = out["file"]
    assert state == "JOB_STATE_SUCCEEDED"
    assert dest == "files/batch-" + batch_name.removeprefix("batches/")
    assert out["lines"] == ["f-1"]
    assert len(out["listed"]) == 2 and out["listed"][1] != out["listed"][0]
    assert out["cancelled"] == "JOB_STATE_CANCELLED"
    assert out["after_delete"] == [404, "NOT_FOUND"]
    prefixes = {r.path.split("/")[1] for r in batch_emulator.requests if r.dialect == "gemini"}
    assert prefixes <= {"v1beta", "upload"}
    uploads = {r.path for r in batch_emulator.requests if r.path.startswith("/upload")}
    assert uploads == {"/upload/v1beta/files"}
