"""Batch and item records, and the snapshot (`View`) every reader works from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.states import BatchState, Outcome
from emulator.core.timeline import Moment, Plan, done_count

if TYPE_CHECKING:  # config imports the core (fault rules -> ItemError): only a type is needed
    from emulator.config import Timing


@dataclass(frozen=True)
class ItemError:
    """Why an item failed, in neutral terms; dialects render it in their own envelope."""

    status: int
    type: str
    message: str
    code: str | None = None
    param: str | None = None


@dataclass(frozen=True)
class Item:
    custom_id: str
    body: dict[str, Any]
    error: ItemError | None = None  # planned: what happens when the item runs
    outcome: Outcome | None = None  # planned expired/canceled (item faults); None: by `error`


@dataclass(frozen=True)
class LineError:
    """One input-validation problem (OpenAI's `errors.data[]` entry)."""

    code: str
    message: str
    param: str | None = None
    line: int | None = None


@dataclass
class Batch:
    id: str
    dialect: str
    provider: str
    endpoint: str
    model: str | None
    items: list[Item]
    plan: Plan
    timing: Timing
    order: list[int]  # the order items finish in (seeded)
    errors: list[LineError] = field(default_factory=list)
    metadata: dict[str, str] | None = None
    input_file_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    polls: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    files_ready: bool = False
    _prefix: dict[Outcome, list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """Prefix sums of planned non-success outcomes in finishing order: counts in O(1).

        Only outcomes some item actually has get a list: in the common all-succeed batch
        there is none, and 100,000 items cost one pass of attribute reads.
        """
        self._prefix = {}
        items = self.items
        if all(item.error is None and item.outcome is None for item in items):
            return
        planned = [planned_outcome(items[index]) for index in self.order]
        for outcome in (Outcome.ERRORED, Outcome.CANCELED, Outcome.EXPIRED):
            if outcome in planned:
                sums, running = [0], 0
                for got in planned:
                    running += got is outcome
                    sums.append(running)
                self._prefix[outcome] = sums

    def among_first(self, outcome: Outcome, n: int) -> int:
        sums = self._prefix.get(outcome)
        return 0 if sums is None else sums[n]


@dataclass(frozen=True)
class Counts:  # public (BatchInfo.counts): stays a dataclass, as documented
    total: int
    processing: int
    succeeded: int
    errored: int
    canceled: int
    expired: int


@dataclass(frozen=True)
class View:
    """A batch as seen at one instant: everything a dialect needs to render it consistently."""

    batch: Batch
    now: float
    moment: Moment
    as_created: bool = False

    @property
    def state(self) -> BatchState:
        return self.moment.state

    @property
    def validation_half(self) -> float | None:
        """The instant halfway through validation (the two-word phases some providers show
        while validating, Bedrock's Submitted/Validating and Vertex's QUEUED/PENDING, turn
        there); None while its end is not planned."""
        plan = self.batch.plan
        end = plan.in_progress_at or plan.failed_at
        return None if end is None else plan.created_at + (end - plan.created_at) / 2

    @property
    def done(self) -> int:
        if self.state is BatchState.FAILED:
            return 0
        return done_count(len(self.batch.items), self.moment.progress)

    @property
    def counts(self) -> Counts:
        total = 0 if self.state is BatchState.FAILED else len(self.batch.items)
        done, batch, state = self.done, self.batch, self.state
        errored = batch.among_first(Outcome.ERRORED, done)
        canceled = batch.among_first(Outcome.CANCELED, done)
        expired = batch.among_first(Outcome.EXPIRED, done)
        rest = total - done
        return Counts(
            total=total,
            processing=0 if state in (BatchState.CANCELLED, BatchState.EXPIRED) else rest,
            succeeded=done - errored - canceled - expired,
            errored=errored,
            canceled=canceled + (rest if state is BatchState.CANCELLED else 0),
            expired=expired + (rest if state is BatchState.EXPIRED else 0),
        )

    def outcomes(self) -> list[tuple[int, Outcome]]:
        """(item index, outcome) for every item that has one, in finishing order."""
        if self.state is BatchState.FAILED:
            return []
        done = self.done
        out = [(i, planned_outcome(self.batch.items[i])) for i in self.batch.order[:done]]
        leftover = {BatchState.CANCELLED: Outcome.CANCELED, BatchState.EXPIRED: Outcome.EXPIRED}
        if self.state in leftover:
            out += [(i, leftover[self.state]) for i in self.batch.order[done:]]
        return out


def planned_outcome(item: Item) -> Outcome:
    if item.outcome is not None:
        return item.outcome
    return Outcome.SUCCEEDED if item.error is None else Outcome.ERRORED
