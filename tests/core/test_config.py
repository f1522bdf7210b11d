"""Timing grammar and EmulatorConfig strictness.

The grammar under test is the documented one (`immediate | timed | manual | polls:N |
script:s1,s2,...`, README/CLI help); the oracle below is written from that, not from the parser.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import assume, given, settings, strategies as st
from pydantic import ValidationError

from emulator.config import EmulatorConfig, Timing, describe_error
from emulator.core.states import BatchState

STATES = [s.value for s in BatchState]
WORDS = ["immediate", "timed", "manual", "polls", "script"]


def documented(spec: str) -> Timing | None:
    """What the documented grammar says `spec` means; None when it is not a valid spec."""
    text = spec.strip()
    if text in ("immediate", "timed", "manual"):
        return Timing(policy=text)  # type: ignore[arg-type]
    if m := re.fullmatch(r"polls:([0-9]+)", text, flags=re.ASCII):
        return Timing(policy="polls", polls=int(m[1])) if int(m[1]) >= 1 else None
    if text.startswith("script:"):
        parts = [p.strip() for p in text.removeprefix("script:").split(",")]
        if all(p in STATES for p in parts):
            return Timing(policy="script", script=tuple(BatchState(p) for p in parts))
    return None


valid_specs = st.one_of(
    st.sampled_from(["immediate", "timed", "manual"]),
    st.integers(1, 10_000).map(lambda n: f"polls:{n}"),
    st.lists(st.sampled_from(STATES), min_size=1, max_size=5).map(
        lambda xs: "script:" + ",".join(xs)
    ),
).flatmap(lambda s: st.sampled_from([s, f" {s} ", f"{s}\n"]))

near_misses = st.one_of(
    st.text(max_size=20),
    st.tuples(st.sampled_from(WORDS), st.sampled_from([":", "", "="]), st.text(max_size=8)).map(
        "".join
    ),
    st.sampled_from(
        [
            "polls",
            "polls:",
            "polls:0",
            "polls:-1",
            "polls:+3",
            "polls:3.0",
            "polls:1_0",
            "polls:\u0663",  # ARABIC-INDIC DIGIT THREE: int() accepts it, the grammar does not
            "timed:5",
            "manual:x",
            "immediate:",
            "script:",
            "script:done",
            "script:in_progress,,completed",
            "Timed",
            "IMMEDIATE",
        ]
    ),
)


@settings(max_examples=100)
@given(valid_specs)
def test_valid_specs_parse_to_what_the_grammar_says(spec: str) -> None:
    expected = documented(spec)
    assert expected is not None
    assert Timing.parse(spec) == expected
    assert EmulatorConfig(timing=spec).timing == expected


@settings(max_examples=100)
@given(near_misses)
def test_anything_else_is_rejected_naming_the_valid_forms(spec: str) -> None:
    assume(documented(spec) is None)
    with pytest.raises(ValueError, match=r"immediate, timed, manual, polls:N|states:"):
        Timing.parse(spec)
    with pytest.raises(ValidationError) as bad:
        EmulatorConfig(timing=spec)
    assert describe_error(bad.value).startswith("timing:")


def test_immediate_never_waits_for_a_cancel_however_spelled() -> None:
    assert Timing.parse("immediate").cancel_delay == 0
    assert Timing.parse({"policy": "immediate"}).cancel_delay == 0
    assert EmulatorConfig(timing={"policy": "immediate"}).timing.cancel_delay == 0
    assert Timing.parse({"policy": "immediate", "cancel_delay": 2}).cancel_delay == 2
    assert Timing.parse("timed").cancel_delay == Timing().cancel_delay


def test_script_policy_needs_states() -> None:
    with pytest.raises(ValidationError):
        Timing(policy="script")


@pytest.mark.parametrize(
    ("field", "value"),
    [("validating", -1), ("per_request", -0.1), ("polls", 0), ("cancel_delay", -1)],
)
def test_timing_rejects_negative_durations(field: str, value: float) -> None:
    with pytest.raises(ValidationError):
        Timing.model_validate({field: value})


keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=15)


@settings(max_examples=50)
@given(keys)
def test_unknown_key_is_an_error_naming_every_valid_option(key: str) -> None:
    assume(key not in EmulatorConfig.model_fields)
    with pytest.raises(ValidationError) as exc:
        EmulatorConfig.model_validate({key: 1})
    message = describe_error(exc.value)
    assert message.startswith(f"{key}: ")
    for name in ("seed", "timing", "scenario", "max_file_bytes", "incremental_counts"):
        assert name in message
    with pytest.raises(ValidationError):
        EmulatorConfig().merged(**{key: 1})


def test_unknown_timing_key_names_the_timing_options() -> None:
    with pytest.raises(ValidationError) as exc:
        EmulatorConfig(timing={"validatng": 1})
    message = describe_error(exc.value)
    assert message.startswith("timing.validatng: ")
    for name in ("validating", "in_progress", "finalizing", "per_request", "cancel_delay"):
        assert name in message
    assert "max_file_bytes" not in message


def test_unknown_scenario_fails_at_configure_time() -> None:
    with pytest.raises(ValidationError) as exc:
        EmulatorConfig(scenario="explode")
    assert "stall" in describe_error(exc.value)
    assert EmulatorConfig(scenario="errors:0.25").scenario == "errors:0.25"


def test_config_is_frozen() -> None:
    config = EmulatorConfig()
    with pytest.raises(ValidationError):
        config.seed = 3  # type: ignore[misc]


changes = st.fixed_dictionaries(
    {},
    optional={
        "seed": st.integers(0, 2**32),
        "timing": valid_specs,
        "scenario": st.sampled_from([None, "stall", "errors:0.5"]),
        "max_batch_requests": st.integers(1, 100_000),
        "incremental_counts": st.booleans(),
        "shuffle_results": st.booleans(),
    },
)


def expected_value(key: str, value: Any) -> Any:
    return documented(value) if key == "timing" else value


@settings(max_examples=100)
@given(changes, changes)
def test_merged_later_changes_win_and_the_rest_is_kept(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    base = EmulatorConfig(seed=7, max_file_bytes=1234)
    one = base.merged(**first)
    two = one.merged(**second)
    for name in EmulatorConfig.model_fields:
        if name in second:
            want = expected_value(name, second[name])
        elif name in first:
            want = expected_value(name, first[name])
        else:
            want = getattr(base, name)
        assert getattr(two, name) == want, name
    assert base == EmulatorConfig(seed=7, max_file_bytes=1234)  # merged never mutates
    assert base.merged() == base
