"""pytest plugin: one loopback server per session (so one per xdist worker), fresh state per test.

A short list of fixtures over `EmulatorHandle`, which works without pytest too. The hooks
(options, markers, failure reports, the verdict) are in `emulator.pytest_support`; the client
fixtures are rows of `emulator.pytest_clients.CLIENTS`. The emulator itself (pydantic,
starlette, uvicorn) is imported only when a test first asks for a fixture or the suite sets an
option: an installed plugin costs other test runs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from emulator.pytest_clients import CLIENTS, client_handle, register
from emulator.pytest_support import (  # the hooks: pytest finds them on this module
    FIXTURES,
    MARKER,
    fresh,
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_runtest_call,
    pytest_runtest_makereport,
    set_env,
    suite_config,
)

if TYPE_CHECKING:
    from emulator.config import EmulatorConfig
    from emulator.handle import EmulatorHandle
    from emulator.sleeps import EmulatedSleeps


@pytest.fixture(scope="session")
def batch_emulator_config(pytestconfig: pytest.Config) -> EmulatorConfig:
    """Suite-wide defaults (ini + command line); override this fixture to compute your own."""
    return suite_config(pytestconfig)


@pytest.fixture(scope="session")
def batch_emulator_server(batch_emulator_config: EmulatorConfig) -> Iterator[EmulatorHandle]:
    """The session's loopback server (one per xdist worker), not reset: use `batch_emulator`."""
    from emulator.api import Emulator
    from emulator.handle import EmulatorHandle

    handle = EmulatorHandle.serve(Emulator(batch_emulator_config))
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def batch_emulator_app(batch_emulator_config: EmulatorConfig) -> Iterator[EmulatorHandle]:
    """The session's in-process emulator, not reset: use `batch_emulator_asgi`."""
    from emulator.api import Emulator
    from emulator.handle import EmulatorHandle

    handle = EmulatorHandle.in_process(Emulator(batch_emulator_config))
    yield handle
    handle.stop()


@pytest.fixture
def batch_emulator(
    batch_emulator_server: EmulatorHandle, request: pytest.FixtureRequest
) -> Iterator[EmulatorHandle]:
    """The emulator on a loopback server, wiped clean for this test (an `EmulatorHandle`).

    `.url` and `.openai_base_url`... to point clients at; `.advance(minutes=5)` moves its clock;
    `.batches`, `.batch(id)` and `.requests` show what it holds and saw; `.faults.add(...)`
    injects failures. Configure it with `@pytest.mark.batch_emulator(**options)`."""
    yield from fresh(batch_emulator_server, request)


@pytest.fixture
def batch_emulator_asgi(
    batch_emulator_app: EmulatorHandle, request: pytest.FixtureRequest
) -> Iterator[EmulatorHandle]:
    """The same handle as `batch_emulator`, in process: no server, no sockets.

    Its clients (`.openai_client()`, `.async_openai_client()`...) and the client fixtures call
    the app directly, sync or async; `.asgi_client()` / `.asgi_sync_client()` give an HTTP
    client for an SDK client you build yourself."""
    yield from fresh(batch_emulator_app, request)


@pytest.fixture
def batch_emulator_env(
    batch_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> EmulatorHandle:
    """`batch_emulator`, plus each SDK's base-URL and API-key variables (`handle.env()`:
    OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT, ANTHROPIC_BASE_URL, GROQ_BASE_URL, AWS_ENDPOINT_URL_S3,
    STORAGE_EMULATOR_HOST...) for this test: for code under test that builds its own clients."""
    set_env(batch_emulator, monkeypatch)
    return batch_emulator


@pytest.fixture
def batch_emulator_sleep(request: pytest.FixtureRequest) -> Iterator[EmulatedSleeps]:
    """`time.sleep`, `asyncio.sleep` and `anyio.sleep` in this test advance the clock of the
    test's emulator (loopback or in process) instead of waiting; the SDKs' retry waits too.
    `.calls` lists the seconds asked for. The emulator's own threads still wait for real."""
    with client_handle(request).emulate_sleeps() as sleeps:
        yield sleeps


# The client fixtures (openai_client, azure_client, groq_client, s3_client...): one row each in
# emulator.pytest_clients.CLIENTS, built on the emulator the test asked for.
register(globals(), CLIENTS)

__all__ = [
    "FIXTURES",
    "MARKER",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
]
