"""Small edges that should answer the same way everywhere, in one line: a journal filter that is
not a status, a bad verdict ini value, `polls:0`, an unknown fault operation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emulator import Emulator, EmulatorConfig
from emulator.core.faults import FaultError


@pytest.mark.parametrize("path", ["/_emulator/requests", "/_emulator/dashboard/requests"])
def test_a_status_filter_that_is_not_a_status_is_a_400(batch_emulator: Any, path: str) -> None:
    answer = httpx.get(batch_emulator.url + path, params={"status": "abc"})
    assert answer.status_code == 400
    assert "'status'" in answer.json()["error"]["message"]
    assert httpx.get(batch_emulator.url + path, params={"status": "429"}).status_code == 200


def test_a_bad_verdict_ini_value_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatch_emulator_verdict = loud\n")
    pytester.makepyfile("def test_nothing(batch_emulator):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert errors == [
        "ERROR: ini option batch_emulator_verdict must be one of off, warn, strict, not 'loud'"
    ]


def test_polls_zero_names_the_rule() -> None:
    with pytest.raises(ValueError, match=r"'polls:0': polls:N moves one phase every N reads"):
        EmulatorConfig(timing="polls:0")


@pytest.mark.parametrize(
    ("operation", "dialect", "suggested"),
    [
        ("batches.retreive", None, "batches.retrieve"),
        ("messages.batch.create", "anthropic", "messages.batches.create"),
        ("nothing", "openai", "batches.create"),
    ],
)
def test_an_unknown_operation_is_answered_briefly(
    operation: str, dialect: str | None, suggested: str
) -> None:
    with pytest.raises(FaultError) as caught:
        Emulator().add_fault(status=500, operation=operation, dialect=dialect)
    message = str(caught.value)
    assert suggested in message and "GET /_emulator/faults/operations" in message
    assert len(message) < 320  # a line, not the table of 30 operations
