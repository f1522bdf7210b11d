"""Drives any-llm's batch API (`any_llm.api`) the way its batch docs show; prints one JSON line.

Runs under .clients-venv's Python. Usage: anyllm_batch.py PROVIDER BASE MODE; PROVIDER is
`mistral` (any-llm's Mistral provider, on the `mistralai` SDK) or `together` (its Together
provider, on the `together` SDK, which uploads the file itself). BASE is any-llm's `api_base`.
The bounded loop only keeps a misbehaving server from hanging CI (the emulator's `immediate`
timing makes the first read final).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from any_llm import api

MODELS = {"mistral": "mistral-small-latest", "together": "meta-llama/Llama-3.3-70B-Instruct-Turbo"}
TERMINAL = {"completed", "failed", "expired", "cancelled"}
IDS = ["task-0", "task-1", "task-2"]


def write_requests(provider: str) -> Path:
    """The OpenAI-shaped lines any-llm's docs use; each provider checks them its own way."""
    path = Path("batch.jsonl").resolve()
    lines = [
        {
            "custom_id": cid,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": MODELS[provider],
                "messages": [{"role": "user", "content": cid}],
                "max_tokens": 20,
            },
        }
        for cid in IDS
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def main() -> None:
    provider, base = sys.argv[1], sys.argv[2]
    mode = sys.argv[3]
    kw: dict[str, Any] = {"api_key": "test", "api_base": base}
    batch = api.create_batch(provider, str(write_requests(provider)), "/v1/chat/completions", **kw)
    if mode == "cancel":
        api.cancel_batch(provider, batch.id, **kw)
    for _ in range(50):
        done = api.retrieve_batch(provider, batch.id, **kw)
        if done.status in TERMINAL:
            break
    results = (
        api.retrieve_batch_results(provider, batch.id, **kw).results if mode == "results" else []
    )
    listed = api.list_batches(provider, **kw)
    summary = {
        "batch_id": batch.id,
        "created_status": batch.status,
        "status": done.status,
        "counts": done.request_counts.model_dump() if done.request_counts else None,
        "results": sorted(
            [r.custom_id, r.result.choices[0].message.role if r.result else None, r.error is None]
            for r in results
        ),
        "listed": [b.id for b in listed],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
