"""Fault-rule regexes: bounded in length, refused when only backtracking could run them, and
matched in linear time, so one rule cannot stall the server for every client."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from emulator.core.fault_rules import FaultError, HttpFault, ItemFault
from emulator.core.saferegex import MAX_PATTERN, compile_safe
from emulator.handle import EmulatorHandle
from tests.hardening.envelopes import OPENAI, assert_envelope

# Small regexes over a two-letter alphabet: every construct the matcher supports, and subjects
# short enough that `re` (the reference) cannot blow up on them.
atoms = st.sampled_from(
    ["a", "b", ".", "[ab]", "[^a]", r"\w", r"\d", "^", "$", r"\b", "(a|b)", "(ab|a)"]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        atom = draw(atoms)
        if atom not in ("^", "$", r"\b"):
            atom += draw(st.sampled_from(["", "*", "+", "?", "{2}", "{1,3}", "*?"]))
        parts.append(atom)
    text = "".join(parts)
    return f"({text})+" if draw(st.booleans()) and text[-1] not in "*+?}" else text


@settings(max_examples=400)
@given(pattern=patterns(), subject=st.text("ab1\n_ ", max_size=8))
def test_the_safe_matcher_agrees_with_re(pattern: str, subject: str) -> None:
    safe = compile_safe(pattern)
    assert safe.search(subject) == (re.search(pattern, subject) is not None)
    assert safe.fullmatch(subject) == (re.fullmatch(pattern, subject) is not None)


@pytest.mark.parametrize(
    "pattern,subject",
    [
        (r"(a+)+$", "a" * 4_000 + "!"),
        (r"(a|aa)*b", "a" * 4_000),
        (r"a*a*a*a*a*a*a*b", "a" * 4_000),
        (r"^(\w+\s?)*$", "word " * 800 + "!"),
    ],
)
def test_catastrophic_patterns_run_in_linear_time(pattern: str, subject: str) -> None:
    """These take Python's `re` longer than the age of the universe; here, one pass."""
    start = time.process_time()
    assert compile_safe(pattern).search(subject) is False
    assert compile_safe(pattern).fullmatch(subject) is False
    assert time.process_time() - start < 20  # generous: one pass of a few thousand steps


@pytest.mark.parametrize(
    "pattern,why",
    [
        ("a" * (MAX_PATTERN + 1), "longer than"),
        (r"(a)\1", "backreferences"),
        (r"(?=a)b", "lookarounds"),
        (r"(?<!a)b", "lookarounds"),
        (r"a++", "possessive"),
        (r"(?>a+)b", "atomic"),
        (r"((a{50}){50}){50}", "too complex"),
        (r"(", "not a valid regular expression"),
    ],
)
def test_unbounded_or_backtracking_only_patterns_are_refused(pattern: str, why: str) -> None:
    with pytest.raises(FaultError, match=why):
        HttpFault(status=500, path=pattern)
    with pytest.raises(FaultError, match=why):
        ItemFault(custom_id=pattern)


def test_a_pathological_rule_from_the_control_plane_does_not_stall_the_server(
    batch_emulator: EmulatorHandle,
) -> None:
    """The rule is accepted (it is a fine regex) and the long path it sees is matched at once."""
    with httpx.Client(base_url=batch_emulator.url, timeout=30) as http:
        rule = {"kind": "http", "status": 418, "path": r"^/v1/batches/(a+)+$"}
        assert http.post("/_emulator/faults", json=rule).status_code == 201
        hit = http.get("/v1/batches/" + "a" * 40, headers=OPENAI)
        assert hit.status_code == 418
        miss = http.get("/v1/batches/" + "a" * 3_000 + "!", headers=OPENAI)
        assert_envelope(miss, "openai")
        assert miss.status_code == 404
        refused = http.post("/_emulator/faults", json={"kind": "item", "custom_id": "(x)\\1"})
        assert "backreferences" in assert_envelope(refused, "control")["error"]["message"]
