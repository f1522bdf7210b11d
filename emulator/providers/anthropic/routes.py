"""Anthropic Message Batches routes: parse the request, call the service, map the answer.

Both SDK generations are served on the same paths: <= 1.x sends `x-api-key` (and, for the beta
resource, `?beta=true` plus an `anthropic-beta` header, both ignored here); >= 2.0 sends
`Authorization: Bearer`. Any `anthropic-version` is accepted.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator import headers
from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.paging import envelope, page_limit, window
from emulator.core.results.anthropic import ENDPOINT
from emulator.core.service import BatchService, NewBatch
from emulator.http import (
    Dialect,
    FaultWords,
    FileBody,
    json_response,
    origin,
    route,
    scenario_of,
    timing_of,
)
from emulator.providers.anthropic import dialect as d, params, wire
from emulator.providers.anthropic.profile import PROFILE
from emulator.routegroup import RouteGroup, under

PREFIXES = ("/v1/messages",)
SCOPE = {"anthropic"}
NO_KEY = "x-api-key header is required"


def authenticate(request: Request) -> None:
    if request.headers.get("x-api-key", "").strip():
        return
    if headers.bearer(request.scope) is not None:
        return
    raise EmulatorError(ErrorKind.AUTHENTICATION, NO_KEY)


DIALECT = Dialect(
    "anthropic",
    d.render_error,
    request_id_header="request-id",
    # `req_011C` + 20 letters/digits, as recorded (tidyverse/ellmer _vcr/anthropic-batch.yml:
    # `req_011CUNNAoPFx1fdQiXZGMUjS`; fixtures/recorded/anthropic/request_id.json).
    request_id_form=lambda seeded: "req_011C" + seeded[:20],
    authenticate=authenticate,
    fault_words=FaultWords(
        {
            429: "Number of requests has exceeded your rate limit.",
            503: "Service unavailable.",
            529: "Overloaded",
        },
        server="Internal server error",
        client="Internal server error",
    ),
)


def _origin(service: BatchService, request: Request) -> str:
    """This server as the client reached it, keeping any mount prefix (`/bifrost/anthropic`)."""
    path = request.url.path
    prefix = path[: path.find(d.BATCHES_PATH)] if d.BATCHES_PATH in path else ""
    return origin(service, request) + prefix


def _render(service: BatchService, request: Request, view: View) -> dict[str, Any]:
    return d.batch_to_wire(view, _origin(service, request), service.config.incremental_counts)


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
    view = service.get_batch(request.path_params["batch_id"], SCOPE)
    return json_response(_render(service, request, view), headers=d.poll_headers(view))


async def list_batches(service: BatchService, request: Request) -> Response:
    q = request.query_params
    limit = page_limit(q.get("limit"), default=20, maximum=params.LIMIT_MAX)
    after, before = q.get("after_id"), q.get("before_id")
    if after is not None and before is not None:
        raise invalid("Only one of after_id and before_id may be given.")
    views = service.list_batches(SCOPE)  # newest first: after_id pages older, before_id newer
    ids = [v.batch.id for v in views]
    page, more = window(views, ids, after=after, before=before, limit=limit)
    data = [_render(service, request, view) for view in page]
    return json_response(wire.BatchList(**envelope(data, more)).model_dump())


async def cancel_batch(service: BatchService, request: Request) -> Response:
    view = service.cancel_batch(request.path_params["batch_id"], SCOPE)
    return json_response(_render(service, request, view))


async def delete_batch(service: BatchService, request: Request) -> Response:
    batch = service.delete_batch(request.path_params["batch_id"], SCOPE)
    return json_response(wire.DeletedMessageBatch(id=batch.id).model_dump())


async def batch_results(service: BatchService, request: Request) -> Response:
    view, results = service.ended_results(request.path_params["batch_id"], SCOPE)
    order = service.result_order(view.batch, PROFILE)
    return FileBody(d.results_jsonl(view, results, order), media_type="application/x-jsonl")


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    one = d.BATCHES_PATH + "/{batch_id}"
    table = [
        r(d.BATCHES_PATH, "messages.batches.create", create_batch, "POST"),
        r(d.BATCHES_PATH, "messages.batches.list", list_batches),
        r(one, "messages.batches.retrieve", get_batch),
        r(one, "messages.batches.delete", delete_batch, "DELETE"),
        r(one + "/cancel", "messages.batches.cancel", cancel_batch, "POST"),
        r(one + "/results", "messages.batches.results", batch_results),
    ]
    return [RouteGroup(under(d.BATCHES_PATH), table)]  # one test for every other provider
