"""Who may talk to this server: a Host check for every route, plus Origin, content-type and
an optional token for the control plane.

The emulator binds loopback by default, but a web page in the developer's browser can still
reach loopback: by DNS rebinding (its own name resolving to 127.0.0.1, so the browser sends
*that* name as Host) or by a "simple" cross-site POST (text/plain, no preflight). So:

- Host must be a loopback name (localhost, *.localhost, 127.0.0.0/8, ::1), a name from
  `allowed_hosts` (the CLI adds the `--host` it binds) or the host of `external_url`;
  otherwise 421 in the route's envelope. Links built from Host (Gemini upload URLs, Anthropic
  `results_url`) are then never a stranger's name either. In-process calls (an ASGI transport:
  no socket, so no browser and no DNS) are recognised by their `server` not being an IP
  address, which a socket's always is, and may use any base URL.
- `/_emulator/*`: a browser's Origin must be this very server; a body must be JSON (a plain
  form or text/plain POST is refused: 415); with `control_token` set, it must be sent as
  `Authorization: Bearer <token>` or `X-Emulator-Token: <token>` (401 otherwise).

Pure ASGI and a handful of header lookups per request, so it costs nothing measurable.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.config import EmulatorConfig
from emulator.core.numbers import ascii_int
from emulator.headers import first as first_header

if TYPE_CHECKING:
    from starlette.responses import Response

CONTROL_PREFIX = "/_emulator"
PAGE = CONTROL_PREFIX + "/"  # the dashboard (emulator.dashboard)
TOKEN_ENV = "BATCH_EMULATOR_CONTROL_TOKEN"
TOKEN_HEADER = "x-emulator-token"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
Reject = Callable[[Scope, int, str], "Response"]


@functools.lru_cache(maxsize=256)  # every request asks; hosts are few (bounded for hostile ones)
def split_host(value: str) -> tuple[str, int | None] | None:
    """(name, port) of a Host header or host[:port] string; None if it is malformed."""
    text = value.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        name, rest = text[1:end], text[end + 1 :]
    else:
        name, colon, port_text = text.partition(":")
        rest = colon + port_text
    if rest and (not rest.startswith(":") or ascii_int(rest[1:]) is None):
        return None
    return name.rstrip("."), ascii_int(rest[1:]) if rest else None


@functools.lru_cache(maxsize=256)  # every request asks; hosts are few (bounded for hostile ones)
def is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


@functools.lru_cache(maxsize=32)
def _extra_names(external_url: str | None, allowed: tuple[str, ...]) -> frozenset[str]:
    names = set()
    for entry in allowed:
        parsed = split_host(entry)
        if parsed is not None:
            names.add(parsed[0])
    if external_url:
        host = urlsplit(external_url).hostname
        if host:
            names.add(host.lower().rstrip("."))
    return frozenset(names)


def host_allowed(value: str, config: EmulatorConfig) -> bool:
    parsed = split_host(value)
    if parsed is None or not parsed[0]:
        return False
    name = parsed[0]
    return is_loopback(name) or name in _extra_names(config.external_url, config.allowed_hosts)


def same_origin(origin: str, host: str, scheme: str) -> bool:
    """Origin `scheme://name[:port]` names exactly the server the Host header names."""
    try:
        parts = urlsplit(origin)
        origin_port = parts.port
    except ValueError:
        return False
    here = split_host(host)
    if parts.scheme not in ("http", "https") or not parts.hostname or here is None:
        return False
    default = {"http": 80, "https": 443}
    return (parts.hostname.rstrip("."), origin_port or default[parts.scheme]) == (
        here[0],
        here[1] or default.get(scheme, 80),
    )


def token_matches(headers: dict[str, str], token: str) -> bool:
    given = headers.get(TOKEN_HEADER)
    if given is None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        given = value.strip() if scheme.lower() == "bearer" else None
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def is_page(method: str, path: str) -> bool:
    """The dashboard page and its static files: they hold no state, and a browser cannot send
    a header when it opens a page, so they need no token (the page then sends it itself)."""
    return method == "GET" and (path == PAGE or path.startswith(PAGE + "static/"))


def control_problem(
    headers: dict[str, str], method: str, scheme: str, config: EmulatorConfig, path: str = ""
) -> tuple[int, str] | None:
    """Why a control-plane request is refused, or None."""
    origin = headers.get("origin")
    if origin is not None and not same_origin(origin, headers.get("host", ""), scheme):
        return 403, "cross-origin requests to the control plane are refused"
    wanted = None if is_page(method, path) else config.control_token
    if wanted and not token_matches(headers, wanted):
        return 401, (
            "this server requires its control token: send `Authorization: Bearer <token>` "
            "or `X-Emulator-Token: <token>`"
        )
    has_body = "transfer-encoding" in headers or (ascii_int(headers.get("content-length")) or 0)
    if method in BODY_METHODS and has_body and not _is_json(headers.get("content-type", "")):
        return 415, "the control plane takes JSON bodies: send Content-Type: application/json"
    return None


def _over_socket(scope: Scope) -> bool:
    """A request that came over a TCP socket: its `server` is the socket's IP address."""
    server = scope.get("server")
    return server is not None and _is_address(str(server[0]))


@functools.lru_cache(maxsize=64)  # asked on every request; a server has one or two addresses
def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class AccessGuard:
    """ASGI middleware applying the rules above before any route runs."""

    def __init__(self, app: ASGIApp, config: Callable[[], EmulatorConfig], reject: Reject):
        self.app = app
        self.config = config
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        config = self.config()
        host = first_header(scope, b"host")
        problem: tuple[int, str] | None = None
        if host is not None and _over_socket(scope) and not host_allowed(host, config):
            problem = (
                421,
                (
                    f"this server does not answer for host {host[:100]!r}: use a loopback name, "
                    "or start it with --allow-host / external_url"
                ),
            )
        elif scope["path"].startswith(CONTROL_PREFIX):
            scheme = scope.get("scheme", "http")
            every: dict[str, str] = {}
            for key, value in scope["headers"]:  # the first of a repeated one, as Starlette
                every.setdefault(key.decode("latin-1"), value.decode("latin-1"))
            problem = control_problem(every, scope["method"], scheme, config, scope["path"])
        if problem is None:
            await self.app(scope, receive, send)
            return
        response = self.reject(scope, *problem)
        await response(scope, receive, send)
