"""Drives litellm's Bedrock batch functions the way its Bedrock batches docs show; prints one JSON
summary line.

Runs under .clients-venv's Python. Usage: litellm_bedrock_batch.py URL IN_BUCKET OUT_BUCKET, URL
the emulator's bare base URL, the buckets already made. litellm signs S3 and Bedrock calls itself
(botocore's SigV4 signer) and sends them with its own HTTP client: `s3_endpoint_url` is the bare
URL (litellm puts the bucket in the first path segment and derives the `s3://` file id from it,
so no `/s3` prefix: the emulator dispatches on the signature's service scope), and
`aws_bedrock_control_plane_endpoint` is `URL/bedrock`.
create_file converts OpenAI batch lines into Bedrock's `{recordId, modelInput}` and uploads them;
create_batch needs `model` (the Bedrock model id) and a role ARN; retrieve_batch maps Bedrock's
status to OpenAI's words; file_content reads the `.jsonl.out` object. Only the bounded loop is
ours: the emulator's `immediate` timing makes the first read final.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import litellm

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
ROLE = "arn:aws:iam::123456789012:role/BedrockBatchRole"
N = 100  # Bedrock's default minimum of records per job
TERMINAL = {"completed", "failed", "expired", "cancelled"}


def settings(url: str, bucket_in: str, bucket_out: str) -> dict[str, Any]:
    return {
        "custom_llm_provider": "bedrock",
        "s3_endpoint_url": url,
        "aws_bedrock_control_plane_endpoint": f"{url}/bedrock",
        "s3_bucket_name": bucket_in,
        "s3_output_bucket_name": bucket_out,
        "aws_access_key_id": "AKIDEXAMPLE",
        "aws_secret_access_key": "emulator-secret",
        "aws_region_name": "us-east-1",
    }


def request_line(i: int) -> dict[str, Any]:
    body = {
        "model": MODEL,
        "max_tokens": 32,
        "messages": [{"role": "user", "content": f"Summarise item {i}"}],
    }
    return {
        "custom_id": f"req-{i:03d}",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": body,
    }


def write_requests() -> Path:
    path = Path("bedrock_batch.jsonl").resolve()
    path.write_text("".join(json.dumps(request_line(i)) + "\n" for i in range(N)))
    return path


def until_done(batch_id: str, kw: dict[str, Any]) -> Any:
    for _ in range(50):
        batch = litellm.retrieve_batch(batch_id=batch_id, **kw)
        if batch.status in TERMINAL:
            return batch
    raise SystemExit("not done after 50 reads")


def digest(line: dict[str, Any]) -> dict[str, Any]:
    """What the test needs of one downloaded `.jsonl.out` line, so the summary stays small."""
    output = line.get("modelOutput") or {}
    return {
        "recordId": line.get("recordId"),
        "keys": sorted(line),
        "type": output.get("type"),
        "role": output.get("role"),
        "error": line.get("error"),
    }


def main() -> None:
    kw = settings(*sys.argv[1:4])
    with write_requests().open("rb") as handle:
        uploaded = litellm.create_file(file=handle, purpose="batch", **kw)
    batch = litellm.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=uploaded.id,
        model=MODEL,
        aws_batch_role_arn=ROLE,
        **kw,
    )
    done = until_done(batch.id, kw)
    text = ""
    if done.output_file_id:  # litellm sets it only for a status it reads as completed
        text = litellm.file_content(file_id=done.output_file_id, **kw).content.decode()
    summary = {
        "file_id": uploaded.id,
        "batch_id": batch.id,
        "created_status": batch.status,
        "status": done.status,
        "counts": done.request_counts.model_dump() if done.request_counts else None,
        "output_file_id": done.output_file_id,
        "lines": [digest(json.loads(x)) for x in text.splitlines() if x.strip()],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
