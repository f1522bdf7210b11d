"""pytest plugin: one loopback server per session (so one per xdist worker), fresh state per test.

Only wiring: options and markers become an `EmulatorConfig`, fixtures hand out `EmulatorHandle`s
(usable without pytest too). Settings merge closest-first: marker on the test, its class, its
module, then the command line, then ini options, then `EmulatorConfig` defaults.

The emulator itself (pydantic, starlette, uvicorn) is imported only when a test first asks for a
fixture or the suite sets an option: an installed plugin costs other test runs nothing.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from emulator import verdict_pytest

if TYPE_CHECKING:
    import anthropic
    import groq
    import openai
    import together
    from google import genai
    from mistralai.client import Mistral

    from emulator.config import EmulatorConfig
    from emulator.handle import EmulatorHandle

pytest_plugins = ["emulator.plugin_cloud"]  # bedrock_client, s3_client, vertex_client, gcs_client
MARKER = "batch_emulator"
FIXTURES = ("batch_emulator", "batch_emulator_asgi", "batch_emulator_env")
LOOPBACK_FIXTURES = ("batch_emulator", "batch_emulator_env")
_SUITE_OPTIONS = pytest.StashKey[dict[str, Any]]()
_FAILED = pytest.StashKey[bool]()
_HANDLE = pytest.StashKey["EmulatorHandle"]()


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
    verdict_pytest.addini(parser)


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
    token = os.environ.get("BATCH_EMULATOR_CONTROL_TOKEN")  # emulator.guard.TOKEN_ENV
    if token:  # servers guard /_emulator with it; handle.control_headers() carries it
        changes["control_token"] = token
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
    handle = item.stash.get(_HANDLE, None)
    if handle is not None and report.failed and report.when in ("call", "teardown"):
        from emulator.report import describe

        # Shown under the failure like captured output: what the emulator saw and holds.
        report.sections.append(("batch-emulator", describe(handle)))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """The client verdict, judged once the test body passed (emulator.verdict_pytest)."""
    yield
    verdict_pytest.judge(item)


@pytest.fixture(scope="session")
def batch_emulator_config(pytestconfig: pytest.Config) -> EmulatorConfig:
    """Suite-wide defaults (ini + command line); override this fixture to compute your own."""
    return _suite_config(pytestconfig)


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
    yield from _fresh(batch_emulator_server, request)


@pytest.fixture
def batch_emulator_asgi(
    batch_emulator_app: EmulatorHandle, request: pytest.FixtureRequest
) -> Iterator[EmulatorHandle]:
    """The same handle as `batch_emulator`, in process: no server, no sockets.

    Its clients (`.openai_client()`, `.async_openai_client()`...) and the client fixtures call
    the app directly, sync or async; `.asgi_client()` / `.asgi_sync_client()` give an HTTP
    client for an SDK client you build yourself."""
    yield from _fresh(batch_emulator_app, request)


@pytest.fixture
def batch_emulator_env(
    batch_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> EmulatorHandle:
    """`batch_emulator`, plus OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GOOGLE_GEMINI_BASE_URL and
    dummy API keys set for this test: for code under test that builds its own SDK clients."""
    _set_env(batch_emulator, monkeypatch)
    return batch_emulator


def _fresh(handle: EmulatorHandle, request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    options = _marker_options(request)
    check_faults = options.pop("check_faults", request.config.getini("batch_emulator_check_faults"))
    verdict_pytest.arm(request, handle, options)
    # Each test's ids come from (seed, node id): the same in every run, whatever ran before
    # it or on which xdist worker, and never the same as another test's.
    handle.reset(_test_config(request, options), namespace=request.node.nodeid)
    request.node.stash[_HANDLE] = handle
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
    plugin = "check_faults, verdict, verdict_ignore"
    pytest.fail(f"@pytest.mark.{MARKER}: {problem}; plugin options: {plugin}", pytrace=False)


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


def _client_handle(request: pytest.FixtureRequest) -> EmulatorHandle:
    """The emulator a client fixture talks to: whichever one the test asked for.

    A test that asks for both the loopback and the in-process emulator would split its state
    between two emulators without noticing, so it is refused with the way out."""
    names = set(request.fixturenames)
    in_process = "batch_emulator_asgi" in names
    if in_process and names & set(LOOPBACK_FIXTURES):
        loopback = ", ".join(sorted(names & set(LOOPBACK_FIXTURES)))
        pytest.fail(
            f"{request.fixturename}: this test uses both batch_emulator_asgi (in process) and"
            f" {loopback} (loopback server); they are two separate emulators, so a client could"
            " only reach one of them. Use one of the two, or build the second client from its"
            " handle (e.g. batch_emulator.openai_client()).",
            pytrace=False,
        )
    handle: EmulatorHandle = request.getfixturevalue(
        "batch_emulator_asgi" if in_process else "batch_emulator"
    )
    return handle


if _installed("openai"):

    @pytest.fixture
    def openai_client(request: pytest.FixtureRequest) -> Iterator[openai.OpenAI]:
        """`openai.OpenAI` pointed at the test's emulator (`batch_emulator`, or
        `batch_emulator_asgi` when the test uses that), with a dummy key."""
        with _client_handle(request).openai_client() as client:
            yield client

    @pytest.fixture
    def async_openai_client(request: pytest.FixtureRequest) -> openai.AsyncOpenAI:
        """`openai.AsyncOpenAI` pointed at the test's emulator (loopback or in process)."""
        return _client_handle(request).async_openai_client()


if _installed("openai"):

    @pytest.fixture
    def azure_client(batch_emulator: EmulatorHandle) -> Iterator[openai.AzureOpenAI]:
        """`openai.AzureOpenAI` on this test's emulator (`api_version` 2024-10-21)."""
        with batch_emulator.azure_client() as client:
            yield client


if _installed("groq"):

    @pytest.fixture
    def groq_client(batch_emulator: EmulatorHandle) -> Iterator[groq.Groq]:
        """`groq.Groq` on this test's emulator (`base_url` = `<url>/groq`)."""
        with batch_emulator.groq_client() as client:
            yield client


if _installed("mistralai"):

    @pytest.fixture
    def mistral_client(batch_emulator: EmulatorHandle) -> Iterator[Mistral]:
        """`mistralai` `Mistral` on this test's emulator (`server_url` = `<url>/mistral`)."""
        with batch_emulator.mistral_client() as client:
            yield client


if _installed("together"):

    @pytest.fixture
    def together_client(batch_emulator: EmulatorHandle) -> Iterator[together.Together]:
        """`together.Together` on this test's emulator (`base_url` = `<url>/together`)."""
        with batch_emulator.together_client() as client:
            yield client


if _installed("anthropic"):

    @pytest.fixture
    def anthropic_client(request: pytest.FixtureRequest) -> Iterator[anthropic.Anthropic]:
        """`anthropic.Anthropic` pointed at the test's emulator (loopback or in process)."""
        with _client_handle(request).anthropic_client() as client:
            yield client

    @pytest.fixture
    def async_anthropic_client(request: pytest.FixtureRequest) -> anthropic.AsyncAnthropic:
        """`anthropic.AsyncAnthropic` pointed at the test's emulator (loopback or in process)."""
        return _client_handle(request).async_anthropic_client()


if _installed("google.genai"):

    @pytest.fixture
    def gemini_client(request: pytest.FixtureRequest) -> genai.Client:
        """`google.genai.Client` (sync, and async via `.aio`) pointed at the test's emulator
        (loopback or in process)."""
        return _client_handle(request).gemini_client()
