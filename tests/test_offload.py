"""Other clients are answered while a big batch is created or its results rendered.

The big request is held *inside* its heavy work (a responder or a result generator that waits
at a gate) while another client makes an ordinary call. The gate opens only after that call has
been answered, so the test passes only if the server answered it mid-work: were the work on the
event loop, or holding the service lock, the ordinary call could not finish until the gate gave
up waiting, and `waited_out` records that. Ordering only; nothing here measures time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from anthropic import Anthropic
from openai import OpenAI

from emulator.core import results
from emulator.handle import EmulatorHandle

GIVE_UP = 20.0  # seconds the gate holds before giving up: a failure, never the normal path
CHAT = "/v1/chat/completions"


class Gate:
    """Holds the first caller until released; later callers pass straight through."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()
        self.waited_out = False
        self._first = threading.Lock()

    def hold(self) -> None:
        if self._first.acquire(blocking=False):
            self.entered.set()
            self.waited_out = not self.released.wait(GIVE_UP)


def lines(n: int, pad: int = 400) -> bytes:
    return "".join(
        json.dumps(
            {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": CHAT,
                "body": {
                    "model": "gpt-4o-mini",
                    "messages": [{"role": "user", "content": f"item {i} " + "x" * pad}],
                },
            }
        )
        + "\n"
        for i in range(n)
    ).encode()


def create(client: OpenAI, data: bytes) -> str:
    upload = client.files.create(file=("in.jsonl", data), purpose="batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint=CHAT, completion_window="24h")
    return batch.id


def in_background(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    done: list[Any] = []
    thread = threading.Thread(target=lambda: done.append(work()), daemon=True)
    thread.start()
    return thread, done


@pytest.fixture
def second_client(batch_emulator: EmulatorHandle) -> Iterator[OpenAI]:
    """A client of its own (own connection pool), as another test process would be."""
    with batch_emulator.openai_client() as client:
        yield client


def answered_meanwhile(gate: Gate, call: Callable[[], Any]) -> Any:
    assert gate.entered.wait(GIVE_UP), "the big request never reached its heavy work"
    try:
        return call()
    finally:
        gate.released.set()


@pytest.mark.batch_emulator(timing="immediate")
def test_a_retrieve_is_answered_while_a_big_file_batch_is_being_created(
    batch_emulator: EmulatorHandle, openai_client: OpenAI, second_client: OpenAI
) -> None:
    small = create(second_client, lines(2))
    gate = Gate()
    batch_emulator.configure(responder=lambda endpoint, body: gate.hold())
    worker, created = in_background(lambda: create(openai_client, lines(1_500)))
    seen = answered_meanwhile(gate, lambda: second_client.batches.retrieve(small))
    worker.join(GIVE_UP)
    assert seen.status == "completed"
    assert not gate.waited_out, "the small call waited for the big create to finish"
    assert created and openai_client.batches.retrieve(created[0]).request_counts.total == 1_500


@pytest.mark.batch_emulator(timing="immediate")
def test_a_retrieve_is_answered_while_a_big_anthropic_create_is_parsed(
    batch_emulator: EmulatorHandle, anthropic_client: Anthropic, second_client: OpenAI
) -> None:
    small = create(second_client, lines(2))
    gate = Gate()
    batch_emulator.configure(responder=lambda endpoint, body: gate.hold())
    requests: Any = [
        {
            "custom_id": f"r{i}",
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": f"item {i} " + "x" * 200}],
            },
        }
        for i in range(3_000)
    ]
    worker, created = in_background(
        lambda: anthropic_client.messages.batches.create(requests=requests)
    )
    seen = answered_meanwhile(gate, lambda: second_client.batches.retrieve(small))
    worker.join(GIVE_UP)
    assert seen.status == "completed"
    assert not gate.waited_out, "the small call waited for the big create to finish"
    assert created
    done = anthropic_client.messages.batches.retrieve(created[0].id)
    assert (done.processing_status, done.request_counts.succeeded) == ("ended", 3_000)


@pytest.mark.batch_emulator(timing="immediate")
def test_a_retrieve_is_answered_while_big_results_are_rendered(
    batch_emulator: EmulatorHandle,
    openai_client: OpenAI,
    second_client: OpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = create(second_client, lines(2))
    second_client.batches.retrieve(small)  # its files exist before the gate goes up
    big = create(openai_client, lines(1_500, pad=10))
    gate = Gate()
    generate = results.GENERATORS[CHAT]

    def held(ctx: results.GenContext) -> dict[str, Any]:
        gate.hold()
        return generate(ctx)

    monkeypatch.setitem(results.GENERATORS, CHAT, held)
    worker, finished = in_background(lambda: openai_client.batches.retrieve(big))
    seen = answered_meanwhile(gate, lambda: second_client.batches.retrieve(small))
    worker.join(GIVE_UP)
    assert seen.status == "completed"
    assert not gate.waited_out, "the small call waited for the big render to finish"
    assert finished and finished[0].status == "completed"
    output = openai_client.files.content(finished[0].output_file_id or "").text
    assert len(output.splitlines()) == 1_500
