"""Same seed + same calls => same ids, result bodies and OpenAI file bytes (DESIGN 1.5).

Each program is replayed on fresh emulators (and on a reset one); the transcripts are compared
whole. Different seeds must give different ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings, strategies as st

from emulator import ItemFault
from emulator.api import Emulator
from emulator.clock import ManualClock
from emulator.core.batch import Item
from emulator.core.errors import EmulatorError
from emulator.core.ids import IdSource, base62_id
from emulator.core.service import NewBatch
from emulator.providers.openai.results import render_files

DAY = 86_400.0


@dataclass(frozen=True)
class Op:
    kind: str  # file | batch | advance | poll | cancel | step
    n: int = 0
    text: str = ""
    scenario: str | None = None
    timing: str | None = None
    dt: float = 0.0


def body(text: str, i: int) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"{text} {i}"}]}


ops = st.one_of(
    st.builds(Op, kind=st.just("file"), text=st.text(max_size=30)),
    st.builds(
        Op,
        kind=st.just("batch"),
        n=st.integers(0, 6),
        text=st.text(max_size=10),
        scenario=st.sampled_from([None, "errors:0.5", "stall", "expire", "fail"]),
        timing=st.sampled_from([None, "immediate", "polls:1", "manual"]),
    ),
    st.builds(Op, kind=st.just("advance"), dt=st.sampled_from([0.1, 0.35, 5.0, 3600.0])),
    st.builds(Op, kind=st.sampled_from(["poll", "cancel", "step"]), n=st.integers(0, 5)),
)
programs = st.lists(ops, min_size=1, max_size=12)


def run(emu: Emulator, program: list[Op]) -> list[Any]:
    """Play the program; return everything a client could observe, in order."""
    service, out, batches = emu.service, [], []
    for op in program:
        if op.kind == "file":
            out.append(service.add_file("openai", "in.jsonl", "batch", op.text.encode()).id)
        elif op.kind == "batch":
            items = [Item(f"r{i}", body(op.text, i)) for i in range(op.n)]
            spec = NewBatch("openai", "/v1/chat/completions", items, scenario=op.scenario)
            view = service.create_batch(spec if op.timing is None else _timed(spec, op.timing))
            batches.append(view.batch.id)
            out.append(view.batch.id)
        elif op.kind == "advance":
            out.append(emu.advance(op.dt))
        elif batches:
            out.append(_touch(emu, op.kind, batches[op.n % len(batches)]))
    emu.advance(2 * DAY)
    return out + [_final(emu, batch_id) for batch_id in batches]


def _timed(spec: NewBatch, timing: str) -> NewBatch:
    return NewBatch(spec.dialect, spec.endpoint, spec.items, scenario=spec.scenario, timing=timing)


def _touch(emu: Emulator, kind: str, batch_id: str) -> Any:
    call = {
        "poll": emu.service.get_batch,
        "cancel": emu.service.cancel_batch,
        "step": emu.step,
    }[kind]
    try:
        view = call(batch_id)
    except EmulatorError as exc:
        return (kind, exc.kind, exc.message)
    return (kind, view.state, view.counts)


def _final(emu: Emulator, batch_id: str) -> Any:
    service = emu.service
    view = service.view(batch_id)
    results = service.results(view)
    rendered = render_files(view, results)
    batch = view.batch  # the core made its files when the view observed it finished
    files = [
        (file_id, service.get_file(file_id).data)
        for file_id in (batch.output_file_id, batch.error_file_id)
        if file_id is not None
    ]
    return (view.state, view.counts, view.moment, results, rendered, files)


def fresh(seed: int) -> Emulator:
    emu = Emulator(clock=ManualClock(), seed=seed, timing="timed")
    emu.add_fault(ItemFault(rate=0.3, status=429, error_type="rate_limit_error"))
    return emu


@settings(max_examples=40)
@given(programs, st.integers(0, 2**31))
def test_same_seed_same_calls_same_bytes(program: list[Op], seed: int) -> None:
    first = run(fresh(seed), program)
    assert run(fresh(seed), program) == first
    again = fresh(seed)
    run(again, program)
    again.reset(seed=seed)  # an explicit reseed replays exactly
    again.add_fault(ItemFault(rate=0.3, status=429, error_type="rate_limit_error"))
    assert run(again, program) == first


@settings(max_examples=20)
@given(st.integers(0, 2**31), st.integers(1, 4))
def test_a_plain_reset_never_repeats_an_id(seed: int, resets: int) -> None:
    """Real ids are never reused, and clients key durable state on them (issue 12, item 3)."""
    program = [Op("file", text="x"), Op("batch", n=1), Op("batch", n=0)]
    emu, seen = fresh(seed), []
    for _ in range(resets + 1):
        seen += run(emu, program)[:3]
        emu.reset()
    assert len(seen) == len(set(seen))


def test_a_namespace_gives_its_own_reproducible_ids() -> None:
    program = [Op("file", text="x"), Op("batch", n=1)]
    emu = fresh(3)
    emu.reset(namespace="tests/a.py::test_one")
    one = run(emu, program)[:2]
    emu.reset(namespace="tests/a.py::test_two")
    two = run(emu, program)[:2]
    emu.reset(namespace="tests/a.py::test_one")
    assert run(emu, program)[:2] == one
    assert set(one).isdisjoint(two)


@settings(max_examples=30)
@given(st.integers(0, 2**31), st.integers(1, 2**31))
def test_another_seed_gives_other_ids(seed: int, delta: int) -> None:
    program = [Op("file", text="x"), Op("batch", n=3, text="q"), Op("batch", n=1)]
    one, two = run(fresh(seed), program), run(fresh(seed + delta), program)
    for a, b in zip(one[:3], two[:3], strict=True):
        assert a != b  # the file id and both batch ids
    files_one = [f[0] for f in one[3][5]]
    files_two = [f[0] for f in two[3][5]]
    assert files_one and set(files_one).isdisjoint(files_two)
    line_ids_one = {r.line_id for r in one[3][3]}
    assert line_ids_one.isdisjoint({r.line_id for r in two[3][3]})


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**63),
    namespace=st.text(max_size=12),
    calls=st.lists(
        st.one_of(
            st.sampled_from(["request", "batch", "file", "bätch\x1f"]),
            st.tuples(st.none() | st.integers(0, 9), st.none() | st.text(max_size=5)),
        ),
        max_size=25,
    ),
)
def test_counted_ids_are_the_seeded_digest_of_their_key(
    seed: int, namespace: str, calls: list[Any]
) -> None:
    """IdSource keeps a hash state per kind for speed; every id must still be exactly the
    digest of (seed, namespace, kind, n), across reseeds and namespace changes."""
    source = IdSource(seed, namespace)
    counts: dict[str, int] = {}
    for call in calls:
        if isinstance(call, tuple):
            new_seed, new_ns = call
            source.reset(seed=new_seed, namespace=new_ns)
            if new_seed is not None or new_ns is not None:
                counts.clear()
                seed = seed if new_seed is None else new_seed
                namespace = namespace if new_ns is None else new_ns
            continue
        counts[call] = counts.get(call, 0) + 1
        assert source.next(call) == base62_id(seed, namespace, call, counts[call])
