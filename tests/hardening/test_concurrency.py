"""Many clients at once, and slow ones: a bounded storm across dialects through the official
SDKs with the invariants checked afterwards, and a slow-drip upload that does not hold up
anyone else."""

from __future__ import annotations

import json
import random
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anthropic
import httpx
import openai
import pytest
from google import genai
from google.genai import types

from emulator.handle import EmulatorHandle
from tests.hardening.envelopes import ANTHROPIC, OPENAI

THREADS, OPS = 32, 4
MESSAGE = [{"role": "user", "content": "hi"}]


def _jsonl(n: int, tag: str) -> bytes:
    lines = [
        {
            "custom_id": f"{tag}-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": MESSAGE},
        }
        for i in range(n)
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


class Storm:
    """Per-dialect clients shared by every thread (the SDK clients are thread-safe)."""

    def __init__(self, emulator: EmulatorHandle) -> None:
        self.openai = openai.OpenAI(base_url=emulator.openai_base_url, api_key="k", max_retries=0)
        self.anthropic = anthropic.Anthropic(base_url=emulator.url, api_key="k", max_retries=0)
        self.gemini = genai.Client(
            api_key="k", http_options=types.HttpOptions(base_url=emulator.url)
        )
        self.http = httpx.Client(base_url=emulator.url, timeout=60)
        self.created: dict[str, list[str]] = {
            "openai": [],
            "anthropic": [],
            "gemini": [],
            "bifrost": [],
        }
        self.lock = threading.Lock()

    def keep(self, dialect: str, batch_id: str) -> None:
        with self.lock:
            self.created[dialect].append(batch_id)

    def openai_batch(self, rng: random.Random, tag: str) -> None:
        uploaded = self.openai.files.create(
            file=(f"{tag}.jsonl", _jsonl(rng.randint(1, 4), tag)), purpose="batch"
        )
        batch = self.openai.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        self.keep("openai", batch.id)
        self.openai.batches.retrieve(batch.id)

    def anthropic_batch(self, rng: random.Random, tag: str) -> None:
        params: Any = {"model": "claude-sonnet-4-5", "max_tokens": 8, "messages": MESSAGE}
        requests: Any = [
            {"custom_id": f"{tag}-{i}", "params": params} for i in range(rng.randint(1, 4))
        ]
        batch = self.anthropic.messages.batches.create(requests=requests)
        self.keep("anthropic", batch.id)
        self.anthropic.messages.batches.list(limit=5)

    def gemini_batch(self, rng: random.Random, tag: str) -> None:
        inline: Any = [{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}] * rng.randint(
            1, 4
        )
        job = self.gemini.batches.create(model="gemini-2.5-flash", src=inline)
        assert job.name is not None
        self.keep("gemini", job.name)
        self.gemini.batches.get(name=job.name)

    def bifrost_batch(self, rng: random.Random, tag: str) -> None:
        params = {"model": "claude-sonnet-4-5", "max_tokens": 8, "messages": MESSAGE}
        body = {
            "model": "anthropic/claude-sonnet-4-5",
            "requests": [
                {"custom_id": f"{tag}-{i}", "params": params} for i in range(rng.randint(1, 3))
            ],
        }
        created = self.http.post("/bifrost/v1/batches", json=body)
        assert created.status_code == 200, created.text
        self.keep("bifrost", created.json()["id"])
        assert self.http.get("/bifrost/v1/batches?provider=anthropic&limit=5").status_code == 200

    def worker(self, index: int) -> None:
        rng = random.Random(index)
        ops: list[Callable[[random.Random, str], None]] = [
            self.openai_batch,
            self.anthropic_batch,
            self.gemini_batch,
            self.bifrost_batch,
        ]
        for op in range(OPS):
            rng.choice(ops)(rng, f"t{index}-{op}")


@pytest.mark.batch_emulator(timing="timed")
def test_a_storm_across_dialects_leaves_every_batch_consistent(
    batch_emulator: EmulatorHandle,
) -> None:
    storm = Storm(batch_emulator)
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(storm.worker, i) for i in range(THREADS)]:
            future.result(timeout=300)
    made = sum(len(ids) for ids in storm.created.values())
    assert made == THREADS * OPS
    assert [e for e in batch_emulator.requests if e.status is None or e.status >= 400] == []
    batch_emulator.advance(hours=25)  # everything has ended; results are all due

    for view in batch_emulator.batches:
        c = view.counts
        assert c.succeeded + c.errored + c.canceled + c.expired + c.processing == c.total
    listed_openai = {b.id for b in storm.openai.batches.list(limit=100)}
    assert set(storm.created["openai"]) <= listed_openai
    for batch_id in storm.created["openai"]:
        batch = storm.openai.batches.retrieve(batch_id)
        assert batch.status == "completed" and batch.request_counts is not None
        assert batch.output_file_id is not None
        lines = storm.openai.files.content(batch.output_file_id).text.splitlines()
        assert len(lines) == batch.request_counts.completed == batch.request_counts.total
    listed_anthropic = {b.id for b in storm.anthropic.messages.batches.list(limit=100)}
    for batch_id in storm.created["anthropic"] + storm.created["bifrost"]:
        assert batch_id in listed_anthropic
        batch = storm.anthropic.messages.batches.retrieve(batch_id)
        results = list(storm.anthropic.messages.batches.results(batch_id))
        succeeded = [r for r in results if r.result.type == "succeeded"]
        assert len(succeeded) == batch.request_counts.succeeded == len(results)
    listed_gemini = {job.name for job in storm.gemini.batches.list(config={"page_size": 100})}
    for name in storm.created["gemini"]:
        assert name in listed_gemini
        job = storm.gemini.batches.get(name=name)
        assert job.state is not None and job.state.name == "JOB_STATE_SUCCEEDED"
        assert job.dest is not None and job.dest.inlined_responses
        assert all(r.response is not None for r in job.dest.inlined_responses)
    storm.http.close()


def _drip(url: str, path: str, headers: dict[str, str], start: bytes) -> socket.socket:
    """A client that announces a 1 MB body and has sent only its first bytes so far."""
    host, port = url.removeprefix("http://").split(":")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"{request}Content-Length: 1000000\r\n\r\n".encode() + start + b"x" * 100)
    return sock


UPLOAD_START = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'


@pytest.mark.parametrize(
    "path,headers,start",
    [
        ("/v1/files", {**OPENAI, "content-type": "multipart/form-data; boundary=B"}, UPLOAD_START),
        ("/v1/messages/batches", {**ANTHROPIC, "content-type": "application/json"}, b'{"x":"'),
        ("/_emulator/faults", {"content-type": "application/json"}, b'{"x":"'),
    ],
)
@pytest.mark.batch_emulator(timing="immediate")
def test_a_slow_client_does_not_hold_up_the_others(
    batch_emulator: EmulatorHandle,
    openai_client: openai.OpenAI,
    path: str,
    headers: dict[str, str],
    start: bytes,
) -> None:
    slow = _drip(batch_emulator.url, path, headers, start)
    try:
        uploaded = openai_client.files.create(file=("a.jsonl", _jsonl(3, "fast")), purpose="batch")
        batch = openai_client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        assert openai_client.batches.retrieve(batch.id).status == "completed"
        slow.setblocking(False)
        with pytest.raises(BlockingIOError):  # the slow one is still open and unanswered
            slow.recv(1)
    finally:
        slow.close()
    operations = [e.operation for e in batch_emulator.requests]
    assert operations[:3] == ["files.create", "batches.create", "batches.retrieve"]
