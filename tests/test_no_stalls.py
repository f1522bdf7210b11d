"""Fault rules, the verdict and the dashboard never hold up another client (issue 23, 4 and 5).

Two kinds of test. The rule limit is behaviour: past the documented 256 live rules, a rule is
refused with the control plane's own 400 or the Python API's `FaultError`, and nothing of the
refused request is kept. The rest use a gate, as tests/test_offload.py does: the work under test
(matching items against item rules, a path against a costly regex, judging the verdict) is held
at a gate while another client asks `/_emulator/health`; the gate opens only once that answer is
in. Were the work on the event loop, health could not be answered until the gate gave up, and
`waited_out` says so. Ordering only; nothing here measures time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings, strategies as st
from openai import OpenAI

from emulator.core import verdict
from emulator.core.fault_rules import FaultError, HttpFault, ItemFault
from emulator.core.faults import FaultBook
from emulator.handle import EmulatorHandle
from tests.test_offload import GIVE_UP, Gate, create, in_background, lines

LIMIT = 256  # docs/faults.md: "at most 256 fault rules are live at once"


def control(handle: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=f"{handle.url}/_emulator", timeout=GIVE_UP * 2)


def rule(n: int) -> dict[str, Any]:
    return {"kind": "http", "status": 503, "operation": "batches.retrieve", "after": 1_000 + n}


def test_the_rule_past_the_limit_is_a_400_in_the_control_plane_s_form(
    batch_emulator: EmulatorHandle,
) -> None:
    with control(batch_emulator) as ctl:
        assert ctl.post("/faults", json=[rule(n) for n in range(LIMIT)]).status_code == 201
        refused = ctl.post("/faults", json=rule(LIMIT))
        assert refused.status_code == 400
        error = refused.json()["error"]
        assert error["status"] == 400 and f"at most {LIMIT}" in error["message"]
        assert len(ctl.get("/faults").json()["data"]) == LIMIT
        assert ctl.delete("/faults").status_code == 200
        assert ctl.post("/faults", json=rule(0)).status_code == 201  # room again


def test_a_list_past_the_limit_is_refused_whole(batch_emulator: EmulatorHandle) -> None:
    with control(batch_emulator) as ctl:
        assert ctl.post("/faults", json=[rule(n) for n in range(LIMIT - 1)]).status_code == 201
        refused = ctl.post("/faults", json=[rule(0), rule(1)])
        assert refused.status_code == 400 and f"at most {LIMIT}" in refused.text
        assert len(ctl.get("/faults").json()["data"]) == LIMIT - 1


def test_a_config_past_the_limit_is_refused_over_http(batch_emulator: EmulatorHandle) -> None:
    with control(batch_emulator) as ctl:
        refused = ctl.patch("/config", json={"faults": [rule(n) for n in range(LIMIT + 1)]})
        assert refused.status_code == 400 and f"at most {LIMIT}" in refused.text
        assert ctl.get("/faults").json()["data"] == []


def test_the_python_api_raises_fault_error_past_the_limit(batch_emulator: EmulatorHandle) -> None:
    for n in range(LIMIT):
        batch_emulator.add_fault(HttpFault(status=503, operation="batches.retrieve", after=n))
    with pytest.raises(FaultError, match=f"at most {LIMIT}"):
        batch_emulator.add_fault(ItemFault(custom_id="r1"))
    with pytest.raises(ValueError, match=f"at most {LIMIT}"):
        batch_emulator.configure(faults=[rule(n) for n in range(LIMIT + 1)])
    assert len(batch_emulator.emulator.faults.describe()) == LIMIT


def test_rules_still_match_in_the_order_they_were_added() -> None:
    """The per-operation index keeps rule order across rules that name an operation and
    rules that leave it open."""
    book = FaultBook()
    book.add(HttpFault(status=500, dialect="openai", times=1))
    book.add(HttpFault(status=429, operation="batches.retrieve", times=1))
    book.add(HttpFault(status=503, times=1))
    got = [book.take_http("openai", "batches.retrieve", "GET", "/v1/batches/b", "b") for _ in "123"]
    assert [f.status if f else None for f in got] == [500, 429, 503]
    book.remove("fault_1")
    assert book.take_http("openai", "batches.retrieve", "GET", "/", None) is None


@pytest.fixture
def health(batch_emulator: EmulatorHandle) -> Iterator[Callable[[], int]]:
    """Another client's health call, on a connection of its own."""
    with control(batch_emulator) as ctl:
        yield lambda: ctl.get("/health").status_code


def answered_meanwhile(gate: Gate, call: Callable[[], Any]) -> Any:
    assert gate.entered.wait(GIVE_UP), "the work under test never reached the gate"
    try:
        return call()
    finally:
        gate.released.set()


