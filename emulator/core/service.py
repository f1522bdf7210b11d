"""BatchService: the only API the dialects call. Owns the store, the clock and the seed.

One re-entrant lock guards every read and write, because the server thread and the test thread
touch the same emulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from emulator.clock import Clock
from emulator.config import EmulatorConfig
from emulator.core import planning, scenario as scenarios, tenancy, timeline
from emulator.core.batch import Batch, Item, ItemError, LineError, View
from emulator.core.errors import (
    EmulatorError,
    ErrorKind,
    Reason,
    batch_not_found,
    refused_in_state,
)
from emulator.core.faults import FaultBook
from emulator.core.files import StoredFile
from emulator.core.filestore import FilesMixin
from emulator.core.ids import IdSource, rng_for
from emulator.core.idshapes import shaped
from emulator.core.journal import Journal, note, note_object
from emulator.core.object_records import DERIVED
from emulator.core.objects import ObjectStore
from emulator.core.outputs import DAY, ItemResult, ResultsMixin
from emulator.core.persist import NULL, Record, Sink
from emulator.core.persist.codec import ITEMS_CODEC, batch_header, batch_items, file_print
from emulator.core.profile import FileRenderer, Profile, by_name, neutral
from emulator.core.responders import responders_for
from emulator.core.states import ALLOWED, TERMINAL, BatchState, Outcome
from emulator.core.work import WorkMixin

POLL_DRIVEN = ("polls", "script")  # policies whose plan a read can change

SCENARIO_ERROR = ItemError(
    500, "server_error", "The server had an error while processing your request."
)


@dataclass(frozen=True)
class NewBatch:
    """Everything a dialect knows about a batch it is asked to create, in neutral terms."""

    dialect: str
    endpoint: str
    items: list[Item]
    provider: str = ""
    model: str | None = None
    errors: list[LineError] = field(default_factory=list)
    metadata: dict[str, str] | None = None
    input_file_id: str | None = None
    scenario: str | None = None
    timing: str | None = None  # per-batch timing spec (`x-emulator-timing`), else the config's
    expires_after: float = DAY
    id_prefix: str = "batch_"
    extra: dict[str, Any] = field(default_factory=dict)


class BatchService(FilesMixin, ResultsMixin, WorkMixin):
    """The provider-neutral core: owns every batch and file, and what each state causes.

    `profiles` say what differs per provider (result files, cancel, delete, order, operation
    names); the core applies them the same way whichever door a call comes through.
    """

    def __init__(
        self, config: EmulatorConfig, clock: Clock, profiles: Iterable[Profile] = ()
    ) -> None:
        self.config = config
        self.clock = clock
        self.profiles = by_name(profiles)
        self.ids = IdSource(config.seed)
        self.faults = FaultBook(seed=config.seed, profiles=self.profiles)
        self.faults.load(config.faults)
        self.journal = Journal()
        self.sink: Sink = NULL  # a state file's store once `serve --state` attaches one
        # Other owners of state (an object store, say) restore their own record kinds:
        # kind -> a function given that kind's records at start; they write through `sink`.
        self.restorers: dict[str, Callable[[list[Record]], None]] = {}
        self._gone: set[str] = set()  # deleted result files, not to be rendered again
        self._file_prints: dict[str, str] = {}
        self._lock = threading.RLock()
        self._batches: dict[str, Batch] = {}
        self._files: dict[str, StoredFile] = {}
        self._results: dict[str, list[ItemResult]] = {}
        self._replies: dict[str, dict[int, dict[str, Any]]] = {}
        self._usage: dict[str, tuple[int, int]] = {}
        self._unsettled: dict[str, Batch] = {}  # batches whose result files may still be due
        self.responders = responders_for(config)
        self.objects = ObjectStore(config.max_file_bytes)  # S3 and GCS speak this one store
        self.restorers.update(self.objects.restorers())
        self.restorers[DERIVED] = self._restore_outputs

    def per_item_work(self) -> bool:
        """Whether a create does work per item (item rules, responders): it then runs off
        the event loop whatever its size (300 item rules on 200 lines was 2 s of CPU)."""
        return self.faults.has_item_rules() or self.responders.active

    def profile(self, dialect: str) -> Profile:
        return self.profiles.get(dialect) or neutral(dialect)

    # -- lifecycle of the emulator itself -------------------------------------------------
    def reset(
        self,
        config: EmulatorConfig | None = None,
        *,
        seed: int | None = None,
        namespace: str | None = None,
    ) -> None:
        """Forget everything. Ids carry on counting (none is ever repeated) unless `seed` or
        `namespace` is given, or the config's seed changed: then they replay from the start."""
        with self._lock:
            old_seed = self.config.seed
            self.config = config or self.config
            if seed is None and (namespace is not None or self.config.seed != old_seed):
                seed = self.config.seed  # a reseed always starts from the config's seed
            self._batches.clear()
            self._files.clear()
            self._results.clear()
            self._replies.clear()
            self._usage.clear()
            self._unsettled.clear()
            self.objects.reset()
            self.responders = responders_for(self.config)
            self.ids.reset(seed, namespace)
            self.faults.clear(self.config.seed)
            self.faults.load(self.config.faults)
            self.journal.clear()
            self.clock.reset()
            self._gone.clear()
            self._file_prints.clear()
            self.sink.clear(keep=("ids",))  # ids are never reused, even after a reset

    def restore(
        self,
        batches: list[tuple[Batch, dict[int, dict[str, Any]]]],
        files: list[StoredFile],
        gone: set[str],
    ) -> None:
        """Take back what a state file held. Result files are rendered again on first read
        (they derive from the seed), except those a client had deleted (`gone`)."""
        with self._lock:
            for batch, replies in batches:
                batch.files_ready = False
                self._batches[batch.id] = batch
                self._unsettled[batch.id] = batch
                if replies:
                    self._replies[batch.id] = replies
            self._files.update((f.id, f) for f in files)
            self._file_prints.update((f.id, file_print(f)) for f in files)  # as written
            self._gone.update(gone)

    def drop_tenant(self, tenant: str) -> dict[str, int]:
        """Forget one key's batches and files (a scoped reset on a shared server); other
        tenants, the clock, faults and ids are untouched."""
        # the store's lock before the state file's: its own writes take them in that order
        with self._lock, self.objects.lock, self.sink.transaction():
            batches = [k for k, b in self._batches.items() if b.extra.get(tenancy.OWNER) == tenant]
            files = [k for k, f in self._files.items() if f.extra.get(tenancy.OWNER) == tenant]
            for batch_id in batches:
                for table in (self._batches, self._unsettled, self._results, self._replies):
                    table.pop(batch_id, None)
                self.sink.delete("batch", batch_id)
                self.sink.delete("items", batch_id)
            for file_id in files:
                del self._files[file_id]
                self._forget(file_id)
            buckets = self.objects.drop_owner(tenant)
            for batch_id in batches:
                self.sink.delete(DERIVED, batch_id)
        return {"batches": len(batches), "files": len(files), "buckets": buckets}

    def _restore_outputs(self, records: list[Record]) -> None:
        """Batch outputs in object storage are rendered again from the seed at start, under
        the generations they had (so a download before and after a restart match)."""
        self.objects.restore_derived(records)
        now = self.now()
        for batch_id in self.objects.marked():
            batch = self._batches.get(batch_id)
            if batch is not None:
                self._settled(self._observe(batch, now))

    def configure(self, config: EmulatorConfig) -> None:
        responders = responders_for(config)  # a bad canned directory fails before any change
        with self._lock:
            self.responders = responders
            if config.seed != self.config.seed:
                self.ids.reset(config.seed)
                self.faults.seed = config.seed
            if config.faults != self.config.faults:  # configure(faults=...) replaces every rule
                self.faults.clear()
                self.faults.load(config.faults)
            self.config = config

    def now(self) -> float:
        return self.clock.now()

    # -- batches --------------------------------------------------------------------------
    def create_batch(self, spec: NewBatch) -> View:
        chosen = scenarios.parse(spec.scenario or self.config.scenario)
        timing = self.config.timing if spec.timing is None else planning.parse_timing(spec.timing)
        # The per-item work (faults, responders, prefix sums) runs outside the lock: a
        # 100,000-item create on a worker thread must not stall every other reader on it.
        batch_id = shaped(spec.id_prefix, self.ids.raw("batch", 36))  # recorded shapes
        shape = self.profile(spec.dialect).batch_id  # a provider with its own id form
        batch_id = shape(batch_id) if shape is not None else batch_id
        items = self._plan_items(batch_id, spec, chosen)
        fault = self.faults.batch_fault(spec.dialect, spec.endpoint)
        errors = planning.validation_errors(spec.errors, chosen, fault)
        if fault is not None and fault.cancel_delay is not None:
            timing = timing.model_copy(update={"cancel_delay": fault.cancel_delay})
        name = "stall" if fault is not None and fault.stall else chosen.name
        order = list(range(len(items)))
        rng_for(self.config.seed, "order", batch_id).shuffle(order)
        now = self.now()
        plan = planning.initial_plan(
            timing, now, spec.expires_after, len(items), name, bool(errors)
        )
        if fault is not None and fault.expire_at_progress is not None:
            planning.expire_at(plan, fault.expire_at_progress)
        batch = Batch(
            id=batch_id,
            dialect=spec.dialect,
            provider=spec.provider or spec.dialect,
            endpoint=spec.endpoint,
            model=spec.model,
            items=items,  # kept when validation fails: View reports none done
            plan=plan,
            timing=timing,
            order=order,
            errors=errors,
            metadata=spec.metadata,
            input_file_id=spec.input_file_id,
            extra=dict(spec.extra),
        )
        if chosen.name == "late_results":
            batch.extra["late_results"] = chosen.delay
        if fault is not None and fault.cancel_error_while_validating:
            batch.extra["cancel_error_while_validating"] = True
        tenancy.stamp(batch.extra)
        self._save_new(batch)
        with self._lock:
            self._batches[batch_id] = batch
            self._unsettled[batch_id] = batch
        created = timeline.moment(plan, plan.created_at - 1e-6)
        note(batch_id, created.state.value)
        return View(batch, now, created, as_created=True)

    def _save_new(self, batch: Batch) -> None:
        """Items and header in one transaction, before anyone can see the batch."""
        if self.sink.active:
            with self._lock:
                replies = self._replies.get(batch.id)
            items = batch_items(batch, replies)  # encoded outside the lock: big batches
            with self.sink.transaction():
                self.sink.put("items", batch.id, {"codec": ITEMS_CODEC}, items)
                self.sink.put("batch", batch.id, batch_header(batch))

    def _keep(self, batch: Batch) -> None:
        """Write a changed batch header through to the state file (no-op in memory)."""
        if self.sink.active:
            self.sink.put("batch", batch.id, batch_header(batch))

    def _plan_items(self, batch_id: str, spec: NewBatch, chosen: scenarios.Scenario) -> list[Item]:
        items = spec.items
        if not (chosen.name == "errors" or self.responders.active or self.faults.has_item_rules()):
            return items  # nothing can change an item: no per-item pass (100,000 of them)
        failing: set[int] = set()
        if chosen.name == "errors" and items:
            count = round(chosen.error_fraction * len(items))
            rng = rng_for(self.config.seed, "errors", batch_id)
            failing = set(rng.sample(range(len(items)), count))
        planned = []
        replies: dict[int, dict[str, Any]] = {}
        for index, given in enumerate(items):
            item = self._faulted(batch_id, spec, given)
            error, settled = item.error, item.outcome is not None
            if error is None and not settled and index in failing:
                error = SCENARIO_ERROR
            if error is None and not settled and self.responders.active:
                reply = self.responders.reply(spec.endpoint, item.body, item.custom_id)
                if isinstance(reply, ItemError):
                    error = reply
                elif reply is not None:
                    replies[index] = reply
            planned.append(Item(item.custom_id, item.body, error, item.outcome))
        if replies:
            with self._lock:
                self._replies[batch_id] = replies
        return planned

    def _faulted(self, batch_id: str, spec: NewBatch, item: Item) -> Item:
        """The item as an item fault plans it (an error found in the input line wins)."""
        if item.error is not None:
            return item
        plan = self.faults.plan_item(
            batch_id, item.custom_id, item.body, dialect=spec.dialect, endpoint=spec.endpoint
        )
        if plan is None:
            return item
        outcome = None if plan.outcome == "errored" else Outcome(plan.outcome)
        return Item(item.custom_id, item.body, plan.error, outcome)

    def _find(self, batch_id: str, dialects: set[str] | None) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None or (dialects is not None and batch.dialect not in dialects):
            raise batch_not_found(batch_id)
        if not tenancy.visible(batch.extra):  # another key's batch: the provider's not-found
            raise batch_not_found(batch_id)
        return batch

    def _observe(self, batch: Batch, now: float) -> View:
        """The batch as of `now` (under the lock); `_settled` then does what it causes."""
        return View(batch, now, timeline.moment(batch.plan, now))

    def _settled(self, view: View) -> View:
        """`view`, its result files made first if it has just finished.

        Called with the service lock released: rendering a big batch's files takes up to a
        second, and every other reader needs the lock meanwhile. Concurrent observers of the
        same batch wait for one render (`WorkMixin.once`) instead of repeating it.
        """
        batch = view.batch
        if not batch.files_ready and view.state in TERMINAL:
            # the files belong to the batch's tenant, whoever's read made them
            with self.once(batch.id), tenancy.acting_as(batch.extra.get(tenancy.OWNER)):
                self.settle_files(view, self.profile(batch.dialect))
            with self._lock:
                self._unsettled.pop(batch.id, None)
                self._keep(batch)
        return view

    def settle_due(self) -> None:
        with self._lock:
            now = self.now()
            due = [self._observe(batch, now) for batch in list(self._unsettled.values())]
        for view in due:
            self._settled(view)

    def view(self, batch_id: str, dialects: set[str] | None = None) -> View:
        with self._lock:
            view = self._seen(self._find(batch_id, dialects), self.now())
        return self._settled(view)

    def _seen(self, batch: Batch, now: float) -> View:
        """`_observe` for a call about this batch, noted for the journal (the client verdict)."""
        view = self._observe(batch, now)
        note(batch.id, view.state.value)
        return view

    def peek(self, batch_id: str) -> View:
        """The batch as of now for a bystander (the serve log): no poll counted, no journal
        note, and no result files made, so a look costs O(1) whatever the batch's size."""
        with self._lock:
            return self._observe(self._find(batch_id, None), self.now())

    def get_batch(self, batch_id: str, dialects: set[str] | None = None) -> View:
        """A read by the client: counts as a poll for the poll-driven timing policies."""
        with self._lock:
            batch = self._find(batch_id, dialects)
            batch.polls += 1
            now = self.now()
            planning.on_poll(batch, now)
            view = self._seen(batch, now)
            if batch.timing.policy in POLL_DRIVEN:  # a poll moves only these batches
                self._keep(batch)
        return self._settled(view)

    def list_batches(self, dialects: set[str] | None = None) -> list[View]:
        """Newest first; ties (same clock instant) broken by creation order."""
        with self._lock:
            now = self.now()
            chosen = [
                b
                for b in self._batches.values()
                if (dialects is None or b.dialect in dialects) and tenancy.visible(b.extra)
            ]
            views = [self._observe(b, now) for b in reversed(chosen)]
        return [self._settled(view) for view in views]

    def cancel_batch(self, batch_id: str, dialects: set[str] | None = None) -> View:
        """Start a cancel; a provider whose cancel is instant (Gemini) ends it at once."""
        return self._settled(self._cancel(batch_id, dialects))

    def _cancel(self, batch_id: str, dialects: set[str] | None) -> View:
        with self._lock:
            batch = self._find(batch_id, dialects)
            now = self.now()
            state = timeline.moment(batch.plan, now).state
            profile = self.profile(batch.dialect)
            if state is BatchState.CANCELLING or (
                state is BatchState.CANCELLED and profile.recancel_ok
            ):
                return self._seen(batch, now)
            if state in TERMINAL:
                raise refused_in_state(Reason.NOT_CANCELLABLE, batch_id, state.value)
            if state is BatchState.VALIDATING and batch.extra.get("cancel_error_while_validating"):
                raise EmulatorError(
                    ErrorKind.SERVER,
                    "The server had an error while processing your request. Sorry about that!",
                    reason=Reason.CANCEL_FAILED,
                    facts={"batch_id": batch_id},
                )
            delay = 0.0 if profile.instant_cancel else batch.timing.cancel_delay
            timeline.cancel(batch.plan, now, delay)
            self._keep(batch)
            return self._seen(batch, now)

    def delete_batch(self, batch_id: str, dialects: set[str] | None = None) -> Batch:
        with self._lock:
            batch = self._find(batch_id, dialects)
            state = timeline.moment(batch.plan, self.now()).state
            if self.profile(batch.dialect).delete_needs_end and state not in TERMINAL:
                raise refused_in_state(Reason.NOT_DELETABLE, batch_id, state.value)
            del self._batches[batch_id]
            self._unsettled.pop(batch_id, None)
            self._results.pop(batch_id, None)
            with self.objects.lock, self.sink.transaction():  # the order the store takes them
                self.objects.keep_outputs(batch_id)  # its outputs outlive it, as in GCS
                self.sink.delete("batch", batch_id)
                self.sink.delete("items", batch_id)
            return batch

    def ended_results(
        self, batch_id: str, dialects: set[str] | None = None
    ) -> tuple[View, list[ItemResult]]:
        """A finished batch's results in its one result order; refused before it has ended."""
        with self._lock:
            view = self._seen(self._find(batch_id, dialects), self.now())
        view = self._settled(view)
        if view.state not in TERMINAL:
            raise refused_in_state(Reason.RESULTS_NOT_READY, batch_id, view.state.value)
        return view, self.ordered_results(view)

    def transition(self, batch_id: str, target: BatchState) -> View:
        with self._lock:
            batch = self._find(batch_id, None)
            now = self.now()
            state = timeline.moment(batch.plan, now).state
            if target is not state and target not in ALLOWED[state]:
                allowed = ", ".join(sorted(ALLOWED[state])) or "none (terminal)"
                raise EmulatorError(
                    ErrorKind.CONFLICT,
                    f"Cannot move batch {batch_id} from "
                    f"'{state}' to '{target}'; allowed: {allowed}.",
                )
            if target is BatchState.CANCELLING and state is not target:
                timeline.cancel(batch.plan, now, batch.timing.cancel_delay)  # a real cancel
            else:
                timeline.force(batch.plan, target, now)
            self._keep(batch)
            view = self._observe(batch, now)
        return self._settled(view)

    def advance_batch(self, batch_id: str) -> View:
        """One phase on for one batch, whatever its policy (the `manual` policy's verb)."""
        with self._lock:
            batch = self._find(batch_id, None)
            now = self.now()
            timeline.step(batch.plan, now)
            self._keep(batch)
            view = self._observe(batch, now)
        return self._settled(view)

    def has_batch(self, batch_id: str) -> bool:
        with self._lock:
            return batch_id in self._batches

    def object_read(self, bucket: str, key: str) -> None:
        """A download of `bucket/key`: if it is a batch's output, the call is noted as about
        that batch (the journal links it, and the verdict counts it as reading the results)."""
        batch_id = self.objects.made_by(bucket, key)
        with self._lock:
            batch = self._batches.get(batch_id) if batch_id else None
            if batch is not None:
                note_object(key)
                self._seen(batch, self.now())

    def all_batches(self) -> list[Batch]:
        """Every batch, its result files made if it has finished (the control plane's view)."""
        self.settle_due()
        with self._lock:
            return [b for b in self._batches.values() if tenancy.visible(b.extra)]


__all__ = [
    "DAY",
    "SCENARIO_ERROR",
    "BatchService",
    "FileRenderer",
    "ItemResult",
    "NewBatch",
    "Profile",
]
