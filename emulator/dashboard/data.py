"""What the dashboard page shows, as plain JSON: a page of batches, one batch, the journal's tail.

Every function reads through `BatchService.view`/`list_batches`, never `get_batch`, so looking at
a batch is not a poll: the page cannot move a `polls:N` batch or change what a client verdict
sees. Every answer is bounded (a page of batches, the last N calls, counts instead of items), so
its size does not grow with 1,000 batches or a 100,000-request batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson

from emulator import native
from emulator.control import summary
from emulator.core import timeline
from emulator.core.errors import EmulatorError
from emulator.core.journal import JournalEntry
from emulator.core.numbers import ascii_int
from emulator.core.states import ALLOWED, BatchState

if TYPE_CHECKING:
    from emulator.api import Emulator
    from emulator.core.batch import View
    from emulator.core.service import BatchService

BATCH_PAGE = 50
MAX_BATCH_PAGE = 200
JOURNAL_TAIL = 100
MAX_JOURNAL_TAIL = 500
SCAN = 20_000  # newest calls a journal filter searches
LINE_ERRORS = 20  # validation errors shown per batch; the rest are counted
BATCH_FINDINGS = 20  # findings shown for one batch
# What a journal row on the page shows: a fixed set, so the tail's size stays the same when the
# journal learns new fields.
JOURNAL_FIELDS = (
    "at", "wall", "method", "path", "dialect", "operation", "status", "retry_count", "batch_id",
    "fault", "rule", "request_id",
)  # fmt: skip


def _bounded(query: Mapping[str, str], name: str, default: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    value = ascii_int(raw)
    if value is None:
        raise ValueError(f"'{name}' must be a non-negative integer, got {raw[:40]!r}")
    return min(value, high)


def _matches_text(view: View, text: str) -> bool:
    b = view.batch
    # the SDK's id finds it too: Gemini's `batches/...`, a Bedrock ARN, a Vertex name
    named = native.native_id(b.dialect, b.provider, b.id, b.extra)
    return any(text in (value or "").lower() for value in (named, b.model, b.endpoint, b.provider))


def batch_page(emulator: Emulator, query: Mapping[str, str]) -> dict[str, Any]:
    """Newest first; `offset`/`limit` page it, `state`, `dialect` and `q` (a substring of id,
    model, endpoint or provider) filter it. `states` counts every batch by state."""
    offset = _bounded(query, "offset", 0, 1 << 62)
    limit = _bounded(query, "limit", BATCH_PAGE, MAX_BATCH_PAGE)
    state, dialect = query.get("state") or None, query.get("dialect") or None
    if state is not None and state not in {s.value for s in BatchState}:
        raise ValueError(f"'state' must be one of {', '.join(s.value for s in BatchState)}")
    text = (query.get("q") or "").strip().lower()
    views = emulator.service.list_batches()
    states: dict[str, int] = {}
    for view in views:
        states[view.state.value] = states.get(view.state.value, 0) + 1
    chosen = [
        v
        for v in views
        if (state is None or v.state.value == state)
        and (dialect is None or v.batch.dialect == dialect)
        and (not text or _matches_text(v, text))
    ]
    return {
        "data": [summary(v) for v in chosen[offset : offset + limit]],
        "total": len(chosen),
        "all": len(views),
        "offset": offset,
        "limit": limit,
        "states": states,
        "now": emulator.now(),
    }


@dataclass(frozen=True)
class _Instant:
    state: str
    at: float
    reached: bool

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "at": self.at, "reached": self.reached}


def _timeline(view: View) -> list[dict[str, Any]]:
    """Each state the batch has been in with the instant it began, then what is planned."""
    plan, m, now = view.batch.plan, view.moment, view.now
    seen = [
        _Instant("validating", plan.created_at, True),
        *(
            _Instant(name, at, True)
            for name, at in (
                ("in_progress", m.in_progress_at),
                ("finalizing", m.finalizing_at),
                ("cancelling", m.cancelling_at),
            )
            if at is not None
        ),
    ]
    if m.ended_at is not None:
        seen.append(_Instant(view.state.value, m.ended_at, True))
        return [i.as_dict() for i in sorted(seen, key=lambda i: i.at)]
    planned = [
        _Instant(name, at, False)
        for name, at in (
            ("in_progress", plan.in_progress_at),
            ("finalizing", plan.finalizing_at),
            ("completed", plan.completed_at),
            ("failed", plan.failed_at),
            ("cancelled", plan.cancelled_at),
            ("expired", timeline.expiry(plan)),
        )
        if at is not None and at > now
    ]
    ordered = sorted(seen, key=lambda i: i.at) + sorted(planned, key=lambda i: i.at)
    return [i.as_dict() for i in ordered]


def _file(service: BatchService, kind: str, file_id: str | None) -> dict[str, Any] | None:
    """A file the batch names, with a download URL while it is still stored.

    A batch may name a file by its resource name (Gemini's `files/abc`); the store keys it by
    the last segment, so that is tried too.
    """
    if file_id is None:
        return None
    for key in dict.fromkeys((file_id, file_id.rsplit("/", 1)[-1])):
        try:
            stored = service.get_file(key)
        except EmulatorError:
            continue
        return {
            "kind": kind,
            "id": file_id,
            "filename": stored.filename,
            "size": stored.size,
            "url": f"dashboard/files/{quote(stored.id, safe='')}",
        }
    return {"kind": kind, "id": file_id, "size": None, "url": None}  # deleted by the client


def batch_detail(emulator: Emulator, batch_id: str) -> dict[str, Any]:
    """One batch: its summary, timeline, files, validation errors and metadata (no items)."""
    service = emulator.service
    view = emulator.batch(batch_id).view  # the SDK's form of the id works too
    batch = view.batch
    files = [
        f
        for f in (
            _file(service, "input", batch.input_file_id),
            _file(service, "output", batch.output_file_id),
            _file(service, "error", batch.error_file_id),
        )
        if f is not None
    ]
    outcomes = view.done > 0 or view.state in (BatchState.CANCELLED, BatchState.EXPIRED)
    return {
        **summary(view),
        "now": view.now,
        "timeline": _timeline(view),
        "files": files,
        "results_url": f"dashboard/batches/{batch.id}/results" if outcomes else None,
        "metadata": batch.metadata,
        "errors": [
            {"code": e.code, "message": e.message, "param": e.param, "line": e.line}
            for e in batch.errors[:LINE_ERRORS]
        ],
        "error_count": len(batch.errors),
        "allowed": _allowed(view.state),
    }


def _allowed(state: BatchState) -> list[str]:
    """Where a forced transition may go, in the state machine's own order."""
    return [s.value for s in BatchState if s in ALLOWED[state]]


def results_lines(emulator: Emulator, batch_id: str) -> Iterator[bytes]:
    """Every item with an outcome, as provider-neutral JSONL, generated as it is sent.

    Works for every dialect (Anthropic and Gemini inline results have no file to link), and
    holds at most one chunk of lines at a time, so a 100,000-request batch streams. The batch
    is looked up now (an unknown id raises here), its lines later.
    """
    view = emulator.batch(batch_id).view
    return _lines(emulator.service, view)


def _lines(service: BatchService, view: View) -> Iterator[bytes]:
    chunk: list[bytes] = []
    for result in service.iter_results(view):
        error = result.error
        line = {
            "custom_id": result.custom_id,
            "outcome": result.outcome.value,
            "response": result.body,
            "error": None
            if error is None
            else {"status": error.status, "type": error.type, "message": error.message},
        }
        chunk.append(orjson.dumps(line) + b"\n")
        if len(chunk) >= 1000:
            yield b"".join(chunk)
            chunk.clear()
    if chunk:
        yield b"".join(chunk)


def findings(emulator: Emulator, query: Mapping[str, str]) -> dict[str, Any]:
    """The client verdict, bounded: how many findings per rule, and one batch's findings
    (`batch_id`) with the number of calls in evidence rather than the calls themselves.

    `GET /_emulator/verdict` carries every finding with its evidence, which grows with the
    batches (1,000 unread results are ~1 MB); the page reads this instead every few seconds.
    """
    batch_id = query.get("batch_id") or None
    found = emulator.verdict()
    rules: dict[str, int] = {}
    for finding in found:
        rules[finding.rule] = rules.get(finding.rule, 0) + 1
    mine = [f for f in found if batch_id is not None and f.batch_id == batch_id]
    return {
        "total": len(found),
        "rules": rules,
        "data": [
            {
                "rule": f.rule,
                "batch_id": f.batch_id,
                "dialect": f.dialect,
                "message": f.message,
                "evidence": len(f.evidence),
            }
            for f in mine[:BATCH_FINDINGS]
        ],
    }


def _row(entry: JournalEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in JOURNAL_FIELDS}


_STATUS_FILTER = re.compile(r"[0-9]{3}|[1-5]xx|dropped")


def _check_status(wanted: str | None) -> None:
    if wanted and not _STATUS_FILTER.fullmatch(wanted):
        raise ValueError(
            f"'status' must be a code (429), a class (5xx) or dropped, not {wanted[:40]!r}"
        )


def _status_matches(entry: JournalEntry, wanted: str) -> bool:
    if wanted == "dropped":
        return entry.status is None
    if len(wanted) == 3 and wanted.endswith("xx"):
        return entry.status is not None and str(entry.status)[0] == wanted[0]
    return str(entry.status) == wanted


def _entry_matches(entry: JournalEntry, query: Mapping[str, str], text: str) -> bool:
    dialect, status = query.get("dialect"), query.get("status")
    if dialect and entry.dialect != dialect:
        return False
    if status and not _status_matches(entry, status):
        return False
    if query.get("faulted") == "true" and entry.fault is None:
        return False
    if not text:
        return True
    fields = (entry.method, entry.path, entry.operation, entry.batch_id, entry.fault)
    haystack = " ".join(v for v in fields if v is not None)
    return text in haystack.lower()


def journal_tail(emulator: Emulator, query: Mapping[str, str]) -> dict[str, Any]:
    """The last `limit` client calls matching the filters, newest first.

    Filters: `q` (substring of method, path, operation, batch id or fault), `dialect`,
    `status` (`429`, `5xx`, `dropped`), `faulted=true`. They search the newest `SCAN` calls
    only, so a page polling with a filter costs the same with a full 100,000-entry journal;
    `scanned` says how many were searched. The control plane and this page are never in the
    journal: only provider routes write to it (`emulator.http.operation`).
    """
    limit = _bounded(query, "limit", JOURNAL_TAIL, MAX_JOURNAL_TAIL)
    _check_status(query.get("status"))
    text = (query.get("q") or "").strip().lower()
    journal = emulator.service.journal
    total = len(journal)
    if not text and not any(query.get(k) for k in ("dialect", "status", "faulted")):
        data = [_row(e) for e in reversed(journal.tail(limit))]
        return {"data": data, "matched": total, "total": total, "scanned": total, "limit": limit}
    window = journal.tail(SCAN)
    picked: list[dict[str, Any]] = []
    matched = 0
    for entry in reversed(window):
        if _entry_matches(entry, query, text):
            matched += 1
            if len(picked) < limit:
                picked.append(_row(entry))
    return {
        "data": picked,
        "matched": matched,
        "total": total,
        "scanned": len(window),
        "limit": limit,
    }
