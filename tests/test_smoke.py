"""The fixture serves a working OpenAI surface (a guard for every other test module)."""

from __future__ import annotations

from openai import OpenAI


def test_openai_batch_round_trip(batch_emulator):
    client = OpenAI(base_url=batch_emulator.openai_base_url, api_key="test")
    line = (
        b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions",'
        b'"body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}}\n'
    )
    upload = client.files.create(file=("in.jsonl", line), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "validating"
    batch_emulator.advance(hours=1)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts is not None and done.request_counts.completed == 1
