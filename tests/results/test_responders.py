"""Responders through the real SDK: a canned directory, a callable, echo, and bad bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai import OpenAI
from openai.types.chat import ChatCompletion

from emulator.core.batch import ItemError

CANNED = Path(__file__).resolve().parents[2] / "fixtures" / "canned"


def _run(emu: Any, bodies: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    client = OpenAI(base_url=emu.openai_base_url, api_key="test", max_retries=0)
    lines = "".join(
        json.dumps(
            {"custom_id": cid, "method": "POST", "url": "/v1/chat/completions", "body": body}
        )
        + "\n"
        for cid, body in bodies.items()
    )
    upload = client.files.create(file=("in.jsonl", lines.encode()), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    emu.advance(hours=1)
    done = client.batches.retrieve(batch.id)
    out: dict[str, dict[str, Any]] = {}
    for file_id in (done.output_file_id, done.error_file_id):
        if file_id:
            for line in client.files.content(file_id).text.splitlines():
                row = json.loads(line)
                out[row["custom_id"]] = row
    return out


def _chat(text: str) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


def test_canned_directory_by_custom_id(batch_emulator: Any) -> None:
    batch_emulator.respond_with(canned=CANNED)
    rows = _run(
        batch_emulator, {"greeting": _chat("hi"), "refused": _chat("long"), "other": _chat("x")}
    )
    greeting = ChatCompletion.model_validate(rows["greeting"]["response"]["body"])
    assert greeting.choices[0].message.content == "Hello from a canned response."
    refused = rows["refused"]["response"]
    assert refused["status_code"] == 400
    assert refused["body"]["error"]["code"] == "context_length_exceeded"
    ChatCompletion.model_validate(rows["other"]["response"]["body"])  # default generator


def test_canned_by_body_hash(batch_emulator: Any, tmp_path: Path) -> None:
    body = _chat("what is the answer?")
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    import hashlib

    name = "body-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]
    reply = json.loads((CANNED / "greeting.json").read_text())
    reply["body"]["choices"][0]["message"]["content"] = "42"
    (tmp_path / f"{name}.json").write_text(json.dumps(reply))
    batch_emulator.respond_with(canned=tmp_path)
    rows = _run(batch_emulator, {"q": body})
    assert rows["q"]["response"]["body"]["choices"][0]["message"]["content"] == "42"


def test_callable_responder_and_errors(batch_emulator: Any) -> None:
    def responder(endpoint: str, body: dict[str, Any]) -> Any:
        text = body["messages"][-1]["content"]
        if text == "fail":
            return ItemError(429, "rate_limit_error", "slow down", "rate_limit_exceeded")
        if text == "bad":
            return {"choices": "nope"}
        return None

    batch_emulator.respond_with(responder)
    rows = _run(batch_emulator, {"a": _chat("fail"), "b": _chat("bad"), "c": _chat("ok")})
    assert rows["a"]["response"]["status_code"] == 429
    bad = rows["b"]["response"]["body"]["error"]
    assert bad["type"] == "responder_error" and "missing 'id'" in bad["message"]
    ChatCompletion.model_validate(rows["c"]["response"]["body"])


def test_echo_replies_with_last_user_message(batch_emulator: Any) -> None:
    batch_emulator.respond_with(echo=True)
    rows = _run(batch_emulator, {"e": _chat("repeat after me")})
    assert rows["e"]["response"]["body"]["choices"][0]["message"]["content"] == "repeat after me"


def test_malformed_canned_directory_fails_at_configuration(
    batch_emulator: Any, tmp_path: Path
) -> None:
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        batch_emulator.respond_with(canned=tmp_path)


@pytest.mark.batch_emulator(canned_responses=str(CANNED))
def test_marker_configures_a_canned_directory(batch_emulator: Any) -> None:
    rows = _run(batch_emulator, {"greeting": _chat("hi")})
    content = rows["greeting"]["response"]["body"]["choices"][0]["message"]["content"]
    assert content == "Hello from a canned response."


def test_control_plane_turns_echo_on_and_refuses_any_canned_directory(batch_emulator: Any) -> None:
    import httpx

    control = httpx.Client(base_url=batch_emulator.url + "/_emulator")
    assert control.patch("/config", json={"echo": True}).status_code == 200
    rows = _run(batch_emulator, {"e": _chat("say it back")})
    assert rows["e"]["response"]["body"]["choices"][0]["message"]["content"] == "say it back"
    # A host path over HTTP would let any local web page read the owner's JSON files.
    refused = control.patch("/config", json={"canned_responses": str(CANNED)})
    assert refused.status_code == 403 and "process owner" in refused.json()["error"]["message"]
    assert control.get("/config").json()["canned_responses"] is None
    assert control.get("/config").json()["echo"] is True  # the refused change left no trace


def test_responders_do_not_leak_into_the_next_test(batch_emulator: Any) -> None:
    rows = _run(batch_emulator, {"e": _chat("say it back")})
    assert rows["e"]["response"]["body"]["choices"][0]["message"]["content"] != "say it back"
