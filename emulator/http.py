"""The one place where an HTTP call meets the core: journal, HTTP faults and error rendering.

Every dialect route is wrapped by `operation(...)`, so no dialect can forget to journal a call,
honour a fault, or turn an exception into its own envelope (no 500 page, no traceback).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from emulator import bodies, headers, sleeps
from emulator.core import jsonsafe
from emulator.core.errors import EmulatorError, ErrorKind, invalid, kind_for_status, shorten
from emulator.core.faults import HttpFault
from emulator.core.journal import JournalEntry, collecting, wall_now
from emulator.core.numbers import ascii_int
from emulator.core.service import BatchService
from emulator.offload import off_loop, when_heavy

log = logging.getLogger("emulator")
Handler = Callable[[Request], Awaitable[Response]]
RETRY_HEADERS = ("x-stainless-retry-count", "x-goog-api-retry-count")
RETRY_KEYS = tuple(name.encode() for name in RETRY_HEADERS)


@dataclass(frozen=True)
class FaultWords:
    """How a provider words an injected HTTP failure: a message per status (else the server
    or client default), and statuses it never sends remapped (Google has no 529)."""

    messages: Mapping[int, str] = field(default_factory=dict)
    server: str = "The server had an error while processing your request. Sorry about that!"
    client: str = "Injected fault."
    remap: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Dialect:
    """How one provider speaks: its error envelope, its request-id header, its auth rule."""

    name: str
    render_error: Callable[[EmulatorError, str], Response]
    request_id_header: str = "x-request-id"
    request_id_prefix: str = "req_"
    # The provider's own request-id shape, from the seeded id (None: prefix + seeded id).
    request_id_form: Callable[[str], str] | None = None
    authenticate: Callable[[Request], None] | None = None
    fault_words: FaultWords = FaultWords(
        {
            429: "Rate limit reached for requests. Please try again later.",
            503: "The server is overloaded or not ready yet.",
            529: "Overloaded",
        }
    )
    # Headers the real service adds to every answer, given the handling time in ms.
    extra_headers: Callable[[float], dict[str, str]] | None = None


def origin(service: BatchService, request: Request) -> str:
    """This server as the client reached it (`external_url` if configured), for absolute
    links in responses: Anthropic's `results_url`, Gemini's upload and download URLs."""
    configured = service.config.external_url
    return configured.rstrip("/") if configured else f"{request.url.scheme}://{request.url.netloc}"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    try:
        data = orjson.dumps(body)  # compact UTF-8, like the stdlib with separators=(",", ":")
    except TypeError:  # an integer past 64 bits a client stored (JSON allows any): the stdlib
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(data, status_code=status, headers=headers, media_type="application/json")


def _json_too_large() -> EmulatorError:
    return EmulatorError(ErrorKind.TOO_LARGE, "Request body too large.")


async def read_json(
    request: Request, *, allow_empty: bool = False, limit: int = bodies.JSON_CAP
) -> Any:
    """A JSON body of at most `limit` bytes (refused while streaming), nested at most
    `jsonsafe.MAX_DEPTH` deep; anything else is the dialect's invalid-JSON 400."""
    raw = await bodies.read_body(request, limit, _json_too_large)
    if not raw.strip():
        if allow_empty:
            return {}
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely "
            "means you aren't using your HTTP library correctly. The API expects a "
            "JSON payload, but what was sent was not valid JSON.)"
        )
    try:
        return jsonsafe.loads(raw)
    except ValueError:
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely "
            "means you aren't using your HTTP library correctly. The API expects a "
            "JSON payload, but what was sent was not valid JSON.)"
        ) from None


def scenario_of(request: Request, metadata: dict[str, str] | None = None) -> str | None:
    """The per-batch scenario: `x-emulator-scenario`, else `metadata.emulator_scenario`."""
    header = request.headers.get("x-emulator-scenario")
    return header if header is not None else (metadata or {}).get("emulator_scenario")


def timing_of(request: Request) -> str | None:
    """The per-batch timing policy from `x-emulator-timing` (e.g. `polls:3`, `manual`)."""
    return request.headers.get("x-emulator-timing")


