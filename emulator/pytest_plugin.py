"""pytest plugin: one loopback server per session (so one per xdist worker), fresh state per test.

Only wiring: options and markers become an `EmulatorConfig`, fixtures hand out `EmulatorHandle`s
(usable without pytest too). Settings merge closest-first: marker on the test, its class, its
module, then the command line, then ini options, then `EmulatorConfig` defaults.

The emulator itself (pydantic, starlette, uvicorn) is imported only when a test first asks for a
fixture or the suite sets an option: an installed plugin costs other test runs nothing.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import anthropic
    import openai
    from google import genai

    from emulator.config import EmulatorConfig
    from emulator.handle import EmulatorHandle

MARKER = "batch_emulator"
FIXTURES = ("batch_emulator", "batch_emulator_asgi", "batch_emulator_env")
_SUITE_OPTIONS = pytest.StashKey[dict[str, Any]]()
_FAILED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("batch_emulator")
    timing_help = (
        "batch timing: immediate | timed | timed:linear | manual | polls:N | script:s1,s2,..."
    )
    group.addoption("--batch-emulator-timing", help=timing_help)
    group.addoption("--batch-emulator-seed", type=int, help="seed for ids and fake results")
    parser.addini("batch_emulator_timing", timing_help)
    parser.addini("batch_emulator_seed", "seed for ids and fake results")
    parser.addini(
        "batch_emulator_check_faults", "fail tests that leave bounded faults unused", "bool", True
    )
    parser.addini("batch_emulator_env", "batch_emulator also sets the SDK env vars", "bool", False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "batch_emulator(**config): EmulatorConfig options for this test, plus check_faults=False",
    )
    changes = {}
    for key in ("timing", "seed"):
        value = config.getoption(f"batch_emulator_{key}")
        value = config.getini(f"batch_emulator_{key}") if value is None else value
        if value not in (None, ""):
            changes[key] = value
    config.stash[_SUITE_OPTIONS] = changes
    if changes:  # a bad option stops the run before any test, not in every test's setup
        _suite_config(config)


def _suite_config(config: pytest.Config) -> EmulatorConfig:
    from pydantic import ValidationError

    from emulator.config import EmulatorConfig, describe_error

    try:
        return EmulatorConfig().merged(**config.stash[_SUITE_OPTIONS])
    except ValidationError as exc:
        raise pytest.UsageError(f"batch_emulator options: {describe_error(exc)}") from None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that only carries the marker still gets the fixture (time-machine style)."""
    for item in items:
        if not isinstance(item, pytest.Function) or item.get_closest_marker(MARKER) is None:
            continue
        if not set(FIXTURES) & set(item.fixturenames):
            item.fixturenames.insert(0, "batch_emulator")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, Any]:
    report = yield
    if report.when == "call" and report.failed:  # no fault-check noise on top of a failure
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def batch_emulator_config(pytestconfig: pytest.Config) -> EmulatorConfig:
    """Suite-wide defaults (ini + command line); override this fixture to compute your own."""
    return _suite_config(pytestconfig)


@pytest.fixture(scope="session")
def batch_emulator_server(batch_emulator_config: EmulatorConfig) -> Iterator[EmulatorHandle]:
    from emulator.api import Emulator
    from emulator.handle import EmulatorHandle

    handle = EmulatorHandle.serve(Emulator(batch_emulator_config))
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def batch_emulator_app(batch_emulator_config: EmulatorConfig) -> EmulatorHandle:
    from emulator.api import Emulator
    from emulator.handle import EmulatorHandle

    return EmulatorHandle.in_process(Emulator(batch_emulator_config))


@pytest.fixture
def batch_emulator(
    batch_emulator_server: EmulatorHandle, request: pytest.FixtureRequest
) -> Iterator[EmulatorHandle]:
    yield from _fresh(batch_emulator_server, request)


@pytest.fixture
def batch_emulator_asgi(
    batch_emulator_app: EmulatorHandle, request: pytest.FixtureRequest
) -> Iterator[EmulatorHandle]:
    """In-process, no sockets: use its async clients or `.asgi_client()` as `http_client`."""
    yield from _fresh(batch_emulator_app, request)


@pytest.fixture
def batch_emulator_env(
    batch_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> EmulatorHandle:
    """Point SDK clients that the code under test builds itself at the emulator."""
    _set_env(batch_emulator, monkeypatch)
    return batch_emulator


def _fresh(handle: EmulatorHandle, request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    options = _marker_options(request)
    check_faults = options.pop("check_faults", request.config.getini("batch_emulator_check_faults"))
    handle.reset(_test_config(request, options))
    if handle.server is not None and request.config.getini("batch_emulator_env"):
        _set_env(handle, request.getfixturevalue("monkeypatch"))
    yield handle
    missed = handle.faults.unconsumed()
    if check_faults and missed and not request.node.stash.get(_FAILED, False):
        pytest.fail(
            f"batch_emulator: fault(s) {', '.join(missed)} set up with `times=` were not used up"
            " by this test. Give a fault the test may not reach optional=True, or turn the check"
            " off with @pytest.mark.batch_emulator(check_faults=False) or the ini option"
            " batch_emulator_check_faults = false.",
            pytrace=False,
        )


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in request.node.iter_markers(MARKER):  # closest first: it wins
        if marker.args:
            pytest.fail(f"@pytest.mark.{MARKER} takes keyword arguments only", pytrace=False)
        options = marker.kwargs | options
    return options


def _test_config(request: pytest.FixtureRequest, options: dict[str, Any]) -> EmulatorConfig:
    from pydantic import ValidationError

    from emulator.config import describe_error

    base: EmulatorConfig = request.getfixturevalue("batch_emulator_config")
    try:
        return base.merged(**options) if options else base
    except ValidationError as exc:
        problem = describe_error(exc)
    pytest.fail(f"@pytest.mark.{MARKER}: {problem}; plugin option: check_faults", pytrace=False)


def _set_env(handle: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.handle import UNSET_ENV

    for name, value in handle.env().items():
        monkeypatch.setenv(name, value)
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


if _installed("openai"):

    @pytest.fixture
    def openai_client(batch_emulator: EmulatorHandle) -> Iterator[openai.OpenAI]:
        with batch_emulator.openai_client() as client:
            yield client

    @pytest.fixture
    def async_openai_client(batch_emulator: EmulatorHandle) -> openai.AsyncOpenAI:
        return batch_emulator.async_openai_client()


if _installed("anthropic"):

    @pytest.fixture
    def anthropic_client(batch_emulator: EmulatorHandle) -> Iterator[anthropic.Anthropic]:
        with batch_emulator.anthropic_client() as client:
            yield client

    @pytest.fixture
    def async_anthropic_client(batch_emulator: EmulatorHandle) -> anthropic.AsyncAnthropic:
        return batch_emulator.async_anthropic_client()


if _installed("google.genai"):

    @pytest.fixture
    def gemini_client(batch_emulator: EmulatorHandle) -> genai.Client:
        return batch_emulator.gemini_client()
