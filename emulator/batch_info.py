"""`BatchInfo`: the public, typed picture of one batch, as the handle's `.batches` returns it.

The core's `View` is an internal snapshot (the record, the plan, the clock reading) with a repr
that prints every item. Tests want a few plain fields they can assert on and a repr that fits on
one line of a pytest failure; the control plane wants the same fields as JSON. Both come from
here, so `batch_emulator.batches` and `GET /_emulator/batches` always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator import native
from emulator.core.batch import Batch, Counts, View
from emulator.core.states import BatchState


@dataclass(frozen=True, repr=False)
class BatchInfo:
    """One batch as seen at one instant.

    `state` is the provider-neutral state (`validating`, `in_progress`, `finalizing`,
    `completed`, `failed`, `expired`, `cancelling`, `cancelled`); `status` is the same state in
    the provider's own word, as its SDK shows it (`ended`, `JOB_STATE_SUCCEEDED`, `SUCCESS`...).
    `native_id` is the id the SDK hands out (Gemini's `batches/...`; elsewhere `id`). `counts`
    are per-item outcomes so far. `failure` says why a failed batch failed
    (its validation errors, one per line), else None. `view` is the core's full snapshot, for
    anything not surfaced here. `output_file_id` / `error_file_id` are the OpenAI-style result
    files, made by the core as the batch finished.
    """

    id: str
    dialect: str
    provider: str
    endpoint: str
    model: str | None
    state: BatchState
    status: str
    native_id: str
    counts: Counts
    created_at: float
    expires_at: float
    polls: int
    timing: str
    failure: str | None
    ended_at: float | None
    output_file_id: str | None  # made by the core when the batch finished, read or not
    error_file_id: str | None
    view: View = field(compare=False)

    @classmethod
    def of(cls, view: View) -> BatchInfo:
        b = view.batch
        return cls(
            id=b.id,
            dialect=b.dialect,
            provider=b.provider,
            endpoint=b.endpoint,
            model=batch_model(b),
            state=view.state,
            status=native.status_of(view),
            native_id=native.native_id(b.dialect, b.provider, b.id, b.extra),
            counts=view.counts,
            created_at=b.plan.created_at,
            expires_at=b.plan.expires_at,
            polls=b.polls,
            timing=b.timing.policy,
            failure=failure_reason(view),
            ended_at=view.moment.ended_at,
            output_file_id=b.output_file_id,
            error_file_id=b.error_file_id,
            view=view,
        )

    @property
    def batch(self) -> Batch:
        """The core record (kept for code written against the earlier `View` objects)."""
        return self.view.batch

    def __repr__(self) -> str:
        c = self.counts
        done = f"{c.succeeded} ok, {c.errored} errored" if c.total else "no items"
        why = f", failure={self.failure!r}" if self.failure else ""
        word = self.state.value
        word += f" ({self.status})" if self.status != word else ""
        return f"<BatchInfo {self.native_id} {self.dialect} {word}: {done}{why}>"

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `GET /_emulator/batches` (and `/batches/{id}`)."""
        c = self.counts
        return {
            "id": self.id,
            "dialect": self.dialect,
            "provider": self.provider,
            "endpoint": self.endpoint,
            "model": self.model,
            "state": self.state.value,
            "status": self.status,
            "native_id": self.native_id,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "polls": self.polls,
            "timing": self.timing,
            "failure": self.failure,
            "ended_at": self.ended_at,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "counts": {
                "total": c.total,
                "processing": c.processing,
                "succeeded": c.succeeded,
                "errored": c.errored,
                "canceled": c.canceled,
                "expired": c.expired,
            },
        }


def batch_model(batch: Batch) -> str | None:
    """The batch's model; Anthropic names one per request, so its first request's is shown."""
    if batch.model is not None or not batch.items:
        return batch.model
    model = batch.items[0].body.get("model")
    return model if isinstance(model, str) else None


def failure_reason(view: View) -> str | None:
    """Why a failed batch failed: its validation errors, `line N: message` each."""
    if view.state is not BatchState.FAILED:
        return None
    parts = [
        f"line {e.line}: {e.message}" if e.line is not None else e.message
        for e in view.batch.errors
    ]
    return "; ".join(parts) or "failed"
