"""The one place where an HTTP call meets the core: journal, HTTP faults and error rendering.

Every dialect route is wrapped by `operation(...)`, so no dialect can forget to journal a call,
honour a fault, or turn an exception into its own envelope (no 500 page, no traceback).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.core.errors import EmulatorError, ErrorKind, invalid, kind_for_status
from emulator.core.faults import HttpFault
from emulator.core.journal import JournalEntry
from emulator.core.service import BatchService

log = logging.getLogger("emulator")
Handler = Callable[[Request], Awaitable[Response]]
RETRY_HEADERS = ("x-stainless-retry-count", "x-goog-api-retry-count")


@dataclass(frozen=True)
class Dialect:
    """How one provider speaks: its error envelope, its request-id header, its auth rule."""

    name: str
    render_error: Callable[[EmulatorError, str], Response]
    request_id_header: str = "x-request-id"
    request_id_prefix: str = "req_"
    authenticate: Callable[[Request], None] | None = None
    fault_error: Callable[[HttpFault], EmulatorError] | None = None


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(data, status_code=status, headers=headers, media_type="application/json")


async def read_json(request: Request, *, allow_empty: bool = False) -> Any:
    raw = await request.body()
    if not raw.strip():
        if allow_empty:
            return {}
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely "
            "means you aren't using your HTTP library correctly. The API expects a "
            "JSON payload, but what was sent was not valid JSON.)"
        )
    try:
        return json.loads(raw)
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


def default_fault_error(fault: HttpFault) -> EmulatorError:
    kind = kind_for_status(fault.status)
    message = fault.message or _FAULT_MESSAGES.get(kind, "Injected fault.")
    return EmulatorError(kind, message, status=fault.status, code=fault.error_type)


_FAULT_MESSAGES = {
    ErrorKind.RATE_LIMITED: "Rate limit reached for requests. Please try again later.",
    ErrorKind.SERVER: "The server had an error while processing your request. Sorry about that!",
    ErrorKind.UNAVAILABLE: "The server is overloaded or not ready yet.",
    ErrorKind.OVERLOADED: "Overloaded",
}


def fault_headers(fault: HttpFault) -> dict[str, str]:
    headers = {}
    if fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after:g}"
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = str(fault.retry_after_ms)
    if fault.should_retry is not None:
        headers["x-should-retry"] = "true" if fault.should_retry else "false"
    return headers


def operation(service: BatchService, dialect: Dialect, name: str, handler: Handler) -> Handler:
    async def endpoint(request: Request) -> Response:
        request_id = dialect.request_id_prefix + service.ids.next("request")
        batch_id = request.path_params.get("batch_id")
        fault = service.faults.take_http(
            dialect.name, name, request.method, request.url.path, batch_id
        )
        response = await _answer(request, dialect, handler, fault, request_id)
        response.headers[dialect.request_id_header] = request_id
        service.journal.add(
            JournalEntry(
                at=service.now(),
                method=request.method,
                path=request.url.path,
                dialect=dialect.name,
                operation=name,
                status=response.status_code,
                retry_count=_retry_count(request),
                batch_id=batch_id,
                fault=None if fault is None else f"http:{fault.status}",
            )
        )
        return response

    return endpoint


async def _answer(
    request: Request, dialect: Dialect, handler: Handler, fault: HttpFault | None, request_id: str
) -> Response:
    try:
        if fault is not None:
            if fault.latency:
                await asyncio.to_thread(time.sleep, fault.latency)  # freezegun-proof wait
            error = (dialect.fault_error or default_fault_error)(fault)
            error.headers.update(fault_headers(fault))
            raise error
        if dialect.authenticate is not None:
            dialect.authenticate(request)
        return await handler(request)
    except EmulatorError as err:
        response = dialect.render_error(err, request_id)
        response.headers.update(err.headers)
        return response
    except Exception:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        crash = EmulatorError(
            ErrorKind.SERVER,
            "The server had an error while processing your request. Sorry about that!",
        )
        return dialect.render_error(crash, request_id)


def _retry_count(request: Request) -> int | None:
    for header in RETRY_HEADERS:
        value = request.headers.get(header)
        if value is not None and value.isdigit():
            return int(value)
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