class Dropped(Response):
    """No response at all: the server hangs up (the SDK sees a connection error)."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _hang_up(receive, send)


class ClientGone(Response):
    """The client hung up before we could answer (mid-upload, say): nothing is sent, and the
    journal records nginx's 499 "client closed request" instead of a server error."""

    def __init__(self) -> None:
        super().__init__(status_code=CLIENT_CLOSED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


CLIENT_CLOSED = 499


# Every file download says so: a browser never sniffs a stored file into HTML or script.
INERT = {"x-content-type-options": "nosniff"}


class FileBody(Response):
    """A stored file sent in 1 MiB slices: no second 45 MB copy of a big output file per
    download (uvicorn would otherwise join headers and body into one buffer). Inert: the
    download carries `X-Content-Type-Options: nosniff`."""

    CHUNK = 1 << 20

    def __init__(
        self,
        data: bytes,
        media_type: str | None = "application/octet-stream",
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(data, status_code, {**(headers or {}), **INERT}, media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        view = memoryview(self.body)
        for start in range(0, len(view), self.CHUNK):
            chunk = bytes(view[start : start + self.CHUNK])
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


class Truncated(Response):
    """The real answer with its full content-length declared, cut short, then a hang-up."""

    def __init__(self, inner: Response, share: float) -> None:
        body = bytes(getattr(inner, "body", b""))  # a streamed answer is cut to nothing
        super().__init__(status_code=inner.status_code)
        self.raw_headers = [(k, v) for k, v in inner.raw_headers if k != b"content-length"]
        declared = max(len(body), 1)
        self.raw_headers.append((b"content-length", str(declared).encode()))
        self.part = body[: min(int(len(body) * share), declared - 1)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.part, "more_body": True})
        await _hang_up(receive, send)


def _server_cycle(*callables: Any) -> Any:
    """uvicorn's per-request cycle (it owns the transport), behind Starlette's send wrappers."""
    todo: list[Any] = list(callables)
    seen: set[int] = set()
    while todo:
        fn = todo.pop()
        if id(fn) in seen or len(seen) > 64:
            continue
        seen.add(id(fn))
        owner = getattr(fn, "__self__", None)
        if hasattr(owner, "transport") and hasattr(owner, "disconnected"):
            return owner
        todo += [
            c.cell_contents
            for c in getattr(fn, "__closure__", None) or ()
            if callable(c.cell_contents)
        ]
    return None


@functools.cache
def _disconnect_error() -> type[Exception]:
    """httpx's and httpx2's RemoteProtocolError at once, so an SDK on an in-process ASGI
    transport sees the same connection error (and retries) as it would over a socket."""
    bases = []
    for name in ("httpx2", "httpx"):
        with contextlib.suppress(ImportError):
            bases.append(importlib.import_module(name).RemoteProtocolError)
    return type("InjectedDisconnect", tuple(bases) or (ConnectionAbortedError,), {})


async def _hang_up(receive: Receive, send: Send) -> None:
    """Close the socket after flushing what was sent, and wait until uvicorn notices, so it
    neither answers a 500 of its own nor logs an incomplete response."""
    cycle = _server_cycle(receive, send)
    if cycle is None:  # in-process ASGI (or another server): raise what a transport would
        raise _disconnect_error()("Server disconnected without sending a complete response.")
    cycle.transport.close()
    for _ in range(2000):
        if cycle.disconnected:
            return
        await sleeps.real_async_sleep(0.001)  # never an emulated sleep (emulator.sleeps)


def fault_error(fault: HttpFault, words: FaultWords) -> EmulatorError:
    """An injected HTTP failure as the provider would word it (one rule for every dialect)."""
    status = fault.status or 500
    status = words.remap.get(status, status)
    default = words.server if status >= 500 else words.client
    message = fault.message or words.messages.get(status, default)
    code = fault.google_status or fault.error_type  # google_status is Gemini-only (checked)
    return EmulatorError(kind_for_status(status), message, status=status, code=code)


def fault_headers(fault: HttpFault) -> dict[str, str]:
    headers = {}
    if fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after:g}"
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = str(fault.retry_after_ms)
    if fault.should_retry is not None:
        headers["x-should-retry"] = "true" if fault.should_retry else "false"
    return headers


def _batch_id(request: Request) -> str | None:
    """The batch a call is about, whatever the dialect calls its path parameter."""
    for key, value in request.path_params.items():
        if "batch" in key and isinstance(value, str):
            return value.rsplit("/", 1)[-1]
    return None


def _file_id(request: Request) -> str | None:
    value = request.path_params.get("file_id")
    return value if isinstance(value, str) else None


def _retry_after(response: Response) -> float | None:
    """The wait the answer asked for, as an SDK reads it: `retry-after-ms` first, then
    `retry-after` in seconds (an HTTP date is not something this server sends). Read off the
    raw list in one pass: every call is journalled and most answers carry neither."""
    millis = seconds = None
    for key, value in response.raw_headers:
        if key == b"retry-after-ms" and millis is None:
            millis = value
        elif key == b"retry-after" and seconds is None:
            seconds = value
    with contextlib.suppress(ValueError):
        if millis is not None:
            return float(millis) / 1000
        if seconds is not None:
            return float(seconds)
    return None


def request_path(scope: Scope) -> str:
    """`request.url.path` without building a URL (which parses the Host header and joins and
    splits the whole address) on every journalled call; only a path holding a character the
    URL escapes or drops takes the long way, so both spell it the same."""
    path: str = scope["path"]
    if any(c in path for c in _URL_ODD):
        return Request(scope).url.path
    return path


_URL_ODD = "?#\\\t\r\n"  # escaped (the first three) or dropped (the rest) by the URL


def set_headers(response: Response, headers: Mapping[str, str]) -> None:
    """Add headers the response does not carry yet by appending to its raw list; one it does
    carry is replaced through Starlette's MutableHeaders, as `response.headers[k] = v` does.
    (Every answer gets its request id and a dialect's recorded headers this way; the raw
    append skips MutableHeaders' scan of the whole list per header.)"""
    raw = response.raw_headers
    present = {key for key, _ in raw}
    for name, value in headers.items():
        key = _KEYS.get(name)
        if key is None:
            key = _KEYS[name] = name.lower().encode("latin-1")
        if key in present:
            response.headers[name] = value
        else:
            raw.append((key, value.encode("latin-1")))
            present.add(key)


# Header names as raw keys. Names come from this code (dialects' own headers, fault headers),
# never from a request, so the map stays as small as the set of names the server can send.
_KEYS: dict[str, bytes] = {}


def operation(service: BatchService, dialect: Dialect, name: str, handler: Handler) -> Handler:
    handler = when_heavy(service, handler)  # big parses and renders leave the event loop
    id_header, extra = dialect.request_id_header, dialect.extra_headers
    form = dialect.request_id_form

    async def endpoint(request: Request) -> Response:
        arrived, at, generation = wall_now(), service.now(), service.journal.generation
        seeded = service.ids.next("request")
        request_id = dialect.request_id_prefix + seeded if form is None else form(seeded)
        batch_id = _batch_id(request)
        path = request_path(request.scope)
        found = await _match(service, dialect.name, name, request.method, path, batch_id)
        rule, fault = found if found is not None else (None, None)
        started = time.perf_counter()
        with collecting() as facts:  # what the core noted: the batch created, the state seen
            response = await _answer(request, dialect, handler, fault, request_id)
        added = {id_header: request_id}
        if extra is not None:
            added.update(extra((time.perf_counter() - started) * 1000))
        set_headers(response, added)
        if fault is not None and fault.truncate is not None:
            response = Truncated(response, fault.truncate)
        service.journal.add(
            JournalEntry(
                at=at,
                method=request.method,
                path=path,
                dialect=dialect.name,
                operation=name,
                status=None if isinstance(response, Dropped) else response.status_code,
                retry_count=_retry_count(request.scope),
                batch_id=batch_id or facts.get("batch_id"),
                fault=None if fault is None else _effect(fault, response),
                wall=arrived,
                request_id=request_id,
                rule=rule,
                file_id=_file_id(request) or facts.get("object"),
                # only a refusal asks for a wait (a fault's, or a rate limit's)
                retry_after=_retry_after(response) if response.status_code >= 400 else None,
                state=facts.get("state"),
                gave_results=facts.get("results", False),
            ),
            generation,
        )
        return response

    endpoint.operation = (dialect.name, name)  # type: ignore[attr-defined]  # profile check
    return endpoint


async def _match(
    service: BatchService, dialect: str, name: str, method: str, path: str, batch_id: str | None
) -> tuple[str, HttpFault] | None:
    """The fault rule this call meets; matched off the loop when a rule's regex is costly."""
    faults = service.faults
    if not faults.costly_http(dialect, name):
        return faults.match_http(dialect, name, method, path, batch_id)
    return await off_loop(
        lambda: faults.match_http(dialect, name, method, path, batch_id), heavy=False
    )


def _effect(fault: HttpFault, response: Response) -> str:
    if fault.truncate is not None and fault.status is None:
        return f"http:{response.status_code}+truncate"
    return fault.effect


async def _answer(
    request: Request, dialect: Dialect, handler: Handler, fault: HttpFault | None, request_id: str
) -> Response:
    try:
        if fault is not None:
            if fault.latency:
                await asyncio.to_thread(sleeps.real_sleep, fault.latency)  # real time, always
            if fault.drop:
                return Dropped()
            if fault.status is not None:
                error = fault_error(fault, dialect.fault_words)
                error.headers.update(fault_headers(fault))
                raise error
        if dialect.authenticate is not None:
            dialect.authenticate(request)
        return await handler(request)
    except EmulatorError as err:
        err.message = shorten(err.message)
        response = dialect.render_error(err, request_id)
        response.headers.update(err.headers)
        return response
    except ClientDisconnect:
        return ClientGone()
    except HTTPException as exc:  # Starlette's own (a form it could not parse, say)
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        refused = EmulatorError(kind_for_status(status), shorten(str(exc.detail)), status=status)
        return dialect.render_error(refused, request_id)
    except RecursionError:  # a structure too deep for some step that jsonsafe did not guard
        return dialect.render_error(invalid("The request is nested too deeply."), request_id)
    except Exception:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        crash = EmulatorError(
            ErrorKind.SERVER,
            "The server had an error while processing your request. Sorry about that!",
        )
        return dialect.render_error(crash, request_id)


def _retry_count(scope: Scope) -> int | None:
    """The retry number the SDK sent (the first of RETRY_HEADERS it carries)."""
    sent = headers.raw(scope)
    for key in RETRY_KEYS:
        value = sent.get(key)
        number = None if value is None else ascii_int(value.decode("latin-1"))
        if number is not None:
            return number
    return None


def route(
    service: BatchService,
    dialect: Dialect,
    path: str,
    name: str,
    handler: Handler,
    method: str = "GET",
) -> Route:
    return Route(path, operation(service, dialect, name, handler), methods=[method], name=name)
