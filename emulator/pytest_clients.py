"""Client fixtures: one row per SDK client, each built on the emulator the test asked for.

Every client fixture behaves the same way, so each is a declaration (`ClientSpec`), not code: the
handle method that builds the client (`EmulatorHandle.groq_client`...), the module that must be
importable for the fixture to exist, and its docstring. The fixture calls that method on the
test's emulator (`batch_emulator`, or `batch_emulator_asgi` when the test uses it: in process,
no sockets) and closes a sync client after the test.

A provider added in another module declares its rows there and calls `register(globals(), rows)`
in a module that pytest loads as a plugin (a `pytest11` entry point, or `pytest_plugins`).
Nothing heavy is imported here: the plugin costs test runs that never use it nothing.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.handle import EmulatorHandle

IN_PROCESS = "batch_emulator_asgi"
LOOPBACK = ("batch_emulator", "batch_emulator_env", "batch_emulator_server")


@dataclass(frozen=True)
class ClientSpec:
    """A client fixture: `name`, built by `EmulatorHandle.<method>()` when `requires` imports."""

    name: str
    requires: str  # the SDK's import name: no SDK, no fixture
    method: str
    doc: str


CLIENTS = (
    ClientSpec("openai_client", "openai", "openai_client", "`openai.OpenAI`"),
    ClientSpec("async_openai_client", "openai", "async_openai_client", "`openai.AsyncOpenAI`"),
    ClientSpec(
        "azure_client",
        "openai",
        "azure_client",
        "`openai.AzureOpenAI` (`azure_endpoint` = the emulator, `api_version` 2024-10-21)",
    ),
    ClientSpec("anthropic_client", "anthropic", "anthropic_client", "`anthropic.Anthropic`"),
    ClientSpec(
        "async_anthropic_client",
        "anthropic",
        "async_anthropic_client",
        "`anthropic.AsyncAnthropic`",
    ),
    ClientSpec(
        "gemini_client",
        "google.genai",
        "gemini_client",
        "`google.genai.Client` (sync, and async via `.aio`)",
    ),
    ClientSpec("groq_client", "groq", "groq_client", "`groq.Groq` (`base_url` = `<url>/groq`)"),
    ClientSpec(
        "mistral_client",
        "mistralai",
        "mistral_client",
        "`mistralai` `Mistral` (`server_url` = `<url>/mistral`)",
    ),
    ClientSpec(
        "together_client",
        "together",
        "together_client",
        "`together.Together` (`base_url` = `<url>/together`)",
    ),
    ClientSpec(
        "vertex_client",
        "google.genai",
        "vertex_client",
        "`google.genai.Client(vertexai=True)` (`base_url` = `<url>/vertex`, a dummy OAuth token)",
    ),
    # boto3 and google-cloud-storage take no HTTP client: with `batch_emulator_asgi` they reach
    # that same in-process emulator through a loopback socket (`EmulatorHandle.loopback_url`).
    ClientSpec(
        "bedrock_client",
        "boto3",
        "bedrock_client",
        "boto3 `bedrock` (`endpoint_url` = `<url>/bedrock`, dummy keys, loopback even in process)",
    ),
    ClientSpec(
        "s3_client",
        "boto3",
        "s3_client",
        "boto3 `s3` (`endpoint_url` = `<url>/s3`, path-style, loopback even in process)",
    ),
    ClientSpec(
        "gcs_client",
        "google.cloud.storage",
        "gcs_client",
        "`google.cloud.storage.Client` (anonymous, `api_endpoint` = `<url>`, loopback even in"
        " process)",
    ),
)


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def client_handle(request: pytest.FixtureRequest) -> EmulatorHandle:
    """The emulator a client fixture talks to: whichever one the test asked for.

    A test that asks for both the loopback and the in-process emulator would split its state
    between two emulators without noticing, so it is refused with the way out."""
    names = set(request.fixturenames)
    loopback = names & set(LOOPBACK[:2])
    if IN_PROCESS in names and loopback:
        pytest.fail(
            f"{request.fixturename}: this test uses both {IN_PROCESS} (in process) and"
            f" {', '.join(sorted(loopback))} (loopback server); they are two separate emulators,"
            " so a client could only reach one of them. Use one of the two, or build the second"
            " client from its handle (e.g. batch_emulator.openai_client()).",
            pytrace=False,
        )
    handle: EmulatorHandle = request.getfixturevalue(
        IN_PROCESS if IN_PROCESS in names else "batch_emulator"
    )
    return handle


def client_fixture(spec: ClientSpec) -> Any:
    """The fixture a `ClientSpec` declares."""

    def fixture(request: pytest.FixtureRequest) -> Iterator[Any]:
        client = getattr(client_handle(request), spec.method)()
        yield client
        finish = getattr(client, "__exit__", None)  # sync clients; async ones are the test's
        if finish is not None:
            finish(None, None, None)

    fixture.__name__ = spec.name
    fixture.__doc__ = (
        f"{spec.doc} pointed at the test's emulator (`batch_emulator`, or `batch_emulator_asgi`"
        " when the test uses that), with a dummy API key."
    )
    return pytest.fixture(name=spec.name)(fixture)


def register(namespace: MutableMapping[str, Any], specs: Iterable[ClientSpec]) -> None:
    """Add a fixture for each spec whose SDK is installed to a plugin module's namespace."""
    for spec in specs:
        if installed(spec.requires):
            namespace[spec.name] = client_fixture(spec)
