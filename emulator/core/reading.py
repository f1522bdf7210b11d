"""What reading a batch's status, its results and its failures means in each dialect: data only.

The client verdict (`emulator.core.verdict`) asks two questions of every journaled call, and the
answers differ per provider, so they live here as tables rather than as code paths in routes:

- `DOORS[journal dialect]`: which operations of a door read one batch's status, deliver one
  batch's results by batch id, or download a file by file id. A batch can be reached through
  more than one door (Bifrost's gateway serves OpenAI, Anthropic and Gemini batches), so this is
  keyed by the dialect that answered the call.
- `KEEPING[batch dialect]`: where a batch's results live. OpenAI keeps failures in an error file
  of their own (`error_file_id`) beside the output file; Anthropic puts `errored` lines in the one
  results stream; Gemini puts per-item errors next to the responses (inline, or in the one
  responses file), and an inline batch's responses come with the status read of the finished job.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.batch import Batch
from emulator.core.journal import JournalEntry
from emulator.core.states import BatchState


@dataclass(frozen=True)
class Door:
    status: frozenset[str] = frozenset()  # read one batch's state (the batch id is in the path)
    results: frozenset[str] = frozenset()  # deliver one batch's results (and failures with them)
    files: frozenset[str] = frozenset()  # download one file's content (the file id is in the path)


@dataclass(frozen=True)
class Keeping:
    results_hint: str  # how a client reads the results, for messages
    failures_apart: bool = False  # failures are in a file of their own (OpenAI's error file)
    results_on_status: bool = False  # reading a finished inline batch's status gives its results
    partial_output: bool = True  # a cancelled or expired batch keeps what it finished
    poll_every: float = 5.0  # seconds: what the provider's own examples wait between reads
    poll_source: str = ""


_OPENAI = Door(status=frozenset({"batches.retrieve"}), files=frozenset({"files.content"}))
DOORS: dict[str, Door] = {
    "openai": _OPENAI,
    "bifrost-openai": _OPENAI,
    "anthropic": Door(
        status=frozenset({"messages.batches.retrieve"}),
        results=frozenset({"messages.batches.results"}),
    ),
    # A file job's responses file (`files/batch-<id>`) is its output file.
    "gemini": Door(status=frozenset({"batches.get"}), files=frozenset({"files.download"})),
    # Bifrost's unified results call: in its default `wire` mode an OpenAI batch's answer leaves
    # the error file out (the gateway never reads it), in `schema` mode it has both; the journal
    # cannot tell the modes apart, so it counts as reading both (no finding without evidence).
    "bifrost": Door(
        status=frozenset({"batches.retrieve"}),
        results=frozenset({"batches.results"}),
        files=frozenset({"files.content"}),
    ),
}

KEEPING: dict[str, Keeping] = {
    "openai": Keeping(
        results_hint="download output_file_id with files.content",
        failures_apart=True,
        poll_source="openai-python's own polling helpers (files.wait_for_processing) wait 5 s",
    ),
    "anthropic": Keeping(
        results_hint="read messages.batches.results (succeeded and errored lines alike)",
        poll_every=60.0,
        poll_source="Anthropic's batch examples sleep 60 s between retrieves",
    ),
    "gemini": Keeping(
        results_hint="read dest.inlined_responses of the finished job, or download its "
        "dest.file_name",
        results_on_status=True,
        partial_output=False,  # a cancelled or expired Gemini job has no responses to read
        poll_every=30.0,
        poll_source="Google's batch mode guide waits 30 s between batches.get calls",
    ),
}
ENDED = frozenset(
    {BatchState.COMPLETED, BatchState.CANCELLED, BatchState.EXPIRED, BatchState.FAILED}
)


def keeping(batch: Batch) -> Keeping:
    return KEEPING.get(batch.dialect, KEEPING["openai"])


def door(entry: JournalEntry) -> Door:
    return DOORS.get(entry.dialect, Door())


def ok(entry: JournalEntry) -> bool:
    """A complete 2xx answer (an injected delay still delivers it; a cut-off body does not)."""
    complete = entry.fault is None or entry.fault == "slow"
    return entry.status is not None and 200 <= entry.status < 300 and complete


def is_status_read(entry: JournalEntry, batch: Batch) -> bool:
    return entry.batch_id == batch.id and entry.operation in door(entry).status


def saw_ended(entry: JournalEntry, batch: Batch) -> bool:
    """The call showed the client that the batch had ended (any call about it, any door)."""
    return (
        entry.batch_id == batch.id
        and ok(entry)
        and entry.state is not None
        and BatchState(entry.state) in ENDED
    )


def asks_results(entry: JournalEntry, batch: Batch) -> bool:
    """A call that asks for the batch's results by batch id, whatever the answer was."""
    return entry.batch_id == batch.id and entry.operation in door(entry).results


def reads_results(entry: JournalEntry, batch: Batch) -> bool:
    if not ok(entry):
        return False
    if asks_results(entry, batch):
        return True
    if entry.operation in door(entry).files and entry.file_id is not None:
        return entry.file_id == batch.output_file_id or (
            entry.file_id == batch.error_file_id and not keeping(batch).failures_apart
        )
    return (
        keeping(batch).results_on_status
        and batch.input_file_id is None
        and is_status_read(entry, batch)
        and entry.state == BatchState.COMPLETED.value
    )


def reads_failures(entry: JournalEntry, batch: Batch) -> bool:
    if not keeping(batch).failures_apart or asks_results(entry, batch):
        return reads_results(entry, batch)
    return (
        ok(entry)
        and entry.operation in door(entry).files
        and entry.file_id is not None
        and entry.file_id == batch.error_file_id
    )
