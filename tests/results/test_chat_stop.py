"""Chat `stop`: a reply never contains a stop sequence, and stopping early is `stop`, not
`length`. Checked through the generator for many stops, and once end to end via the SDK."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings, strategies as st
from openai import OpenAI
from openai.types.chat import ChatCompletion

from emulator.core.ids import digest
from emulator.core.results import GenContext, generate

STOPS = st.one_of(
    st.text("abcdehilmnopqrstuvw .", min_size=1, max_size=4),
    st.sampled_from(["the", "e", " ", ".", "quick model"]),
)


def _body(stop: Any, max_tokens: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "stop": stop,
        "messages": [{"role": "user", "content": "hi"}],
    }
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    return body


@settings(max_examples=150)
@given(
    stop=st.one_of(STOPS, st.lists(STOPS, min_size=1, max_size=4)),
    seed=st.integers(0, 99),
    max_tokens=st.one_of(st.none(), st.integers(1, 50)),
    n=st.integers(1, 3),
)
def test_reply_never_contains_a_stop_sequence(
    stop: Any, seed: int, max_tokens: int | None, n: int
) -> None:
    request = {**_body(stop, max_tokens), "n": n}
    ctx = GenContext(
        "/v1/chat/completions",
        request,
        "c1",
        "batch_s",
        "gpt-4o-mini",
        0,
        seed,
        key=digest(seed, "batch_s", "c1", size=48),
    )
    body = ChatCompletion.model_validate(generate(ctx))
    stops = [stop] if isinstance(stop, str) else stop
    for choice in body.choices:
        content = choice.message.content or ""
        assert not any(s in content for s in stops)
        if choice.finish_reason == "length":
            assert max_tokens is not None and len(content.split()) == max_tokens
    assert body.usage is not None
    completion = sum(len((c.message.content or "").split()) for c in body.choices)
    assert body.usage.completion_tokens == completion


def test_stop_through_the_sdk(batch_emulator: Any) -> None:
    client = OpenAI(base_url=batch_emulator.openai_base_url, api_key="test", max_retries=0)
    lines = "".join(
        json.dumps(
            {
                "custom_id": f"s{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": _body(["e"], None),
            }
        )
        + "\n"
        for i in range(5)
    )
    upload = client.files.create(file=("in.jsonl", lines.encode()), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    batch_emulator.advance(minutes=1)
    done = client.batches.retrieve(batch.id)
    assert done.output_file_id is not None
    for line in client.files.content(done.output_file_id).text.splitlines():
        body = ChatCompletion.model_validate(json.loads(line)["response"]["body"])
        assert "e" not in (body.choices[0].message.content or "")
        assert body.choices[0].finish_reason == "stop"
