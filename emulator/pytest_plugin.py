"""pytest plugin: one loopback server per session (per xdist worker), fresh state per test.

Kept small on purpose: it only wires fixtures and the marker to the plain `Emulator` API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.api import Emulator
from emulator.config import EmulatorConfig
from emulator.handle import EmulatorHandle
from emulator.server import ServerThread


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "batch_emulator(**config): configure the batch_emulator fixture for a test"
    )


@pytest.fixture(scope="session")
def batch_emulator_config() -> EmulatorConfig:
    """Suite-wide defaults; override this fixture to change them."""
    return EmulatorConfig()


@pytest.fixture(scope="session")
def batch_emulator_server(
    batch_emulator_config: EmulatorConfig,
) -> Iterator[EmulatorHandle]:
    emulator = Emulator(batch_emulator_config)
    server = ServerThread(emulator.app)
    url = server.start()
    yield EmulatorHandle(emulator, url)
    server.stop()


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("batch_emulator"))):
        options.update(marker.kwargs)
    return options


@pytest.fixture
def batch_emulator(
    batch_emulator_server: EmulatorHandle,
    batch_emulator_config: EmulatorConfig,
    request: pytest.FixtureRequest,
) -> Iterator[EmulatorHandle]:
    options = _marker_options(request)
    config = batch_emulator_config.merged(**options) if options else batch_emulator_config
    batch_emulator_server.emulator.reset(config)
    yield batch_emulator_server
