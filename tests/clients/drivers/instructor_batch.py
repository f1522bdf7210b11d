"""Drives instructor's BatchProcessor the way its docs show; prints one JSON summary line.

Runs under .clients-venv's Python (instructor is not importable from the test environment).
Usage: instructor_batch.py MODEL MODE [SCENARIO]; MODE is `file`, `memory` or `cancel`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from instructor.batch import BatchProcessor
from pydantic import BaseModel


class User(BaseModel):
    name: str
    age: int


TERMINAL = {"completed", "failed", "expired", "cancelled", "ended"}


def main() -> None:
    model, mode = sys.argv[1], sys.argv[2]
    processor = BatchProcessor(model, User)
    messages = [[{"role": "user", "content": f"Extract: person {i} is {20 + i}"}] for i in range(4)]
    source = processor.create_batch_from_messages(
        messages, file_path=None if mode == "memory" else str(Path("batch.jsonl").resolve())
    )
    batch_id = processor.submit_batch(source, metadata={"description": "smoke"})
    if mode == "cancel":
        processor.cancel_batch(batch_id)
    # The emulator's `immediate` timing makes the first poll terminal; the bound only keeps a
    # misbehaving server from hanging CI.
    for _ in range(600):
        status = processor.get_batch_status(batch_id)
        if status["status"] in TERMINAL:
            break
        time.sleep(0.05)
    counts = status["request_counts"]
    if not isinstance(counts, dict):  # Anthropic: the SDK's MessageBatchRequestCounts
        counts = counts.model_dump()
    results = (
        []
        if mode == "cancel"
        else [
            {
                "custom_id": r.custom_id,
                "ok": r.success,
                **(
                    {"name": r.result.name, "age": r.result.age}
                    if r.success
                    else {"error_type": r.error_type, "error": r.error_message}
                ),
            }
            for r in processor.get_results(batch_id)
        ]
    )
    print(
        json.dumps(
            {"batch_id": batch_id, "status": status["status"], "counts": counts, "results": results}
        )
    )


if __name__ == "__main__":
    main()