def held(gate: Gate, work: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gate.hold()
        return work(*args, **kwargs)

    return wrapper


@pytest.mark.batch_emulator(timing="immediate")
def test_health_answers_while_a_small_create_is_matched_against_item_rules(
    batch_emulator: EmulatorHandle,
    openai_client: OpenAI,
    health: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two lines, a small body: only the item rules make this create heavy."""
    batch_emulator.add_fault(ItemFault(custom_id="r1", status=500))
    book = batch_emulator.emulator.faults
    gate = Gate()
    monkeypatch.setattr(book, "plan_item", held(gate, book.plan_item))
    worker, created = in_background(lambda: create(openai_client, lines(2)))
    assert answered_meanwhile(gate, health) == 200
    worker.join(GIVE_UP)
    assert not gate.waited_out, "health waited for the item rules to be matched"
    assert created
    done = openai_client.batches.retrieve(created[0])
    assert (done.request_counts.completed, done.request_counts.failed) == (1, 1)


def test_health_answers_while_a_costly_path_regex_is_matched(
    batch_emulator: EmulatorHandle,
    openai_client: OpenAI,
    health: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A path regex with two repeats runs on the automaton: matched off the loop."""
    batch_emulator.add_fault(HttpFault(status=429, path="(files|batches)+/(x|y)*zz"))
    gate = Gate()
    monkeypatch.setattr(HttpFault, "matches", held(gate, HttpFault.matches))
    worker, listed = in_background(lambda: openai_client.batches.list().data)
    assert answered_meanwhile(gate, health) == 200
    worker.join(GIVE_UP)
    assert not gate.waited_out, "health waited for a fault rule's regex"
    assert listed == [[]]


@pytest.mark.parametrize("path", ["/_emulator/verdict", "/_emulator/dashboard/findings"])
def test_health_answers_while_the_verdict_is_judged(
    batch_emulator: EmulatorHandle,
    openai_client: OpenAI,
    health: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    create(openai_client, lines(1))
    gate = Gate()
    monkeypatch.setattr(verdict, "judge", held(gate, verdict.judge))
    worker, answered = in_background(lambda: httpx.get(batch_emulator.url + path, timeout=60))
    assert answered_meanwhile(gate, health) == 200
    worker.join(GIVE_UP)
    assert not gate.waited_out, "health waited for the verdict"
    assert answered and answered[0].status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/_emulator/batches",
        "/_emulator/batches/{id}",
        "/_emulator/dashboard/batches",
        "/_emulator/dashboard/batches/{id}",
    ],
)
def test_health_answers_while_a_control_read_looks_at_batches(
    batch_emulator: EmulatorHandle,
    openai_client: OpenAI,
    health: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    """The first look at a finished batch renders its result files: never on the loop."""
    batch_id = create(openai_client, lines(1))
    service = batch_emulator.emulator.service
    gate = Gate()
    monkeypatch.setattr(service, "view", held(gate, service.view))
    monkeypatch.setattr(service, "list_batches", held(gate, service.list_batches))
    url = batch_emulator.url + path.format(id=batch_id)
    worker, answered = in_background(lambda: httpx.get(url, timeout=60))
    assert answered_meanwhile(gate, health) == 200
    worker.join(GIVE_UP)
    assert not gate.waited_out, "health waited for a control-plane read"
    assert answered and answered[0].status_code == 200
    assert batch_id in answered[0].text


_DIALECTS = st.sampled_from([None, "openai", "anthropic"])
_OPERATIONS = st.sampled_from([None, "batches.retrieve", "batches.create"])
_RULES = st.lists(
    st.tuples(_DIALECTS, _OPERATIONS, st.sampled_from([None, "GET", "POST"]), st.integers(0, 2)),
    max_size=12,
)
_CALLS = st.lists(
    st.tuples(
        st.sampled_from(["openai", "anthropic"]),
        st.sampled_from(["batches.retrieve", "batches.create"]),
        st.sampled_from(["GET", "POST"]),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(rules=_RULES, calls=_CALLS, removed=st.integers(0, 12))
def test_the_index_answers_as_one_pass_over_every_rule_in_order(
    rules: list[tuple[str | None, str | None, str | None, int]],
    calls: list[tuple[str, str, str]],
    removed: int,
) -> None:
    """Model: the first rule, in the order added, that names the call (or leaves a field open)
    and has passed `after` matching calls fires; every matching rule before it counts the call
    as seen. Rules are removed mid-way to exercise the index being rebuilt."""
    book = FaultBook()
    ids = [
        book.add(HttpFault(status=500, dialect=d, operation=o, method=m, after=a, times=1))
        for d, o, m, a in rules
    ]
    model = [[rule_id, *rule, 0, 0] for rule_id, rule in zip(ids, rules, strict=True)]
    for step, (dialect, operation, method) in enumerate(calls):
        if step == removed and model:
            book.remove(model.pop(0)[0])
        expected = None
        for entry in model:
            rule_id, d, o, m, after, seen, fired = entry
            if d in (None, dialect) and o in (None, operation) and m in (None, method):
                entry[5] = seen = seen + 1
                if seen > after and fired < 1:
                    entry[6] = 1
                    expected = rule_id
                    break
        found = book.match_http(dialect, operation, method, "/v1/x", None)
        assert (found[0] if found else None) == expected
