"""`kill -9` at random points of a concurrent workload loses nothing a client was told.

Rounds of: a server on one state file; four clients uploading, creating (OpenAI and
Anthropic, finishing at once or held), cancelling, reading results, moving the clock,
consuming a fault rule and putting S3 objects through boto3, each recording what was
acknowledged; SIGKILL at a seeded random instant. After each restart every acknowledged write
is there, byte-identical, and no id was handed out twice. Bounded: 3 rounds, at most 1.2 s of
load and 60 operations per client each.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path

import anthropic
import botocore.exceptions
import httpx
import openai

from tests.persist.serving import aws, start, stop

ROUNDS = 3
CLIENTS = 4
MAX_OPS = 60
SEED = 20261206
ENDPOINT = "/v1/chat/completions"
BUCKET = "kill9"


def jsonl(rng: random.Random) -> bytes:
    lines = [
        {
            "custom_id": f"c{i}",
            "method": "POST",
            "url": ENDPOINT,
            "body": {
                "model": "gpt-4o-mini",
                "messages": [{"role": "user", "content": "x" * rng.randrange(1, 4000)}],
            },
        }
        for i in range(rng.randrange(1, 30))
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


@dataclass
class Acked:
    """What the server acknowledged, across every round."""

    files: dict[str, bytes] = field(default_factory=dict)
    batches: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)  # created under manual timing
    cancelled: set[str] = field(default_factory=set)
    outputs: dict[str, bytes] = field(default_factory=dict)  # output file id -> bytes read
    messages: set[str] = field(default_factory=set)
    objects: dict[str, bytes] = field(default_factory=dict)  # S3 key -> bytes put
    ids: list[str] = field(default_factory=list)  # every id a create returned
    faults_taken: int = 0
    clock: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client(threading.Thread):
    def __init__(self, url: str, acked: Acked, rng: random.Random, stop: threading.Event):
        super().__init__(daemon=True)
        self.sdk = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0, timeout=5)
        self.claude = anthropic.Anthropic(base_url=url, api_key="k", max_retries=0, timeout=5)
        self.control = httpx.Client(base_url=f"{url}/_emulator", timeout=5)
        self.s3 = aws(url, "s3")
        self.acked, self.rng, self.stop = acked, rng, stop

    def run(self) -> None:
        ops = [self.upload, self.create, self.cancel, self.results, self.fault, self.message]
        ops += [self.advance, self.put_object]
        for _ in range(MAX_OPS):
            if self.stop.is_set():
                return
            try:
                self.rng.choice(ops)()
            except (
                openai.APIConnectionError,
                anthropic.APIConnectionError,
                httpx.TransportError,
                botocore.exceptions.BotoCoreError,  # boto3's connection errors
            ):
                return  # the server is gone: this call was never acknowledged

    def upload(self) -> None:
        data = jsonl(self.rng)
        got = self.sdk.files.create(file=("in.jsonl", data), purpose="batch")
        with self.acked.lock:
            self.acked.files[got.id] = data
            self.acked.ids.append(got.id)

    def create(self) -> None:
        with self.acked.lock:
            files = sorted(self.acked.files)
        if not files:
            return self.upload()
        timing = self.rng.choice(["immediate", "manual"])
        batch = self.sdk.batches.create(
            input_file_id=self.rng.choice(files),
            endpoint=ENDPOINT,
            completion_window="24h",
            extra_headers={"x-emulator-timing": timing},
        )
        with self.acked.lock:
            self.acked.batches.add(batch.id)
            self.acked.ids.append(batch.id)
            if timing == "manual":
                self.acked.held.add(batch.id)

    def cancel(self) -> None:
        with self.acked.lock:
            held = sorted(self.acked.held - self.acked.cancelled)
        if held:
            chosen = self.rng.choice(held)
            self.sdk.batches.cancel(chosen)
            with self.acked.lock:
                self.acked.cancelled.add(chosen)

    def results(self) -> None:
        with self.acked.lock:
            done = sorted(self.acked.batches - self.acked.held)
        if done:
            batch = self.sdk.batches.retrieve(self.rng.choice(done))
            if batch.output_file_id:
                data = self.sdk.files.content(batch.output_file_id).content
                with self.acked.lock:
                    self.acked.outputs[batch.output_file_id] = data

    def fault(self) -> None:
        try:
            self.sdk.files.list()
        except openai.RateLimitError:
            with self.acked.lock:
                self.acked.faults_taken += 1

    def message(self) -> None:
        params = {
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 5,
            "messages": [{"role": "user", "content": "hi"}],
        }
        got = self.claude.messages.batches.create(requests=[{"custom_id": "m", "params": params}])  # type: ignore[list-item]
        with self.acked.lock:
            self.acked.messages.add(got.id)
            self.acked.ids.append(got.id)

    def put_object(self) -> None:
        key = f"k{self.rng.randrange(10**9)}.jsonl"
        data = jsonl(self.rng)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        with self.acked.lock:
            self.acked.objects[key] = data

    def advance(self) -> None:
        now = self.control.post("/clock/advance", json={"seconds": 5}).json()["now"]
        with self.acked.lock:
            self.acked.clock = max(self.acked.clock, now)


def check(url: str, acked: Acked, seed: int) -> None:
    sdk = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0)
    claude = anthropic.Anthropic(base_url=url, api_key="k", max_retries=0)
    where = f"(seed {seed})"
    for file_id, data in acked.files.items():
        assert sdk.files.content(file_id).content == data, f"{file_id} bytes {where}"
    for batch_id in acked.batches:
        batch = sdk.batches.retrieve(batch_id)
        if batch_id in acked.cancelled:
            assert batch.status in ("cancelling", "cancelled"), where
        elif batch_id not in acked.held:
            assert batch.status == "completed", where
    for file_id, data in acked.outputs.items():
        assert sdk.files.content(file_id).content == data, f"result {file_id} re-read {where}"
    s3 = aws(url, "s3")
    for key, data in acked.objects.items():
        got = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert got == data, f"object {key} bytes {where}"
    for message_id in acked.messages:
        claude.messages.batches.retrieve(message_id)
    rules = httpx.get(f"{url}/_emulator/faults").json()
    rules = rules["data"] if isinstance(rules, dict) else rules
    assert rules[0]["consumed"] >= acked.faults_taken, where
    assert httpx.get(f"{url}/_emulator/clock").json()["now"] >= acked.clock, where
    assert len(set(acked.ids)) == len(acked.ids), f"an id was handed out twice {where}"


def test_sigkill_at_random_points_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state, acked, rng = tmp_path / "state.sqlite", Acked(), random.Random(SEED)
    proc, url = start(state, "--timing", "manual")
    rule = {"kind": "http", "operation": "files.list", "status": 429, "probability": 0.5}
    assert httpx.post(f"{url}/_emulator/faults", json=rule).status_code in (200, 201)
    aws(url, "s3").create_bucket(Bucket=BUCKET)
    for round_ in range(ROUNDS):
        stop_event = threading.Event()
        clients = [
            Client(url, acked, random.Random(rng.random()), stop_event) for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        stop_event.wait(rng.uniform(0.2, 1.2))  # a random point of the workload
        stop(proc)
        stop_event.set()
        for client in clients:
            client.join(10)
        proc, url = start(state, "--timing", "manual")
        check(url, acked, SEED + round_)
    stop(proc)
    assert acked.files and acked.batches and acked.messages and acked.objects  # it really ran
