"""`EmulatorHandle`: an `Emulator` plus where to reach it, and ready-made SDK clients.

The pytest plugin yields one, but nothing here needs pytest: `EmulatorHandle.serve()` starts a
loopback server and `EmulatorHandle.in_process()` wires clients straight to the ASGI app.
SDK and httpx imports are lazy because they are test extras, not runtime dependencies.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.api import Emulator
from emulator.clock import Clock
from emulator.config import EmulatorConfig
from emulator.core.batch import View
from emulator.core.faults import Fault, FaultBook
from emulator.core.findings import Finding
from emulator.core.journal import JournalEntry
from emulator.core.states import BatchState
from emulator.server import ServerThread

if TYPE_CHECKING:
    import anthropic
    import groq
    import httpx
    import openai
    import together
    from google import genai
    from mistralai.client import Mistral

API_KEY = "batch-emulator-test-key"
AZURE_API_VERSION = "2024-10-21"  # newest dated GA data-plane version with batch and files
IN_PROCESS_URL = "http://batch-emulator.invalid"
# Variables that would send google-genai somewhere else (Vertex AI) whatever the base URL says.
UNSET_ENV = ("GOOGLE_GENAI_USE_VERTEXAI",)


@dataclass
class EmulatorHandle:
    emulator: Emulator
    url: str
    server: ServerThread | None = None
    home_clock: Clock | None = None  # the clock every reset goes back to
    base_config: EmulatorConfig | None = None  # the config every reset goes back to

    @classmethod
    def serve(cls, emulator: Emulator | None = None) -> EmulatorHandle:
        """Start a loopback server on 127.0.0.1 and an ephemeral port; `stop()` ends it."""
        emulator = emulator or Emulator()
        server = ServerThread(emulator.app)
        return cls(emulator, server.start(), server, emulator.clock)

    @classmethod
    def in_process(cls, emulator: Emulator | None = None) -> EmulatorHandle:
        """No sockets: async clients from this handle talk to the app through httpx's ASGI
        transport, and the URL is one no network request could ever reach."""
        emulator = emulator or Emulator()
        return cls(emulator, IN_PROCESS_URL, None, emulator.clock)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def reset(self, config: EmulatorConfig | None = None, *, clock: Clock | None = None) -> None:
        """Forget every batch, file, fault and request; back to `config` and the home clock
        (or to `clock`, e.g. a `ManualClock` for fully fixed timestamps, until the next reset)."""
        self.base_config = config or self.base_config
        self.emulator.reset(self.base_config, clock=clock or self.home_clock or self.emulator.clock)

    # -- URLs -----------------------------------------------------------------------------
    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    @property
    def gemini_base_url(self) -> str:
        return self.url

    @property
    def bifrost_base_url(self) -> str:
        return f"{self.url}/bifrost"

    @property
    def azure_endpoint(self) -> str:
        """`AzureOpenAI(azure_endpoint=...)`: the SDK appends `/openai` itself."""
        return self.url

    @property
    def groq_base_url(self) -> str:
        return f"{self.url}/groq"

    @property
    def mistral_server_url(self) -> str:
        return f"{self.url}/mistral"

    @property
    def together_base_url(self) -> str:
        return f"{self.url}/together"

    def env(self) -> dict[str, str]:
        """Variables that point SDK clients built by the code under test at this emulator."""
        return {
            "OPENAI_BASE_URL": self.openai_base_url,
            "OPENAI_API_KEY": API_KEY,
            "ANTHROPIC_BASE_URL": self.anthropic_base_url,
            "ANTHROPIC_API_KEY": API_KEY,
            "GOOGLE_GEMINI_BASE_URL": self.gemini_base_url,
            "GEMINI_API_KEY": API_KEY,
            "GOOGLE_API_KEY": API_KEY,
        }

    # -- the Emulator's control surface, typed ---------------------------------------------
    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0) -> float:
        return self.emulator.advance(seconds, minutes=minutes, hours=hours)

    def configure(self, **changes: Any) -> EmulatorConfig:
        return self.emulator.configure(**changes)

    @property
    def config(self) -> EmulatorConfig:
        return self.emulator.config

    @property
    def batches(self) -> list[View]:
        return self.emulator.batches

    @property
    def requests(self) -> list[JournalEntry]:
        return self.emulator.requests

    @property
    def faults(self) -> FaultBook:
        return self.emulator.faults

    def add_fault(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> str:
        return self.emulator.add_fault(fault, **fields)

    def step(self, batch_id: str) -> View:
        return self.emulator.step(batch_id)

    def verdict(self, ignore: Iterable[str] = ()) -> list[Finding]:
        return self.emulator.verdict(ignore)

    def transition(self, batch_id: str, to: BatchState | str) -> View:
        return self.emulator.transition(batch_id, to)

    def __getattr__(self, name: str) -> Any:
        # Anything else public on the Emulator (now, batch, records, fault, service, app...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.emulator, name)

    # -- clients ---------------------------------------------------------------------------
    def asgi_client(self, *, package: str = "httpx", **kwargs: Any) -> httpx.AsyncClient:
        """An AsyncClient that calls the app in this process: pass it as `http_client`.

        `package="httpx2"` builds it from the httpx fork newer SDK releases (anthropic 2.x)
        require; the typing says httpx because the two share their API."""
        http = importlib.import_module(package)
        transport = http.ASGITransport(app=self.emulator.app)
        client: httpx.AsyncClient = http.AsyncClient(
            transport=transport, base_url=self.url, **kwargs
        )
        return client

    def _async_http(self, default_client: type) -> httpx.AsyncClient | None:
        """In-process handles wire SDK clients to the app with the package the SDK is built on."""
        if self.server is not None:
            return None
        roots = {cls.__module__.partition(".")[0] for cls in default_client.__mro__}
        return self.asgi_client(package="httpx2" if "httpx2" in roots else "httpx")

    def openai_client(self, **kwargs: Any) -> openai.OpenAI:
        import openai

        return openai.OpenAI(base_url=self.openai_base_url, api_key=API_KEY, **kwargs)

    def async_openai_client(self, **kwargs: Any) -> openai.AsyncOpenAI:
        import openai

        kwargs.setdefault("http_client", self._async_http(openai.DefaultAsyncHttpxClient))
        return openai.AsyncOpenAI(base_url=self.openai_base_url, api_key=API_KEY, **kwargs)

    def anthropic_client(self, **kwargs: Any) -> anthropic.Anthropic:
        import anthropic

        return anthropic.Anthropic(base_url=self.anthropic_base_url, api_key=API_KEY, **kwargs)

    def async_anthropic_client(self, **kwargs: Any) -> anthropic.AsyncAnthropic:
        import anthropic

        kwargs.setdefault("http_client", self._async_http(anthropic.DefaultAsyncHttpxClient))
        base = self.anthropic_base_url
        return anthropic.AsyncAnthropic(base_url=base, api_key=API_KEY, **kwargs)

    def azure_client(self, **kwargs: Any) -> openai.AzureOpenAI:
        import openai

        kwargs.setdefault("api_version", AZURE_API_VERSION)
        return openai.AzureOpenAI(azure_endpoint=self.azure_endpoint, api_key=API_KEY, **kwargs)

    def groq_client(self, **kwargs: Any) -> groq.Groq:
        import groq

        return groq.Groq(base_url=self.groq_base_url, api_key=API_KEY, **kwargs)

    def mistral_client(self, **kwargs: Any) -> Mistral:
        from mistralai.client import Mistral

        return Mistral(server_url=self.mistral_server_url, api_key=API_KEY, **kwargs)

    def together_client(self, **kwargs: Any) -> together.Together:
        import together

        return together.Together(base_url=self.together_base_url, api_key=API_KEY, **kwargs)

    def gemini_client(self, **kwargs: Any) -> genai.Client:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(base_url=self.gemini_base_url)
        extra = kwargs.pop("http_options", None)
        if extra is not None:
            options = options.model_copy(update=dict(extra))
        return genai.Client(api_key=API_KEY, http_options=options, **kwargs)
