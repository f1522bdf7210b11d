"""A rule-based machine drives an Emulator through its Python API and service, against a model.

The model is an event-driven reading of DESIGN section 3 (phases with durations, polls, manual
steps, cancel with a delay, forced moves along the allowed edges, expiry under every policy),
kept deliberately separate from the instant-based timeline the code uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from emulator.api import Emulator
from emulator.clock import ManualClock
from emulator.config import Timing
from emulator.core.batch import Item, ItemError
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.service import ItemResult, NewBatch
from emulator.core.states import TERMINAL, BatchState, Outcome
from tests.core.plans import LEGAL, RANK

START = 1_767_225_600.0
DAY = 86_400.0
ERR = ItemError(400, "invalid_request_error", "planned failure")
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
# Tie-break for events at the same instant: finishing on time is not expiring.
END_ORDER = [BatchState.FAILED, BatchState.COMPLETED, BatchState.CANCELLED, BatchState.EXPIRED]


@dataclass
class Model:
    id: str
    n: int
    errors: frozenset[str]
    timing: Timing
    expires: float
    stalled: bool
    fails: bool
    state: BatchState = BatchState.VALIDATING
    pending: list[tuple[float, BatchState]] = field(default_factory=list)
    polls: int = 0
    frozen_done: int | None = None  # done count fixed by a cancel or forced end
    seen: tuple[int, int] = (0, 0)  # highest (succeeded, errored) observed
    final: tuple[object, ...] | None = None  # (state, ended_at, results) once terminal

    def plan(self, now: float) -> None:
        """The phase instants a timed/immediate batch is created with."""
        t = self.timing
        if t.policy not in ("timed", "immediate"):
            return
        fast = t.policy == "immediate"
        ready = now if fast else now + t.validating
        if self.fails:
            self.pending = [(ready, BatchState.FAILED)]
            return
        self.pending = [(ready, BatchState.IN_PROGRESS)]
        if self.stalled:
            return
        done = ready + (0.0 if fast else t.in_progress + t.per_request * self.n)
        end = done if fast else done + t.finalizing
        self.pending += [(done, BatchState.FINALIZING), (end, BatchState.COMPLETED)]

    def settle(self, now: float) -> None:
        while self.state not in TERMINAL:
            due = [(at, s) for at, s in self.pending if at <= now and RANK[s] > RANK[self.state]]
            if self.expires <= now:
                due.append((self.expires, BatchState.EXPIRED))
            if not due:
                return
            self.state = min(due, key=_event_key)[1]

    def step(self) -> None:
        s = self.state
        if s is BatchState.VALIDATING:
            self.state = BatchState.FAILED if self.fails else BatchState.IN_PROGRESS
        elif s is BatchState.IN_PROGRESS and not self.stalled:
            self.state = BatchState.FINALIZING
        elif s is BatchState.FINALIZING:
            self.state = BatchState.COMPLETED
        elif s is BatchState.CANCELLING:
            self.state = BatchState.CANCELLED

    def cancel(self, now: float) -> None:
        self.state = BatchState.CANCELLING
        delay = self.timing.cancel_delay
        self.pending = [] if delay is None else [(now + delay, BatchState.CANCELLED)]
        self.settle(now)


def _event_key(event: tuple[float, BatchState]) -> tuple[float, int, int]:
    at, state = event
    terminal = state in TERMINAL
    return (at, 0 if terminal else 1, END_ORDER.index(state) if terminal else 0)


timing_specs = st.sampled_from([None, "immediate", "timed", "manual", "polls:1", "polls:2"])
base_timings = st.builds(
    Timing,
    policy=st.sampled_from(["timed", "manual", "polls"]),
    validating=st.sampled_from([0.0, 0.2, 1.0]),
    in_progress=st.sampled_from([0.0, 0.3, 2.0]),
    finalizing=st.sampled_from([0.0, 0.1]),
    per_request=st.sampled_from([0.0, 0.005, 0.5]),
    polls=st.integers(1, 3),
    cancel_delay=st.sampled_from([None, 0.0, 0.1, 1.0]),
)
gaps = st.one_of(
    st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.3, 0.5]),
    st.floats(0.0, 5.0),
    st.sampled_from([30.0, 3600.0]),
)


class EmulatorMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.emu: Emulator | None = None
        self.now = START
        self.models: list[Model] = []

    @initialize(timing=base_timings, seed=st.integers(0, 3))
    def start(self, timing: Timing, seed: int) -> None:
        self.emu = Emulator(clock=ManualClock(START), timing=timing, seed=seed)

    @property
    def e(self) -> Emulator:
        assert self.emu is not None
        return self.emu

    def pick(self, index: int) -> Model:
        model = self.models[index % len(self.models)]
        model.settle(self.now)
        return model

    @precondition(lambda self: len(self.models) < 5)
    @rule(
        n=st.integers(0, 8),
        failing=st.sets(st.integers(0, 7)),
        spec=timing_specs,
        scenario=st.sampled_from([None, None, "stall", "fail"]),
        expires_after=st.sampled_from([30.0, 120.0, DAY]),
    )
    def create(
        self,
        n: int,
        failing: set[int],
        spec: str | None,
        scenario: str | None,
        expires_after: float,
    ) -> None:
        given = [Item(f"c{i}", BODY, ERR if i in failing else None) for i in range(n)]
        view = self.e.service.create_batch(
            NewBatch(
                dialect="openai",
                endpoint="/v1/chat/completions",
                items=given,
                scenario=scenario,
                timing=spec,
                expires_after=expires_after,
            )
        )
        assert view.state is BatchState.VALIDATING and view.as_created
        timing = self.e.config.timing if spec is None else Timing.parse(spec)
        # A batch that will fail validation still holds its n items while validating (nothing
        # tells the client yet); once FAILED its counts are all zero (checked in `check`).
        errors = frozenset(i.custom_id for i in given if i.error is not None)
        model = Model(
            view.batch.id,
            n,
            errors,
            timing,
            self.now + expires_after,
            stalled=scenario == "stall",
            fails=scenario == "fail",
        )
        model.plan(self.now)
        self.models.append(model)

    @rule(dt=gaps)
    def advance(self, dt: float) -> None:
        self.now = self.e.advance(dt)

    @precondition(lambda self: self.models)
    @rule(index=st.integers(0, 4))
    def poll(self, index: int) -> None:
        model = self.pick(index)
        model.polls += 1
        if model.timing.policy == "polls" and model.polls % model.timing.polls == 0:
            model.step()
        assert self.e.service.get_batch(model.id).state is model.state

    @precondition(lambda self: self.models)
    @rule(index=st.integers(0, 4))
    def step(self, index: int) -> None:
        model = self.pick(index)
        model.step()
        assert self.e.step(model.id).state is model.state

    @precondition(lambda self: self.models)
    @rule(index=st.integers(0, 4))
    def cancel(self, index: int) -> None:
        model = self.pick(index)
        before = self.e.service.view(model.id).done
        if model.state in TERMINAL - {BatchState.CANCELLED}:
            self.expect_conflict(lambda: self.e.service.cancel_batch(model.id))
            return
        if model.state not in (BatchState.CANCELLING, BatchState.CANCELLED):
            model.cancel(self.now)
            model.frozen_done = before
        assert self.e.service.cancel_batch(model.id).state is model.state

    @precondition(lambda self: self.models)
    @rule(index=st.integers(0, 4), goal=st.sampled_from(list(BatchState)))
    def force(self, index: int, goal: BatchState) -> None:
        model, target = self.pick(index), goal
        before = self.e.service.view(model.id).done
        if target is not model.state and target not in LEGAL[model.state]:
            self.expect_conflict(lambda: self.e.service.transition(model.id, target))
            return
        if target is BatchState.CANCELLING and model.state is not target:
            model.cancel(self.now)  # a forced cancel runs like a real one, delay included
            model.frozen_done = before
        elif target is not model.state:
            model.pending = []
            model.state = target
            if target in (BatchState.CANCELLING, BatchState.CANCELLED, BatchState.EXPIRED):
                model.frozen_done = before
        assert self.e.service.transition(model.id, target).state is model.state

    def expect_conflict(self, call: object) -> None:
        assert callable(call)
        try:
            call()
        except EmulatorError as exc:
            assert exc.kind is ErrorKind.CONFLICT and exc.status == 409
        else:
            raise AssertionError("an illegal move was accepted")

    @invariant()
    def every_batch_matches_the_model(self) -> None:
        if self.emu is None:
            return
        for model in self.models:
            model.settle(self.now)
            self.check(model)

    def check(self, model: Model) -> None:
        view = self.e.service.view(model.id)
        assert view.state is model.state, (model, view.moment)
        c = view.counts
        assert c.total == c.processing + c.succeeded + c.errored + c.canceled + c.expired
        assert c.total == (0 if model.state is BatchState.FAILED else model.n)
        assert c.succeeded >= model.seen[0] and c.errored >= model.seen[1]
        model.seen = (c.succeeded, c.errored)
        assert c.errored <= len(model.errors) and c.succeeded <= model.n - len(model.errors)
        finished = c.succeeded + c.errored + c.canceled + c.expired
        assert len(view.outcomes()) == finished
        self.check_phase(model, view.done, c.canceled + c.expired)
        results = self.e.service.results(view)
        self.check_results(model, results, finished)
        if model.state in TERMINAL:
            snapshot = (view.state, view.moment.ended_at, [*results])
            if model.final is None:
                model.final = snapshot
            assert snapshot == model.final
            assert self.e.service.results(view) == results

    def check_phase(self, model: Model, done: int, leftover: int) -> None:
        state = model.state
        if state is BatchState.VALIDATING:
            assert done == 0
        elif state in (BatchState.FINALIZING, BatchState.COMPLETED):
            assert done == model.n and leftover == 0
        elif model.frozen_done is not None and state is not BatchState.FAILED:
            assert done == model.frozen_done
        if state in (BatchState.CANCELLED, BatchState.EXPIRED):
            assert done + leftover == model.n

    def check_results(self, model: Model, results: list[ItemResult], finished: int) -> None:
        assert len(results) == finished
        ids = [r.custom_id for r in results]
        assert len(ids) == len(set(ids))
        for r in results:
            if r.outcome is Outcome.SUCCEEDED:
                assert r.custom_id not in model.errors and r.body is not None
            elif r.outcome is Outcome.ERRORED:
                assert r.custom_id in model.errors and r.error == ERR


EmulatorMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25)
TestEmulatorMachine = EmulatorMachine.TestCase
