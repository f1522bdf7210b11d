"""A fault rule without `kind` means the same through every door: Python (a mapping or keyword
fields), a config file (and so the marker) and the control plane. `kind` defaults to `http`; a
rule that says nothing else is refused; fields of another kind name that kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator, EmulatorConfig
from emulator.handle import EmulatorHandle

ACCEPTED = [
    {"status": 503, "operation": "batches.create", "times": 1},
    {"drop": True, "optional": True},
    {"kind": "item", "custom_id": "x", "status": 400},
]
REFUSED = [
    ({}, "needs 'kind'"),
    ({"times": 2}, "needs 'kind'"),
    ({"custom_id": "x", "status": 400}, 'add "kind": "item"'),
    ({"fail_code": "invalid_file"}, 'add "kind": "batch"'),
]


def through_python(spec: dict[str, Any]) -> list[dict[str, Any]]:
    emulator = Emulator()
    emulator.add_fault(spec)
    return emulator.faults.describe()


def through_config(spec: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"faults": [spec]}))
    return Emulator(EmulatorConfig.from_file(path)).faults.describe()


def through_control(spec: dict[str, Any]) -> list[dict[str, Any]]:
    handle = EmulatorHandle.in_process()
    try:
        client = handle.asgi_sync_client(package="httpx")
        answer = client.post("/_emulator/faults", json=spec)
        if answer.status_code != 201:
            raise ValueError(answer.json()["error"]["message"])
        data: list[dict[str, Any]] = client.get("/_emulator/faults").json()["data"]
        return data
    finally:
        handle.stop()


@pytest.mark.parametrize("spec", ACCEPTED)
def test_every_door_stores_the_same_rule(spec: dict[str, Any], tmp_path: Path) -> None:
    doors = [through_python(spec), through_config(spec, tmp_path), through_control(spec)]
    assert doors[0] == doors[1] == doors[2]
    assert doors[0][0]["kind"] == spec.get("kind", "http")


@pytest.mark.parametrize(("spec", "said"), REFUSED)
def test_every_door_refuses_alike(spec: dict[str, Any], said: str, tmp_path: Path) -> None:
    for door in (through_python, through_control, lambda s: through_config(s, tmp_path)):
        with pytest.raises(ValueError, match=said.replace("(", r"\(")):
            door(spec)


def test_keyword_fields_are_the_python_door_too() -> None:
    with pytest.raises(ValueError, match="needs 'kind'"):
        Emulator().add_fault(times=1)
    assert Emulator().add_fault(status=429, times=1) == "fault_1"
