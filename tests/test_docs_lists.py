"""Lists in the docs are checked against the code, so a provider, fixture or variable added later
cannot go missing from them: the names come from the plugin's tables, the handle and the
provider registry; the exception classes the docs name must exist in the SDKs they name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator import pytest_plugin
from emulator.handle import UNSET_ENV, EmulatorHandle
from emulator.providers.registry import PROFILES
from emulator.pytest_clients import CLIENTS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PYTEST_DOC = (ROOT / "docs" / "pytest.md").read_text()
INTERNAL = {"bifrost-openai"}  # Bifrost's OpenAI-compatible mount: part of the Bifrost surface
# How each dialect is named in prose (the dialect name itself when absent).
PROSE = {"openai": "OpenAI", "anthropic": "Anthropic", "gemini": "Gemini", "bifrost": "Bifrost"}


def code_names(text: str) -> set[str]:
    return set(re.findall(r"`([^`\s]+)`", text))


@pytest.mark.parametrize("spec", CLIENTS, ids=[s.name for s in CLIENTS])
def test_every_client_fixture_is_documented(spec: object) -> None:
    name = spec.name  # type: ignore[attr-defined]
    assert name in code_names(PYTEST_DOC), f"docs/pytest.md does not list {name}"
    assert name in code_names(README), f"README does not list {name}"


def test_every_emulator_fixture_is_documented() -> None:
    for name in pytest_plugin.FIXTURES:
        assert name in code_names(PYTEST_DOC), name


def plugin_fixtures(config: pytest.Config) -> set[str]:
    """Every fixture in every module of the emulator that pytest loaded as a plugin, however it
    got there (a `CLIENTS` row, a `register()` call, a module named in `pytest_plugins`)."""
    from _pytest.fixtures import FixtureFunctionDefinition  # what `@pytest.fixture` makes

    modules = [
        p
        for p in config.pluginmanager.get_plugins()
        if getattr(p, "__name__", "").startswith("emulator.")
    ]
    return {
        value.name
        for module in modules
        for value in vars(module).values()
        if isinstance(value, FixtureFunctionDefinition)
    }


def test_a_fixture_in_any_emulator_plugin_module_is_found(pytestconfig: pytest.Config) -> None:
    """What a provider added later would do: its own module, loaded as a plugin, one fixture."""
    import types

    module = types.ModuleType("emulator.later_provider_plugin")

    @pytest.fixture
    def later_client() -> None: ...

    module.later_client = later_client  # type: ignore[attr-defined]
    pytestconfig.pluginmanager.register(module, "emulator-later-provider-test")
    try:
        assert "later_client" in plugin_fixtures(pytestconfig)
    finally:
        pytestconfig.pluginmanager.unregister(module)


def test_every_fixture_the_plugin_defines_is_documented(pytestconfig: pytest.Config) -> None:
    names = plugin_fixtures(pytestconfig)
    assert {"batch_emulator", "s3_client", "vertex_client"} <= names, names
    missing = sorted(names - code_names(PYTEST_DOC))
    assert not missing, f"docs/pytest.md does not list {missing}"
    clients = {n for n in names if n.endswith("_client")}
    assert not sorted(clients - code_names(README)), "README does not list every client fixture"


def test_every_environment_variable_is_documented() -> None:
    handle = EmulatorHandle.in_process()
    for name in [*handle.env(), *UNSET_ENV]:
        assert name in code_names(PYTEST_DOC), f"docs/pytest.md does not list {name}"
        # The front page names the cloud ones: code building its own boto3 or GCS client has
        # no other way here.
        if name in handle.env() and name.startswith(("AWS_", "STORAGE_")):
            assert name in code_names(README), f"README does not list {name}"


@pytest.mark.parametrize("dialect", sorted({p.name for p in PROFILES} - INTERNAL))
def test_every_dialect_is_on_the_front_page(dialect: str) -> None:
    intro = README.split("## ", 1)[0]
    assert PROSE.get(dialect, dialect).lower() in intro.lower()


def test_the_sdk_exception_classes_the_docs_name_exist() -> None:
    import anthropic
    import httpx
    import openai
    from google.genai import errors

    table = (ROOT / "docs" / "faults.md").read_text()
    named = {n for n in code_names(table) if re.fullmatch(r"[A-Z]\w*Error", n)}
    assert named, "the faults guide names no exception class"
    import builtins

    import emulator

    # An SDK's class, a builtin one (`ValueError`) or the emulator's own (`FaultError`).
    for name in named:
        assert any(hasattr(m, name) for m in (openai, anthropic, httpx, builtins, emulator)), name
    for name in re.findall(r"`errors\.(\w+)`", table):
        assert hasattr(errors, name), name


def test_mistrals_exception_class_exists() -> None:
    from mistralai.client import errors

    page = (ROOT / "docs" / "providers.md").read_text()
    mistral = page[page.index("## Mistral") : page.index("## Together")]
    named = re.findall(r"`errors\.(\w+)`", mistral)
    assert named and all(hasattr(errors, name) for name in named), named


def test_every_url_the_handle_offers_is_documented() -> None:
    urls = [
        name
        for name in dir(EmulatorHandle)
        if name.endswith(("_base_url", "_endpoint", "_server_url", "_url", "_host"))
    ]
    assert len(urls) >= 12
    for name in urls:
        assert f".{name}" in PYTEST_DOC, f"docs/pytest.md does not list .{name}"


def test_batch_emulator_exports_exactly_what_emulator_does() -> None:
    """`batch_emulator` lists its names again for type checkers; the two lists must not drift."""
    import batch_emulator
    import emulator

    assert sorted(batch_emulator.__all__) == sorted(emulator.__all__)
    for name in emulator.__all__:
        assert getattr(batch_emulator, name) is getattr(emulator, name), name
