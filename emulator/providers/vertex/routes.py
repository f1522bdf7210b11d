"""Vertex batchPredictionJobs routes under `/vertex`, at the paths google-genai builds:
`/{v1|v1beta1}/projects/{p}/locations/{l}/batchPredictionJobs[/{id}[:cancel]]`, plus the bare
`/{version}/batchPredictionJobs` form it uses for a custom base URL without project/location
(reference §2.2). A bearer token is required (any value), as google-genai always sends one.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator import headers
from emulator.core.batch import LineError, View
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.numbers import ascii_int
from emulator.core.paging import offset_page
from emulator.core.service import DAY, BatchService, NewBatch
from emulator.http import Dialect, json_response, read_json, route, scenario_of, timing_of
from emulator.providers.gemini.dialect import render_error
from emulator.providers.vertex import dialect as d, params

PREFIXES = ("/vertex/",)
SCOPE = "vertex"
EXPIRES_AFTER = DAY  # [I] Vertex documents no batch window; the core's default


def authenticate(request: Request) -> None:
    if headers.bearer(request.scope) is None:
        raise EmulatorError(
            ErrorKind.AUTHENTICATION,
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
        )


DIALECT = Dialect(SCOPE, render_error, authenticate=authenticate)


def _parent(request: Request) -> str:
    p = request.path_params
    return f"projects/{p.get('project', 'emulator')}/locations/{p.get('location', 'us-central1')}"


async def create_job(service: BatchService, request: Request) -> Response:
    c = params.parse_create(await read_json(request))
    return json_response(d.job_to_wire(submit(service, request, c, _parent(request))))


def submit(service: BatchService, request: Request, c: params.Create, parent: str) -> View:
    """A new job from a checked body (also Bifrost's door): input read from the store."""
    claude = c.endpoint == "anthropic/messages"
    read = params.read(service.objects, c.uris, claude, service.config.max_batch_requests)
    errors = list(read.errors)
    bucket = c.output_uri[len("gs://") :].split("/", 1)[0]
    if not service.objects.has_bucket(bucket):
        errors.append(LineError("no_output", f"The GCS bucket {bucket} does not exist."))
    return service.create_batch(
        NewBatch(
            dialect=SCOPE,
            provider="vertex",
            endpoint=c.endpoint,
            items=read.items,
            model=c.request["model"].rsplit("/", 1)[-1],
            errors=errors,
            scenario=scenario_of(request, c.request.get("labels")),
            timing=timing_of(request),
            expires_after=EXPIRES_AFTER,
            id_prefix="",
            extra={
                "request": c.request,
                "parent": parent,
                "line_keys": read.keys,
                "output_uri": c.output_uri,
            },
        )
    )


async def get_job(service: BatchService, request: Request) -> Response:
    return json_response(d.job_to_wire(service.get_batch(_id(request), {SCOPE})))


def _id(request: Request) -> str:
    return str(request.path_params["batch_id"])


async def cancel_job(service: BatchService, request: Request) -> Response:
    service.cancel_batch(_id(request), {SCOPE})
    return json_response({})


async def delete_job(service: BatchService, request: Request) -> Response:
    """A long-running Operation, already done (google-genai reads name, done, error)."""
    batch = service.delete_batch(_id(request), {SCOPE})
    name = f"{batch.extra['parent']}/operations/{d.job_id(batch.id + '-delete')}"
    return json_response(
        {
            "name": name,
            "metadata": {
                "@type": "type.googleapis.com/google.cloud.aiplatform.v1.DeleteOperationMetadata"
            },
            "done": True,
            "response": {"@type": "type.googleapis.com/google.protobuf.Empty"},
        }
    )


async def list_jobs(service: BatchService, request: Request) -> Response:
    q = request.query_params
    # ASCII digits only: str.isdigit() takes '²', which int() then refuses (a 500)
    asked, start = ascii_int(q.get("pageSize", "100")), ascii_int(q.get("pageToken") or "0")
    if asked is None or start is None:
        raise invalid("Invalid pageSize or pageToken.")
    size = max(1, min(asked, 1000))
    page, token = offset_page(service.list_batches({SCOPE}), start, size)
    body: dict[str, Any] = {"batchPredictionJobs": [d.job_to_wire(v) for v in page]}
    if token is not None:
        body["nextPageToken"] = token
    return json_response(body)


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    out: list[BaseRoute] = []
    for base in (
        "/{version}/projects/{project}/locations/{location}/batchPredictionJobs",
        "/{version}/batchPredictionJobs",
    ):
        one = base + "/{batch_id}"
        out += [
            r(base, "batchPredictionJobs.create", create_job, "POST"),
            r(base, "batchPredictionJobs.list", list_jobs),
            r(one + ":cancel", "batchPredictionJobs.cancel", cancel_job, "POST"),
            r(one, "batchPredictionJobs.get", get_job),
            r(one, "batchPredictionJobs.delete", delete_job, "DELETE"),
        ]
    return out
