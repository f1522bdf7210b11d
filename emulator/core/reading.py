"""What reading a batch's status, its results and its failures means in each dialect: data only.

The client verdict (`emulator.core.verdict`) asks two questions of every journaled call, and the
answers differ per provider, so they are data in each provider's profile, not code in routes:

- a profile's `Door`, found by the journal dialect: which operations read one batch's status,
  deliver one batch's results by batch id, or download a file by file id. A batch can be reached
  through more than one door (Bifrost's gateway serves OpenAI, Anthropic and Gemini batches),
  so this is keyed by the dialect that answered the call.
- a profile's `Keeping`, found by the batch's dialect: where its results live. OpenAI keeps
  failures in an error file of their own (`error_file_id`) beside the output file; Anthropic
  puts `errored` lines in the one results stream; Gemini puts per-item errors next to the
  responses (inline, or in the one responses file), and an inline batch's responses come with
  the status read of the finished job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emulator.core.batch import Batch
from emulator.core.journal import JournalEntry
from emulator.core.profile import Door, Keeping, Profile
from emulator.core.states import BatchState

NEUTRAL_KEEPING = Keeping(results_hint="read its results")


ENDED = frozenset(
    {BatchState.COMPLETED, BatchState.CANCELLED, BatchState.EXPIRED, BatchState.FAILED}
)


def ok(entry: JournalEntry) -> bool:
    """A complete 2xx answer (an injected delay still delivers it; a cut-off body does not)."""
    complete = entry.fault is None or entry.fault == "slow"
    return entry.status is not None and 200 <= entry.status < 300 and complete


def saw_ended(entry: JournalEntry, batch: Batch) -> bool:
    """The call showed the client that the batch had ended (any call about it, any door)."""
    return (
        entry.batch_id == batch.id
        and ok(entry)
        and entry.state is not None
        and BatchState(entry.state) in ENDED
    )


@dataclass(frozen=True)
class Reader:
    """The providers' reading tables (from their profiles), asked about one call at a time."""

    profiles: Mapping[str, Profile]

    def keeping(self, batch: Batch) -> Keeping:
        profile = self.profiles.get(batch.dialect)
        return profile.keeping if profile is not None and profile.keeping else NEUTRAL_KEEPING

    def door(self, entry: JournalEntry) -> Door:
        profile = self.profiles.get(entry.dialect)
        return profile.door if profile is not None else Door()

    def is_status_read(self, entry: JournalEntry, batch: Batch) -> bool:
        return entry.batch_id == batch.id and entry.operation in self.door(entry).status

    def asks_results(self, entry: JournalEntry, batch: Batch) -> bool:
        """A call that asks for the batch's results by batch id, whatever the answer was."""
        return entry.batch_id == batch.id and entry.operation in self.door(entry).results

    def reads_results(self, entry: JournalEntry, batch: Batch) -> bool:
        if not ok(entry):
            return False
        if self.asks_results(entry, batch) or (entry.gave_results and entry.batch_id == batch.id):
            return True
        if entry.operation in self.door(entry).files and entry.file_id is not None:
            return entry.file_id == batch.output_file_id or (
                entry.file_id == batch.error_file_id and not self.keeping(batch).failures_apart
            )
        return (
            self.keeping(batch).results_on_status
            and batch.input_file_id is None
            and self.is_status_read(entry, batch)
            and entry.state == BatchState.COMPLETED.value
        )

    def reads_failures(self, entry: JournalEntry, batch: Batch) -> bool:
        if not self.keeping(batch).failures_apart or self.asks_results(entry, batch):
            return self.reads_results(entry, batch)
        return (
            ok(entry)
            and entry.operation in self.door(entry).files
            and entry.file_id is not None
            and entry.file_id == batch.error_file_id
        )
