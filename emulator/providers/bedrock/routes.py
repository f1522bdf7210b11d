"""Bedrock model-invocation-job routes, mounted at `/bedrock` (botocore keeps the endpoint
URL's path: `AWS_ENDPOINT_URL_BEDROCK=<url>/bedrock`, reference §1.6).

Paths from botocore's model: POST /model-invocation-job, GET /model-invocation-job/{id},
GET /model-invocation-jobs, POST /model-invocation-job/{id}/stop. Any SigV4 key or bearer token
is accepted; the region comes from the signature's credential scope.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator.core.batch import LineError, View
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.paging import offset_page
from emulator.core.service import BatchService, NewBatch
from emulator.http import Dialect, json_response, read_json, route, scenario_of, timing_of
from emulator.providers.bedrock import dialect as d, records
from emulator.providers.bedrock.params import CreateParams, list_filter, parse_create
from emulator.providers.bedrock.status import status

PREFIXES = ("/bedrock/",)
SCOPE = "bedrock"
DIALECT = Dialect(SCOPE, d.render_error, request_id_header="x-amzn-requestid", request_id_prefix="")
SCOPE_RE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
MAX_ACTIVE = 20  # [I] "Batch inference jobs per model" default quota, applied account-wide


def region_of(request: Request) -> str:
    found = SCOPE_RE.search(request.headers.get("authorization", ""))
    return found[1] if found else "us-east-1"


def _by_token(service: BatchService, token: str) -> Any:
    for view in service.list_batches({SCOPE}):
        if view.batch.extra.get("request", {}).get("clientRequestToken") == token:
            return view
    return None


def _check_quota(service: BatchService) -> None:
    active = [v for v in service.list_batches({SCOPE}) if v.moment.ended_at is None]
    if len(active) >= MAX_ACTIVE:
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST,
            f"You have reached the maximum number of in-progress batch inference jobs "
            f"({MAX_ACTIVE}).",
            code="ServiceQuotaExceededException",
        )


async def create_job(service: BatchService, request: Request) -> Response:
    p: CreateParams = parse_create(await read_json(request))
    token = p.request.get("clientRequestToken")
    known = _by_token(service, token) if isinstance(token, str) else None
    if known is not None:  # the same token names the same job (idempotencyToken)
        return json_response({"jobArn": d.arn(known.batch.extra["region"], known.batch.id)})
    view = submit(service, request, p)
    return json_response({"jobArn": d.arn(view.batch.extra["region"], view.batch.id)})


def submit(service: BatchService, request: Request, p: CreateParams) -> View:
    """A new job from checked parameters (also Bifrost's door): input read from the store."""
    _check_quota(service)
    read = records.read(service.objects, p.input_uri, service.config.max_batch_requests)
    errors = list(read.errors)
    if not service.objects.has_bucket(p.output_bucket):
        errors.append(LineError("no_output", f"The S3 bucket {p.output_bucket} does not exist."))
    region = region_of(request)
    view = service.create_batch(
        NewBatch(
            dialect=SCOPE,
            provider="bedrock",
            endpoint=p.endpoint,
            items=read.items,
            model=p.request["modelId"],
            errors=errors,
            scenario=scenario_of(request, p.tag_metadata),
            timing=timing_of(request),
            expires_after=p.timeout_hours * 3600.0,
            id_prefix="",
            metadata=p.tag_metadata or None,
            extra={
                "request": p.request,
                "region": region,
                "inputs": read.files,
                "output_uri": p.output_uri,
            },
        )
    )
    return view


def _job_id(request: Request) -> str:
    """The 12-character id, from an id or a full ARN (botocore sends the ARN URL-encoded)."""
    given = str(request.path_params["batch_id"])
    return given.rsplit("/", 1)[-1]


async def get_job(service: BatchService, request: Request) -> Response:
    return json_response(d.job_to_wire(service.get_batch(_job_id(request), {SCOPE})))


async def stop_job(service: BatchService, request: Request) -> Response:
    service.cancel_batch(_job_id(request), {SCOPE})
    return json_response({})


async def list_jobs(service: BatchService, request: Request) -> Response:
    keep, order, limit, start = list_filter(request.query_params)
    views = [v for v in service.list_batches({SCOPE}) if keep(v, status(v))]
    if order == "Ascending":
        views.reverse()
    page, token = offset_page(views, start, limit)
    body: dict[str, Any] = {"invocationJobSummaries": [d.job_to_wire(v) for v in page]}
    if token is not None:
        body["nextToken"] = token
    return json_response(body)


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    one = "/model-invocation-job/{batch_id:path}"
    return [
        r("/model-invocation-job", "CreateModelInvocationJob", create_job, "POST"),
        r("/model-invocation-jobs", "ListModelInvocationJobs", list_jobs),
        r(one + "/stop", "StopModelInvocationJob", stop_job, "POST"),
        r(one, "GetModelInvocationJob", get_job),
    ]
