"""`EmulatorHandle`: an `Emulator` plus where to reach it, and ready-made SDK clients.

The pytest plugin yields one, but nothing here needs pytest: `EmulatorHandle.serve()` starts a
loopback server and `EmulatorHandle.in_process()` wires clients straight to the ASGI app (sync
and async, on whichever of httpx/httpx2 each SDK is built on: see emulator.inprocess).
SDK and httpx imports are lazy because they are the SDKs' dependencies, not ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator import cloud_clients, inprocess
from emulator.api import Emulator
from emulator.batch_info import BatchInfo
from emulator.clock import Clock
from emulator.config import EmulatorConfig
from emulator.core.faults import Fault, FaultBook
from emulator.core.findings import Finding
from emulator.core.journal import JournalEntry
from emulator.core.states import BatchState
from emulator.server import ServerThread
from emulator.sleeps import EmulatedSleeps

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
# Variables that would send a client somewhere else whatever the emulator's variables say:
# google-genai to Vertex AI, boto3 to a profile that may not exist here or a real session token.
UNSET_ENV = ("GOOGLE_GENAI_USE_VERTEXAI", "AWS_PROFILE", "AWS_SESSION_TOKEN")


@dataclass
class EmulatorHandle:
    """An emulator and where to reach it: URLs, time control, inspection, faults, SDK clients.

    `server` is the loopback server, or None in process (then `url` is unreachable on purpose
    and every client this handle builds calls the app directly)."""

    emulator: Emulator
    url: str
    server: ServerThread | None = None
    home_clock: Clock | None = None  # the clock every reset goes back to
    base_config: EmulatorConfig | None = None  # the config every reset goes back to
    _loop: inprocess.LoopThread | None = field(default=None, repr=False)
    _side: ServerThread | None = field(default=None, repr=False)  # see `loopback_url`

    def __repr__(self) -> str:
        where = "in process" if self.server is None else "loopback"
        return f"<EmulatorHandle {self.url} ({where}), {len(self.emulator.records())} batch(es)>"

    @classmethod
    def serve(cls, emulator: Emulator | None = None) -> EmulatorHandle:
        """Start a loopback server on 127.0.0.1 and an ephemeral port; `stop()` ends it."""
        emulator = emulator or Emulator()
        server = ServerThread(emulator.app)
        return cls(emulator, server.start(), server, emulator.clock)

    @classmethod
    def in_process(cls, emulator: Emulator | None = None) -> EmulatorHandle:
        """No sockets: sync and async clients from this handle talk to the app through an ASGI
        transport, and the URL is one no network request could ever reach."""
        emulator = emulator or Emulator()
        return cls(emulator, IN_PROCESS_URL, None, emulator.clock)

    def stop(self) -> None:
        """Stop the loopback server (if any) and the sync in-process bridge (if started)."""
        if self.server is not None:
            self.server.stop()
        if self._loop is not None:
            self._loop.stop()
        if self._side is not None:
            self._side.stop()

    def reset(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        seed: int | None = None,
        namespace: str | None = None,
    ) -> None:
        """Forget every batch, file, fault and request; back to `config` and the home clock
        (or to `clock`, e.g. a `ManualClock` for fully fixed timestamps, until the next reset).
        Ids carry on unless `seed` (replay from the start) or `namespace` is given."""
        self.base_config = config or self.base_config
        self.emulator.reset(
            self.base_config,
            clock=clock or self.home_clock or self.emulator.clock,
            seed=seed,
            namespace=namespace,
        )

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

    @property
    def bedrock_url(self) -> str:
        """boto3 `bedrock` `endpoint_url` (`AWS_ENDPOINT_URL_BEDROCK`)."""
        return f"{self.url}/bedrock"

    @property
    def s3_url(self) -> str:
        """boto3 `s3` `endpoint_url` (`AWS_ENDPOINT_URL_S3`), path-style."""
        return f"{self.url}/s3"

    @property
    def vertex_base_url(self) -> str:
        """google-genai `vertexai=True` `http_options.base_url`."""
        return f"{self.url}/vertex"

    @property
    def storage_emulator_host(self) -> str:
        """google-cloud-storage's `STORAGE_EMULATOR_HOST` (or `client_options.api_endpoint`)."""
        return self.url

    @property
    def loopback_url(self) -> str:
        """A URL with a socket behind it for this emulator, for SDKs that cannot take an HTTP
        client (boto3, google-cloud-storage): `url` on a loopback handle; in process, a loopback
        server for the same app and state, started on first use and stopped with the handle."""
        if self.server is not None:
            return self.url
        if self._side is None:
            self._side = ServerThread(self.emulator.app)
            self._side.start()
        return f"http://{self._side.host}:{self._side.port}"

    def env(self) -> dict[str, str]:
        """Variables that point SDK clients built by the code under test at this emulator: each
        SDK's own documented names (mistralai reads only its key: pass `server_url` yourself;
        google-genai reads no Vertex base URL or credentials: use `vertex_client()`)."""
        return {**self._sdk_env(), **self._cloud_env()}

    def _cloud_env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_S3": self.s3_url,
            "AWS_ENDPOINT_URL_BEDROCK": self.bedrock_url,
            "AWS_ACCESS_KEY_ID": cloud_clients.AWS_KEY,
            "AWS_SECRET_ACCESS_KEY": cloud_clients.AWS_KEY,
            "AWS_DEFAULT_REGION": cloud_clients.REGION,
            "STORAGE_EMULATOR_HOST": self.storage_emulator_host,
        }

    def _sdk_env(self) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": self.openai_base_url,
            "OPENAI_API_KEY": API_KEY,
            "AZURE_OPENAI_ENDPOINT": self.azure_endpoint,
            "AZURE_OPENAI_API_KEY": API_KEY,
            "OPENAI_API_VERSION": AZURE_API_VERSION,
            "ANTHROPIC_BASE_URL": self.anthropic_base_url,
            "ANTHROPIC_API_KEY": API_KEY,
            "GOOGLE_GEMINI_BASE_URL": self.gemini_base_url,
            "GEMINI_API_KEY": API_KEY,
            "GOOGLE_API_KEY": API_KEY,
            "GROQ_BASE_URL": self.groq_base_url,
            "GROQ_API_KEY": API_KEY,
            "MISTRAL_API_KEY": API_KEY,
            "TOGETHER_BASE_URL": self.together_base_url,
            "TOGETHER_API_KEY": API_KEY,
        }

    def control_headers(self) -> dict[str, str]:
        """Headers for HTTP calls to /_emulator/*: the control token, when one is set."""
        token = self.emulator.config.control_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    # -- the Emulator's control surface, typed ---------------------------------------------
    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> float:
        """Move the emulator clock forward (never back); returns the new `now`."""
        return self.emulator.advance(seconds, minutes=minutes, hours=hours, days=days)

    def emulate_sleeps(self) -> EmulatedSleeps:
        """`with handle.emulate_sleeps():` sleeps in the code under test advance this clock
        instead of waiting (what the `batch_emulator_sleep` fixture does)."""
        return self.emulator.emulate_sleeps()

    def configure(self, **changes: Any) -> EmulatorConfig:
        return self.emulator.configure(**changes)

    @property
    def config(self) -> EmulatorConfig:
        return self.emulator.config

    @property
    def batches(self) -> list[BatchInfo]:
        """Every batch of every dialect as seen now (reading does not count as a poll)."""
        return self.emulator.batches

    def batch(self, batch_id: str) -> BatchInfo:
        """One batch as seen now (not a poll); an unknown id raises the core's not-found."""
        return self.emulator.batch(batch_id)

    @property
    def requests(self) -> list[JournalEntry]:
        return self.emulator.requests

    @property
    def faults(self) -> FaultBook:
        return self.emulator.faults

    def add_fault(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> str:
        return self.emulator.add_fault(fault, **fields)

    @contextmanager
    def fault(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> Iterator[str]:
        """A fault rule live only inside the `with` block (the plugin still checks that a
        `times=`-bounded one was used up)."""
        with self.emulator.fault(fault, **fields) as rule:
            yield rule

    def verdict(self, ignore: Iterable[str] = ()) -> list[Finding]:
        """What the client did that a careful one would not (see the README's client verdict)."""
        return self.emulator.verdict(ignore)

    def step(self, batch_id: str) -> BatchInfo:
        """Move one batch one phase on, whatever its timing policy."""
        return self.emulator.step(batch_id)

    def transition(self, batch_id: str, to: BatchState | str) -> BatchInfo:
        """Force a batch into a core state (`to` as in `BatchState`; a typo lists them)."""
        return self.emulator.transition(batch_id, to)

    def __getattr__(self, name: str) -> Any:
        # Anything else public on the Emulator (now, batch, records, fault, service, app...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.emulator, name)

    # -- clients ---------------------------------------------------------------------------
    def asgi_client(self, *, package: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An async HTTP client that calls the app in this process: pass it as `http_client`.

        It is built from the package your SDK uses (`httpx2` for openai 3.x, anthropic 2.x and
        google-genai 3.x; `httpx` for older releases), read from what is installed;
        `package=` overrides. The typing says httpx because the two share their API."""
        chosen = package or inprocess.default_package()
        client: httpx.AsyncClient = inprocess.async_client(
            self.emulator.app, self.url, chosen, **kwargs
        )
        return client

    def asgi_sync_client(self, *, package: str | None = None, **kwargs: Any) -> httpx.Client:
        """The sync counterpart of `asgi_client()`: requests run on the app through a bridge
        thread's event loop (as Starlette's TestClient does), still with no socket."""
        chosen = package or inprocess.default_package()
        client: httpx.Client = inprocess.sync_client(
            self.emulator.app, self.url, chosen, self._bridge(), **kwargs
        )
        return client

    def _bridge(self) -> inprocess.LoopThread:
        if self._loop is None:
            self._loop = inprocess.LoopThread()
        return self._loop

    def _http(self, default_client: type, *, sync: bool) -> Any:
        """In-process handles wire SDK clients to the app with the package the SDK is built
        on; loopback handles leave the SDK its own default client (None)."""
        if self.server is not None:
            return None
        package = inprocess.package_of(default_client) or inprocess.default_package()
        return self.asgi_sync_client(package=package) if sync else self.asgi_client(package=package)

    def openai_client(self, **kwargs: Any) -> openai.OpenAI:
        import openai

        kwargs.setdefault("http_client", self._http(openai.DefaultHttpxClient, sync=True))
        return openai.OpenAI(base_url=self.openai_base_url, api_key=API_KEY, **kwargs)

    def async_openai_client(self, **kwargs: Any) -> openai.AsyncOpenAI:
        import openai

        kwargs.setdefault("http_client", self._http(openai.DefaultAsyncHttpxClient, sync=False))
        return openai.AsyncOpenAI(base_url=self.openai_base_url, api_key=API_KEY, **kwargs)

    def anthropic_client(self, **kwargs: Any) -> anthropic.Anthropic:
        import anthropic

        kwargs.setdefault("http_client", self._http(anthropic.DefaultHttpxClient, sync=True))
        return anthropic.Anthropic(base_url=self.anthropic_base_url, api_key=API_KEY, **kwargs)

    def async_anthropic_client(self, **kwargs: Any) -> anthropic.AsyncAnthropic:
        import anthropic

        kwargs.setdefault("http_client", self._http(anthropic.DefaultAsyncHttpxClient, sync=False))
        base = self.anthropic_base_url
        return anthropic.AsyncAnthropic(base_url=base, api_key=API_KEY, **kwargs)

    def azure_client(self, **kwargs: Any) -> openai.AzureOpenAI:
        import openai

        kwargs.setdefault("api_version", AZURE_API_VERSION)
        kwargs.setdefault("http_client", self._http(openai.DefaultHttpxClient, sync=True))
        return openai.AzureOpenAI(azure_endpoint=self.azure_endpoint, api_key=API_KEY, **kwargs)

    def groq_client(self, **kwargs: Any) -> groq.Groq:
        import groq

        kwargs.setdefault("http_client", self._http(groq.DefaultHttpxClient, sync=True))
        return groq.Groq(base_url=self.groq_base_url, api_key=API_KEY, **kwargs)

    def mistral_client(self, **kwargs: Any) -> Mistral:
        import httpx
        from mistralai.client import Mistral

        kwargs.setdefault("client", self._http(httpx.Client, sync=True))  # mistralai: httpx
        return Mistral(server_url=self.mistral_server_url, api_key=API_KEY, **kwargs)

    def together_client(self, **kwargs: Any) -> together.Together:
        import together

        kwargs.setdefault("http_client", self._http(together.DefaultHttpxClient, sync=True))
        return together.Together(base_url=self.together_base_url, api_key=API_KEY, **kwargs)

    def gemini_client(self, **kwargs: Any) -> genai.Client:
        """A google-genai client; in process, both `client.batches` and `client.aio.batches`
        reach the app (google-genai takes a sync and an async HTTP client)."""
        from google import genai

        options = self._genai_options(self.gemini_base_url, kwargs)
        return genai.Client(api_key=API_KEY, http_options=options, **kwargs)

    def vertex_client(self, **kwargs: Any) -> genai.Client:
        """google-genai with `vertexai=True` on `vertex_base_url`: project `emulator-project`,
        location `us-central1`, a dummy OAuth token; in process like `gemini_client()`."""
        from google import genai
        from google.oauth2.credentials import Credentials

        options = self._genai_options(self.vertex_base_url, kwargs)
        kwargs.setdefault("project", cloud_clients.PROJECT)
        kwargs.setdefault("location", cloud_clients.LOCATION)
        kwargs.setdefault("credentials", Credentials(token="emulator"))  # type: ignore[no-untyped-call]
        return genai.Client(vertexai=True, http_options=options, **kwargs)

    def _genai_options(self, base_url: str, kwargs: dict[str, Any]) -> Any:
        """google-genai's `http_options`: the base URL, the in-process HTTP clients when there
        is no server, then whatever the caller passed in `kwargs["http_options"]`."""
        from google.genai import types

        update: dict[str, Any] = {"base_url": base_url}
        if self.server is None:
            package = inprocess.gemini_package()
            update["httpx_client"] = self.asgi_sync_client(package=package)
            update["httpx_async_client"] = self.asgi_client(package=package)
        options = types.HttpOptions(**update)
        extra = kwargs.pop("http_options", None)
        return options if extra is None else options.model_copy(update=dict(extra))

    # boto3 and google-cloud-storage take no HTTP client, so in process they reach the same
    # emulator through `loopback_url` (a socket on 127.0.0.1), never another emulator.
    def bedrock_client(self, **kwargs: Any) -> Any:
        """boto3 `bedrock` on `<loopback_url>/bedrock`, dummy keys, region us-east-1."""
        return cloud_clients.boto3_client("bedrock", f"{self.loopback_url}/bedrock", **kwargs)

    def s3_client(self, **kwargs: Any) -> Any:
        """boto3 `s3` on `<loopback_url>/s3`, path-style, dummy keys, region us-east-1."""
        return cloud_clients.boto3_client("s3", f"{self.loopback_url}/s3", **kwargs)

    def gcs_client(self, **kwargs: Any) -> Any:
        """`google.cloud.storage.Client` on `loopback_url`, anonymous, project emulator-project."""
        return cloud_clients.gcs_client(self.loopback_url, **kwargs)
