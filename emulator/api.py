"""`Emulator`: the public Python handle. Works with or without pytest, with or without a server."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator import native
from emulator.batch_info import BatchInfo
from emulator.clock import Clock, ManualClock, SystemClock
from emulator.config import EmulatorConfig
from emulator.core.batch import Batch, View
from emulator.core.faults import Fault, FaultBook
from emulator.core.findings import Finding
from emulator.core.journal import JournalEntry
from emulator.core.responders import ResponderFn
from emulator.core.service import BatchService
from emulator.core.states import BatchState
from emulator.providers.registry import PROFILES
from emulator.sleeps import EmulatedSleeps

if TYPE_CHECKING:
    from starlette.applications import Starlette


class Emulator:
    """One independent emulator: its own store, clock, seed and faults (no globals)."""

    def __init__(
        self, config: EmulatorConfig | None = None, *, clock: Clock | None = None, **options: Any
    ) -> None:
        base = config or EmulatorConfig()
        self.config = base.merged(**options) if options else base
        self.clock: Clock = clock or SystemClock()
        self.service = BatchService(self.config, self.clock, PROFILES)
        self._defaults = self.config
        self._app: Starlette | None = None

    @property
    def app(self) -> Starlette:
        if self._app is None:
            from emulator.app import create_app

            self._app = create_app(self)
        return self._app

    # -- time -----------------------------------------------------------------------------
    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> float:
        """Move the emulator's clock forward; returns the new `now` (epoch seconds)."""
        self.clock.advance(seconds + 60 * minutes + 3600 * hours + 86400 * days)
        return self.clock.now()

    def now(self) -> float:
        return self.clock.now()

    def emulate_sleeps(self) -> EmulatedSleeps:
        """`with emulator.emulate_sleeps():` makes `time.sleep`, `asyncio.sleep` and `anyio.sleep`
        in this process advance this emulator's clock instead of waiting (the SDKs' retry
        waits included; the emulator's own threads still wait for real): a pipeline that polls
        every 60 s runs in milliseconds. See emulator.sleeps."""
        return EmulatedSleeps(self.advance)

    # -- configuration --------------------------------------------------------------------
    def configure(self, **changes: Any) -> EmulatorConfig:
        config = self.config.merged(**changes)
        self.service.configure(config)  # may refuse (a bad canned directory): nothing changes
        self.config = config
        return config

    def reset(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        seed: int | None = None,
        namespace: str | None = None,
    ) -> None:
        """Forget everything: batches, files, faults, journal, clock offset, config.

        Ids are never reused: a plain reset carries on the id sequence. `seed=N` replays from
        the start exactly (the same calls give the same ids and bytes); `namespace` (the
        pytest plugin passes each test's node id) gives a reproducible sequence of its own.
        """
        if clock is not None:
            self.clock = clock
            self.service.clock = clock
        self.config = config or self._defaults
        if seed is not None:
            self.config = self.config.merged(seed=seed)
        self.service.reset(self.config, seed=seed, namespace=namespace)

    # -- inspection -----------------------------------------------------------------------
    @property
    def batches(self) -> list[BatchInfo]:
        """Every batch of every dialect as seen now (reading them is not a poll)."""
        return [BatchInfo.of(self.service.view(b.id)) for b in self.service.all_batches()]

    def batch(self, batch_id: str) -> BatchInfo:
        """One batch as seen now (not a poll), by its id as the SDK hands it out (Gemini's
        `batches/...` too); an unknown id raises the core's not-found."""
        return BatchInfo.of(self._lookup(batch_id, self.service.view))

    def records(self) -> list[Batch]:
        return self.service.all_batches()

    def _lookup(self, batch_id: str, action: Callable[[str], View]) -> View:
        """`action` on the batch `batch_id` names: the core id, or the SDK's form of it."""
        if not self.service.has_batch(batch_id):
            for core_id in native.id_forms(batch_id)[1:]:
                if self.service.has_batch(core_id):
                    return action(core_id)
        return action(batch_id)

    @property
    def requests(self) -> list[JournalEntry]:
        return self.service.journal.entries()

    @property
    def faults(self) -> FaultBook:
        return self.service.faults

    def verdict(self, ignore: Iterable[str] = ()) -> list[Finding]:
        """What the client did that a careful one would not (`emulator.core.verdict`): an
        unread error file, a tight polling loop, an early retry... Empty for a careful client.
        `ignore` silences rules by name."""
        from emulator.core.verdict import judge

        views = [self.service.view(b.id) for b in self.service.all_batches()]
        return judge(views, self.requests, self.service.profiles, ignore)

    def add_fault(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> str:
        """Add a fault rule: a value (`HttpFault(...)`), its JSON form, or keyword fields."""
        return self.service.faults.add(fault, **fields)

    @contextmanager
    def fault(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> Iterator[str]:
        """A fault rule that is live only inside the `with` block."""
        with self.service.faults.using(fault, **fields) as rule:
            yield rule

    def respond_with(
        self,
        function: ResponderFn | None = None,
        *,
        canned: str | Path | None = None,
        echo: bool = False,
    ) -> None:
        """Choose where succeeded bodies come from (see emulator.core.responders).

        A canned directory is read and checked now, so a malformed file fails here, at
        configuration, not in the middle of a test.
        """
        self.configure(
            responder=function,
            canned_responses=None if canned is None else str(canned),
            echo=echo,
        )

    def transition(self, batch_id: str, to: BatchState | str) -> BatchInfo:
        """Force a batch into a core state (`to` as in `BatchState`; a typo lists them)."""
        if to not in {s.value for s in BatchState}:  # a StrEnum member is its value too
            valid = ", ".join(s.value for s in BatchState)
            raise ValueError(f"unknown batch state {to!r}; valid states: {valid}")
        target = BatchState(to)
        return BatchInfo.of(self._lookup(batch_id, lambda b: self.service.transition(b, target)))

    def step(self, batch_id: str) -> BatchInfo:
        """Move one batch one phase on, whatever its timing policy."""
        return BatchInfo.of(self._lookup(batch_id, self.service.advance_batch))


__all__ = ["Emulator", "ManualClock", "SystemClock"]
