"""Batch and item records, and the snapshot (`View`) every reader works from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.config import Timing
from emulator.core.states import BatchState, Outcome
from emulator.core.timeline import Moment, Plan, done_count


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
    _error_prefix: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        prefix = [0]
        for index in self.order:
            prefix.append(prefix[-1] + (self.items[index].error is not None))
        self._error_prefix = prefix

    def errored_among_first(self, n: int) -> int:
        return self._error_prefix[n]


@dataclass(frozen=True)
class Counts:
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
    def done(self) -> int:
        if self.state is BatchState.FAILED:
            return 0
        return done_count(len(self.batch.items), self.moment.progress)

    @property
    def counts(self) -> Counts:
        total = 0 if self.state is BatchState.FAILED else len(self.batch.items)
        done = self.done
        errored = self.batch.errored_among_first(done)
        rest = total - done
        state = self.state
        return Counts(
            total=total,
            processing=0 if state in (BatchState.CANCELLED, BatchState.EXPIRED) else rest,
            succeeded=done - errored,
            errored=errored,
            canceled=rest if state is BatchState.CANCELLED else 0,
            expired=rest if state is BatchState.EXPIRED else 0,
        )

    def outcomes(self) -> list[tuple[int, Outcome]]:
        """(item index, outcome) for every item that has one, in finishing order."""
        if self.state is BatchState.FAILED:
            return []
        done = self.done
        out = [(i, _planned(self.batch.items[i])) for i in self.batch.order[:done]]
        leftover = {BatchState.CANCELLED: Outcome.CANCELED, BatchState.EXPIRED: Outcome.EXPIRED}
        if self.state in leftover:
            out += [(i, leftover[self.state]) for i in self.batch.order[done:]]
        return out


def _planned(item: Item) -> Outcome:
    return Outcome.SUCCEEDED if item.error is None else Outcome.ERRORED
