"""Verdict rules about how a client paces and repeats its calls: polling, retries, creates."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator

import orjson

from emulator.core import reading
from emulator.core.batch import Batch, View
from emulator.core.findings import Finding, Rule, Scene
from emulator.core.journal import JournalEntry

POLL_BURST = 200  # status reads of one batch...
POLL_WINDOW = 1.0  # ...within this many seconds, on both the emulator clock and the wall clock
RETRY_SLACK = 0.001  # seconds: clock granularity, never a real client's shortfall
DUPLICATE_WINDOW = 60.0  # seconds of emulator time between two creates of the same input


def poll_too_fast(scene: Scene) -> Iterator[Finding]:
    """A batch's status read hundreds of times a second.

    Batches take minutes to hours (OpenAI and Anthropic give them 24 h). Anthropic documents
    retrieve as the call "to poll for Message Batch completion" and its examples sleep 60 s
    between reads; Google's batch mode guide waits 30 s; openai-python's own polling helpers wait
    5 s. A loop with no sleep burns the rate limit (and CPU) for nothing. The burst must be
    short on the emulator clock *and* on the wall clock, so neither a test that moves the clock
    between reads nor a frozen clock with real sleeps is mistaken for a tight loop.
    """
    for view in scene.views:
        batch = view.batch
        reads = [e for e in scene.about(batch.id) if scene.read.is_status_read(e, batch)]
        burst = _burst(reads)
        if burst is None:
            continue
        first, last = burst
        keeping = scene.read.keeping(batch)
        span = max(last.at - first.at, last.wall - first.wall)
        message = (
            f"status read {POLL_BURST} times within {span:.2f} s ({len(reads)} reads in all): "
            f"poll every {keeping.poll_every:g} s or so against the real service "
            f"({keeping.poll_source}); in a test, move the emulator clock between reads "
            "(advance()) instead of spinning"
        )
        yield Finding("poll_too_fast", batch.id, batch.dialect, message, (first, last))


def _burst(reads: list[JournalEntry]) -> tuple[JournalEntry, JournalEntry] | None:
    for start in range(len(reads) - POLL_BURST + 1):
        first, last = reads[start], reads[start + POLL_BURST - 1]
        if last.at - first.at <= POLL_WINDOW and last.wall - first.wall <= POLL_WINDOW:
            return first, last
    return None


def retry_too_soon(scene: Scene) -> Iterator[Finding]:
    """A call repeated before the `retry-after` (or `retry-after-ms`) the emulator sent.

    RFC 9110 (10.2.3): Retry-After is "how long the user agent ought to wait before making a
    follow-up request". OpenAI's and Anthropic's SDKs honour `retry-after-ms` / `retry-after`
    (openai-python up to 60 s in 1.x and 120 s since 2.x; a longer wait falls back to backoff or
    no retry); google-genai's retries use their own exponential backoff and ignore it. The
    repeat is the next call with the same method and path, whoever made it: a hand-written
    retry loop around an SDK with `max_retries=0` numbers every attempt as a first one, and
    is still told to wait. The wait counts on either clock: real time, or the emulator's when
    the client's sleeps were emulated (`emulate_sleeps()`) or the test moved it (`advance()`).
    """
    waiting: dict[tuple[str, str, str], JournalEntry] = {}
    for entry in scene.entries:
        key = (entry.dialect, entry.method, entry.path)
        earlier = waiting.pop(key, None)
        if earlier is not None:
            asked = earlier.retry_after or 0.0
            gap = max(entry.wall - earlier.wall, entry.at - earlier.at)
            if gap < asked - RETRY_SLACK:
                message = (
                    f"{entry.method} {entry.path} was repeated {gap:.3f} s after a "
                    f"{earlier.status} that asked the client to wait {asked:g} s "
                    "(retry-after): wait at least that long before retrying"
                )
                evidence = (earlier, entry)
                yield Finding("retry_too_soon", earlier.batch_id, entry.dialect, message, evidence)
        if entry.retry_after and (entry.status is None or entry.status >= 400):
            waiting[key] = entry


def duplicate_create(scene: Scene) -> Iterator[Finding]:
    """The same input made a second batch shortly after the first, while the first still ran.

    Batch creation is not idempotent and none of these APIs takes an idempotency key (the SDKs
    send none): Google's batch mode guide says two identical creates make two batches, and a
    create retried after a lost or failed answer (the SDKs retry 5xx and dropped connections on
    their own) runs, and bills, the work twice. A careful client guards a retried create, e.g.
    by listing batches and looking for its input file or a metadata tag first. Re-submitting
    after the client saw the first batch end (failed, expired, cancelled) is not a duplicate.
    """
    for views in _same_input(scene.views):
        for first, second in itertools.pairwise(views):
            gap = second.batch.plan.created_at - first.batch.plan.created_at
            if gap > DUPLICATE_WINDOW or _saw_end_before(scene, first.batch, second.batch):
                continue
            yield _duplicate(scene, first.batch, second.batch, gap)


def _same_input(views: list[View]) -> list[list[View]]:
    """Batches grouped by dialect and input, in creation order. Inline requests are hashed
    only when two batches could match (same dialect and size): big batches are common."""
    coarse: dict[tuple[str, str], list[View]] = {}
    for view in sorted(views, key=lambda v: v.batch.plan.created_at):
        batch = view.batch
        source = batch.input_file_id or f"inline:{len(batch.items)}"
        coarse.setdefault((batch.dialect, source), []).append(view)
    groups = []
    for (_, source), members in coarse.items():
        if len(members) < 2 or not source.startswith("inline:"):
            groups.append(members)
            continue
        fine: dict[bytes, list[View]] = {}
        for view in members:
            fine.setdefault(_inline_digest(view.batch), []).append(view)
        groups += fine.values()
    return groups


def _inline_digest(batch: Batch) -> bytes:
    requests = [(item.custom_id, item.body) for item in batch.items]
    return hashlib.blake2b(orjson.dumps(requests, option=orjson.OPT_SORT_KEYS)).digest()


def _creates(scene: Scene, batch: Batch) -> list[JournalEntry]:
    return [e for e in scene.about(batch.id) if e.operation.endswith("create")]


def _saw_end_before(scene: Scene, first: Batch, second: Batch) -> bool:
    made = _creates(scene, second)
    cutoff = made[0].wall if made else float("inf")
    return any(reading.saw_ended(e, first) and e.wall < cutoff for e in scene.about(first.id))


def _duplicate(scene: Scene, first: Batch, second: Batch, gap: float) -> Finding:
    source = (
        f"input file {first.input_file_id}"
        if first.input_file_id is not None
        else f"{len(first.items)} identical inline request(s)"
    )
    message = (
        f"created from the same {source} as {first.id} {gap:.2f} s earlier, while that batch "
        "had not ended: a create retried without a guard runs (and bills) the work twice; "
        "before creating again, list batches and look for one with this input"
    )
    evidence = tuple(_creates(scene, first) + _creates(scene, second))
    return Finding("duplicate_create", second.id, second.dialect, message, evidence)


RULES: dict[str, Rule] = {
    "poll_too_fast": poll_too_fast,
    "retry_too_soon": retry_too_soon,
    "duplicate_create": duplicate_create,
}
