"""together-python 2.x (2.42.0, the last 2.x; any-llm uses 2.x), unmodified, over loopback:
the documented batch flow (docs.together.ai batch tutorial: upload with `purpose="batch-api"`,
`batches.create(...).job`, `batches.retrieve`, `files.content`). Its `FileResponse` requires
`Processed` (a bool, alias of `processed`) and `FileType`: before issue 22 every 2.x upload
raised a validation error on the file object the emulator answered."""

from __future__ import annotations

import json
from pathlib import Path

from emulator.handle import EmulatorHandle
from tests.legacy import run_legacy

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
HI = [{"role": "user", "content": "hi"}]
SNIPPET = """
import json, os, sys
import httpx, together
from together import Together

assert together.__version__ == "2.42.0", together.__version__
url, path = os.environ["EMU_URL"], os.environ["INPUT"]
client = Together(base_url=url + "/together/v1", api_key="tg-legacy")  # 2.x paths omit /v1
uploaded = client.files.upload(file=path, purpose="batch-api")
assert type(uploaded).__name__ == "FileResponse", type(uploaded)
assert uploaded.processed is True and uploaded.file_type == "jsonl", uploaded
assert uploaded.purpose == "batch-api" and uploaded.bytes == os.path.getsize(path)
assert uploaded.id.startswith("file-")
listed = client.files.list()
assert [f.id for f in listed.data] == [uploaded.id] and listed.data[0].processed
created = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions")
job = created.job
assert job.status == "VALIDATING" and job.input_file_id == uploaded.id, job
httpx.post(url + "/_emulator/clock/advance", json={"seconds": 3600}).raise_for_status()
done = client.batches.retrieve(job.id)
assert done.status == "COMPLETED" and done.progress == 100.0, done
assert done.output_file_id and done.error_file_id, done
lines = client.files.content(done.output_file_id).read().decode().splitlines()
ids = sorted(json.loads(line)["custom_id"] for line in lines)
assert ids == ["r0", "r1", "r2"], ids
assert client.files.content(done.error_file_id).read() == b""
assert client.files.retrieve(done.output_file_id).processed is True
try:
    client.batches.retrieve("no-such-batch")
except together.NotFoundError:
    pass
else:
    raise AssertionError("expected a 404")
print("legacy-ok", job.id)
"""


def test_together_2x_documented_batch_flow(batch_emulator: EmulatorHandle, tmp_path: Path) -> None:
    path = tmp_path / "batch_input.jsonl"
    path.write_text(
        "".join(
            json.dumps({"custom_id": f"r{i}", "body": {"model": MODEL, "messages": HI}}) + "\n"
            for i in range(3)
        )
    )
    out = run_legacy("together2", SNIPPET, EMU_URL=batch_emulator.url, INPUT=str(path))
    assert out.startswith("legacy-ok ")
    steps = [(e.method, e.operation, e.status) for e in batch_emulator.requests][:3]
    assert steps == [
        ("POST", "files.upload", 302),
        ("PUT", "files.put", 200),
        ("POST", "files.preprocess", 200),
    ]
