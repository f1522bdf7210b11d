"""Plain-text accounts of what an emulator saw and holds: for failed tests and the serve log.

A failing test that drives an SDK usually fails far from the cause (a 429 three calls ago, a
batch that failed validation). The pytest plugin appends `describe(handle)` to a failed test's
report, like captured output, and `batch-emulator serve` logs `call_line(entry)` per call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from emulator.batch_info import BatchInfo
from emulator.core.journal import JournalEntry

if TYPE_CHECKING:
    from emulator.handle import EmulatorHandle

LAST_CALLS = 20
MAX_BATCHES = 20


def clock_text(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-3]


def call_line(entry: JournalEntry) -> str:
    """`POST /v1/batches -> 200 (openai batches.create) batch=batch_abc fault=http:429`."""
    status = "dropped" if entry.status is None else str(entry.status)
    parts = [f"{entry.method} {entry.path} -> {status} ({entry.dialect} {entry.operation})"]
    if entry.batch_id:
        parts.append(f"batch={entry.batch_id}")
    if entry.fault:
        parts.append(f"fault={entry.fault}" + (f" [{entry.rule}]" if entry.rule else ""))
    if entry.retry_count:
        parts.append(f"retry={entry.retry_count}")
    return " ".join(parts)


def status_text(info: BatchInfo) -> str:
    """The provider's word for the state, with the neutral state beside it when they differ."""
    neutral = info.state.value
    return neutral if info.status == neutral else f"{info.status} [{neutral}]"


def batch_line(info: BatchInfo) -> str:
    c = info.counts
    counts = (
        f"{c.total} items: {c.succeeded} succeeded, {c.errored} errored, {c.processing}"
        f" processing, {c.canceled} canceled, {c.expired} expired"
    )
    line = f"{info.native_id} ({info.dialect}, {info.endpoint}) {status_text(info)}; {counts}"
    return line + (f"; failure: {info.failure}" if info.failure else "")


def describe(handle: EmulatorHandle) -> str:
    """The last calls (oldest first) and every batch's state, for a failed test's report."""
    calls = handle.requests
    batches = handle.batches
    lines = [f"emulator at {handle.url}, clock {clock_text(handle.emulator.now())} UTC"]
    shown = calls[-LAST_CALLS:]
    more = f", last {len(shown)} shown" if len(calls) > len(shown) else ""
    lines.append(f"calls ({len(calls)}{more}):")
    lines += [f"  {clock_text(e.at)} {call_line(e)}" for e in shown] or ["  none"]
    lines.append(f"batches ({len(batches)}):")
    lines += [f"  {batch_line(b)}" for b in batches[:MAX_BATCHES]] or ["  none"]
    if len(batches) > MAX_BATCHES:
        lines.append(f"  ... and {len(batches) - MAX_BATCHES} more")
    faults = handle.faults.describe()
    if faults:
        lines.append(f"fault rules ({len(faults)}):")
        lines += [f"  {rule}" for rule in faults]
    return "\n".join(lines)
