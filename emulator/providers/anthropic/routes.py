"""Anthropic Message Batches routes: parse the request, call the service, map the answer.

Both SDK generations are served on the same paths: <= 1.x sends `x-api-key` (and, for the beta
resource, `?beta=true` plus an `anthropic-beta` header, both ignored here); >= 2.0 sends
`Authorization: Bearer`. Any `anthropic-version` is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, invalid, kind_for_status, not_found
from emulator.core.faults import HttpFault
from emulator.core.paging import window
from emulator.core.results.anthropic import ENDPOINT
from emulator.core.service import BatchService, NewBatch
from emulator.core.states import TERMINAL
from emulator.http import Dialect, json_response, route, scenario_of, timing_of
from emulator.providers.anthropic import dialect as d, params, wire

PREFIXES = ("/v1/messages",)
SCOPE = {"anthropic"}
NO_KEY = "x-api-key header is required"
NOT_DELETABLE = "In progress batches cannot be deleted. Consider canceling the batch instead."
FAULT_MESSAGES = {
    ErrorKind.RATE_LIMITED: "Number of requests has exceeded your rate limit.",
    ErrorKind.OVERLOADED: "Overloaded",
    ErrorKind.UNAVAILABLE: "Service unavailable.",
}


def authenticate(request: Request) -> None:
    if request.headers.get("x-api-key", "").strip():
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return
    raise EmulatorError(ErrorKind.AUTHENTICATION, NO_KEY)


def fault_error(fault: HttpFault) -> EmulatorError:
    status = fault.status or 500
    kind = kind_for_status(status)
    message = fault.message or FAULT_MESSAGES.get(kind, "Internal server error")
    return EmulatorError(kind, message, status=status, code=fault.error_type)


DIALECT = Dialect(
    "anthropic",
    d.render_error,
    request_id_header="request-id",
    authenticate=authenticate,
    fault_error=fault_error,
)


def _origin(service: BatchService, request: Request) -> str:
    """This server as the client reached it (keeping any mount prefix), or `external_url`."""
    path = request.url.path
    prefix = path[: path.find(d.BATCHES_PATH)] if d.BATCHES_PATH in path else ""
    base = service.config.external_url or f"{request.url.scheme}://{request.url.netloc}"
    return base.rstrip("/") + prefix


def _render(service: BatchService, request: Request, view: View) -> dict[str, Any]:
    return d.batch_to_wire(view, _origin(service, request), service.config.incremental_counts)


def _find(lookup: Callable[[str, set[str]], View], batch_id: str) -> View:
    try:
        return lookup(batch_id, SCOPE)
    except EmulatorError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            raise not_found(f"Message Batch {batch_id} not found.") from None
        raise


async def create_batch(service: BatchService, request: Request) -> Response:
    items = params.parse_requests(await params.read_body(request))
    view = service.create_batch(
        NewBatch(
            dialect="anthropic",
            endpoint=ENDPOINT,
            items=items,
            provider="anthropic",
            scenario=scenario_of(request),
            timing=timing_of(request),
            id_prefix="msgbatch_",
        )
    )
    return json_response(_render(service, request, view))


async def get_batch(service: BatchService, request: Request) -> Response:
    view = _find(service.get_batch, request.path_params["batch_id"])
    return json_response(_render(service, request, view))


async def list_batches(service: BatchService, request: Request) -> Response:
    q = request.query_params
    limit = params.parse_limit(q.get("limit"))
    after, before = q.get("after_id"), q.get("before_id")
    if after is not None and before is not None:
        raise invalid("Only one of after_id and before_id may be given.")
    views = service.list_batches(SCOPE)  # newest first: after_id pages older, before_id newer
    ids = [v.batch.id for v in views]
    page, more = window(views, ids, after=after, before=before, limit=limit)
    data = [_render(service, request, view) for view in page]
    body = wire.BatchList(
        data=data,
        has_more=more,
        first_id=data[0]["id"] if data else None,
        last_id=data[-1]["id"] if data else None,
    )
    return json_response(body.model_dump())


async def cancel_batch(service: BatchService, request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    ended = f"Message Batch {batch_id} has already ended and cannot be canceled."
    if d.STATUS[_find(service.view, batch_id).state] == "ended":
        raise invalid(ended)
    try:
        view = service.cancel_batch(batch_id, SCOPE)
    except EmulatorError as err:
        if err.kind is ErrorKind.CONFLICT:  # it ended between the two reads
            raise invalid(ended) from None
        raise
    return json_response(_render(service, request, view))


async def delete_batch(service: BatchService, request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    if _find(service.view, batch_id).state not in TERMINAL:
        raise invalid(NOT_DELETABLE)
    service.delete_batch(batch_id, SCOPE)
    return json_response(wire.DeletedMessageBatch(id=batch_id).model_dump())


async def batch_results(service: BatchService, request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    view = _find(service.view, batch_id)
    if view.state not in TERMINAL:
        raise not_found(f"Message Batch {batch_id} has no available results.")
    config = service.config
    data = d.results_jsonl(view, service.results(view), config.shuffle_results, config.seed)
    return Response(data, media_type="application/x-jsonl")


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    one = d.BATCHES_PATH + "/{batch_id}"
    return [
        r(d.BATCHES_PATH, "messages.batches.create", create_batch, "POST"),
        r(d.BATCHES_PATH, "messages.batches.list", list_batches),
        r(one, "messages.batches.retrieve", get_batch),
        r(one, "messages.batches.delete", delete_batch, "DELETE"),
        r(one + "/cancel", "messages.batches.cancel", cancel_batch, "POST"),
        r(one + "/results", "messages.batches.results", batch_results),
    ]
