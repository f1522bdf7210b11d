"""The pytest plugin's machinery: options and markers become an `EmulatorConfig`, each test
gets a fresh emulator, failures get a report section, the verdict is judged. The fixtures
themselves are in `emulator.pytest_plugin`, the client fixtures in `emulator.pytest_clients`.

Settings merge closest-first: marker on the test, its class, its module, then the command line,
then ini options, then `EmulatorConfig` defaults. Nothing heavy is imported until a test uses a
fixture or the suite sets an option.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from emulator import verdict_pytest

if TYPE_CHECKING:
    from emulator.config import EmulatorConfig
    from emulator.handle import EmulatorHandle

MARKER = "batch_emulator"
FIXTURES = (
    "batch_emulator",
    "batch_emulator_asgi",
    "batch_emulator_env",
    "batch_emulator_sleep",
)
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
    if token is not None and not token.strip():  # as `serve`: empty is a mistake, not "open"
        raise pytest.UsageError("BATCH_EMULATOR_CONTROL_TOKEN is empty: give a token or unset it")
    if token:  # servers guard /_emulator with it; handle.control_headers() carries it
        changes["control_token"] = token
    config.stash[_SUITE_OPTIONS] = changes
    verdict_pytest.check_ini(config)
    if changes:  # a bad option stops the run before any test, not in every test's setup
        suite_config(config)


def suite_config(config: pytest.Config) -> EmulatorConfig:
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


def fresh(handle: EmulatorHandle, request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    options = _marker_options(request)
    check_faults = options.pop("check_faults", request.config.getini("batch_emulator_check_faults"))
    verdict_pytest.arm(request, handle, options)
    # Each test's ids come from (seed, node id): the same in every run, whatever ran before
    # it or on which xdist worker, and never the same as another test's.
    handle.reset(_test_config(request, options), namespace=request.node.nodeid)
    request.node.stash[_HANDLE] = handle
    if handle.server is not None and request.config.getini("batch_emulator_env"):
        set_env(handle, request.getfixturevalue("monkeypatch"))
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


def set_env(handle: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.handle import UNSET_ENV

    for name, value in handle.env().items():
        monkeypatch.setenv(name, value)
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)
