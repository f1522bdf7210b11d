"""Drives litellm's batch functions the way its batches docs show; prints one JSON summary line.

Runs under .clients-venv's Python. Usage: litellm_batch.py PROVIDER BASE; PROVIDER is
`azure` (litellm's Azure batch support: api_base, api_version), `mistral` (its Mistral batch
support: one model per job, passed as `model`) or `openai` (any OpenAI-compatible batch API,
Groq's included, reached through api_base). BASE is the api_base. Where litellm can list and
cancel (not Mistral: it refuses both client-side), a second batch from the same file is created
with `metadata.emulator_scenario = "stall"` (so it cannot finish first) and cancelled. One process
runs the whole flow because importing litellm alone takes seconds.
Every call goes through litellm's public functions with its documented keyword arguments; the
bounded loops only keep a misbehaving server from hanging CI (the emulator's `immediate` timing
makes the first read final).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import litellm

AZURE_API_VERSION = "2024-10-21"
# litellm refuses list and cancel for Mistral client-side ("doesn't support mistral").
LISTS = {"azure", "openai"}
TERMINAL = {"completed", "failed", "expired", "cancelled"}
IDS = ["task-0", "task-1", "task-2"]


MODELS = {
    "azure": "gpt-4o-batch",
    "mistral": "mistral-small-latest",
    "openai": "llama-3.1-8b-instant",
}


def settings(provider: str, base: str) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "azure": {"api_version": AZURE_API_VERSION},
        "mistral": {"model": MODELS["mistral"]},
    }.get(provider, {})
    return {"custom_llm_provider": provider, "api_base": base, "api_key": "test", **extra}


def request_line(provider: str, cid: str) -> dict[str, Any]:
    """Each provider's documented input line: Azure names the deployment and a path without
    /v1 (Microsoft's batch guide); Mistral has only custom_id and body (its batch guide)."""
    body = {"model": MODELS[provider], "messages": [{"role": "user", "content": cid}]}
    if provider == "mistral":
        return {"custom_id": cid, "body": {"messages": body["messages"], "max_tokens": 20}}
    url = "/chat/completions" if provider == "azure" else "/v1/chat/completions"
    return {"custom_id": cid, "method": "POST", "url": url, "body": body}


def write_requests(provider: str) -> Path:
    path = Path("batch.jsonl").resolve()
    path.write_text("".join(json.dumps(request_line(provider, cid)) + "\n" for cid in IDS))
    return path


def until(read: Any, done: Any) -> Any:
    for _ in range(50):
        value = read()
        if done(value):
            return value
    raise SystemExit("not done after 50 reads")


def cancel_one(file_id: str, kw: dict[str, Any]) -> dict[str, Any]:
    batch = litellm.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=file_id,
        metadata={"emulator_scenario": "stall"},
        **kw,
    )
    first = litellm.cancel_batch(batch_id=batch.id, **kw)
    final = until(
        lambda: litellm.retrieve_batch(batch_id=batch.id, **kw), lambda b: b.status in TERMINAL
    )
    return {"id": batch.id, "first": first.status, "final": final.status}


def main() -> None:
    provider, base = sys.argv[1], sys.argv[2]
    kw = settings(provider, base)
    with write_requests(provider).open("rb") as handle:
        uploaded = litellm.create_file(file=handle, purpose="batch", **kw)
    # Microsoft's guide waits for the upload to be processed before creating the batch.
    until(lambda: litellm.file_retrieve(file_id=uploaded.id, **kw), lambda f: f.status != "pending")
    batch = litellm.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=uploaded.id,
        metadata={"run": "litellm"},
        **kw,
    )
    done = until(
        lambda: litellm.retrieve_batch(batch_id=batch.id, **kw), lambda b: b.status in TERMINAL
    )
    rows = []
    if done.output_file_id:
        content = litellm.file_content(file_id=done.output_file_id, **kw)
        rows = [json.loads(x) for x in content.content.decode().splitlines() if x.strip()]
    cancelled = cancel_one(uploaded.id, kw) if provider in LISTS else None
    listed = litellm.list_batches(limit=10, **kw).data if provider in LISTS else []
    summary = {
        "file_id": uploaded.id,
        "batch_id": batch.id,
        "created_status": batch.status,
        "status": done.status,
        "counts": done.request_counts.model_dump() if done.request_counts else None,
        "output_custom_ids": sorted(r["custom_id"] for r in rows),
        "output_roles": sorted(
            {r["response"]["body"]["choices"][0]["message"]["role"] for r in rows}
        ),
        "listed": [b.id for b in listed],
        "cancelled": cancelled,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
