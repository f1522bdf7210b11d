"""Smoke test under the previous SDK generation (openai 1.109.1, httpx-based)."""

from __future__ import annotations

from emulator.handle import EmulatorHandle
from tests.legacy import run_legacy

SNIPPET = """
import json, os
import httpx, openai

assert openai.__version__ == "1.109.1", openai.__version__
url = os.environ["EMU_URL"]
client = openai.OpenAI(base_url=url + "/v1", api_key="sk-legacy")
lines = "".join(
    json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}})
    + "\\n" for i in range(3))
upload = client.files.create(file=("legacy.jsonl", lines.encode()), purpose="batch")
assert upload.status == "processed" and upload.purpose == "batch"
batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                              completion_window="24h")
assert batch.status == "validating"
httpx.post(url + "/_emulator/clock/advance", json={"seconds": 3600}).raise_for_status()
done = client.batches.retrieve(batch.id)
assert done.status == "completed", done.status
assert done.request_counts.completed == 3
content = client.files.content(done.output_file_id).content
ids = sorted(json.loads(line)["custom_id"] for line in content.decode().splitlines())
assert ids == ["r0", "r1", "r2"], ids
try:
    client.batches.retrieve("batch_missing")
except openai.NotFoundError as exc:
    assert exc.request_id and exc.request_id.startswith("req_")
else:
    raise AssertionError("expected a 404")
print("legacy-ok", done.id)
"""


def test_legacy_sdk_round_trip(batch_emulator: EmulatorHandle) -> None:
    out = run_legacy("openai", SNIPPET, EMU_URL=batch_emulator.url)
    assert out.startswith("legacy-ok batch_")
