"""Mistral Files + Batch Jobs routes, at the paths the `mistralai` SDK builds.

Mounted at `/mistral`, so `Mistral(server_url=<url>/mistral)` reaches `/mistral/v1/files...`
and `/mistral/v1/batch/jobs...` (reference more-providers §0).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator import headers
from emulator.core import jsonl
from emulator.core.batch import LineError, View
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.ids import uuid_id
from emulator.core.service import BatchService, NewBatch
from emulator.core.states import TERMINAL
from emulator.http import (
    Dialect,
    FileBody,
    json_response,
    origin,
    read_json,
    route,
    scenario_of,
    timing_of,
)
from emulator.providers.mistral import dialect as d, params, results, wire
from emulator.providers.openai import routes as openai
from emulator.providers.openai.validation import Parsed, parse_jsonl

PREFIXES = ("/mistral/",)
SCOPE = "mistral"
HOUR = 3600


def authenticate(request: Request) -> None:
    if headers.bearer(request.scope) is None:
        raise EmulatorError(ErrorKind.AUTHENTICATION, "Unauthorized")


DIALECT = Dialect("mistral", d.render_error, authenticate=authenticate)


# -- files ------------------------------------------------------------------------------------
async def upload_file(service: BatchService, request: Request) -> Response:
    form = await openai.upload_form(request, service.config.max_file_bytes)
    purpose = form.get("purpose") or "fine-tune"
    if purpose not in d.PURPOSES:
        raise invalid(f"Invalid purpose {purpose!r}.", param="purpose")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise invalid("'file' is required.", param="file")
    hours = params.expiry_hours(form.get("expiry"))
    data = await upload.read()
    stored = service.add_file(
        SCOPE,
        upload.filename or "upload.jsonl",
        str(purpose),
        data,
        expires_after=None if hours is None else hours * HOUR,
        file_id=uuid_id(service.config.seed, "file", service.ids.next("file")),
    )
    return json_response(d.file_to_wire(stored))


async def list_files(service: BatchService, request: Request) -> Response:
    q = request.query_params
    page, size = params.page_args(q)
    files = [
        f
        for f in reversed(service.list_files({SCOPE}))
        if q.get("purpose") in (None, f.purpose)
        and q.get("sample_type") in (None, d.sample_type(f))
    ]
    chosen = files[page * size : (page + 1) * size]
    return json_response(
        wire.FileList(
            data=[wire.FileObject(**d.file_to_wire(f)) for f in chosen], total=len(files)
        ).model_dump()
    )


async def get_file(service: BatchService, request: Request) -> Response:
    stored = service.get_file(request.path_params["file_id"], {SCOPE})
    return json_response(d.file_to_wire(stored, with_deleted=True))


async def delete_file(service: BatchService, request: Request) -> Response:
    stored = service.get_file(request.path_params["file_id"], {SCOPE})
    service.delete_file(stored.id)
    return json_response(wire.Deleted(id=stored.id, object="file").model_dump())


async def file_content(service: BatchService, request: Request) -> Response:
    """Raw bytes as `application/octet-stream`: the SDK accepts nothing else (ref §3.1)."""
    return FileBody(service.get_file(request.path_params["file_id"], {SCOPE}).data)


async def signed_url(service: BatchService, request: Request) -> Response:
    stored = service.get_file(request.path_params["file_id"], {SCOPE})
    url = f"{origin(service, request)}/mistral/v1/files/{stored.id}/content"
    return json_response({"url": url})


# -- jobs -------------------------------------------------------------------------------------
def _inputs(service: BatchService, p: params.CreateJob) -> tuple[bytes, list[LineError]]:
    if p.requests is not None:
        return jsonl.lines(p.requests), []  # one encoder: a 2**100 in a body is no 500
    chunks, errors = [], []
    for file_id in p.input_files:
        stored = service.file_or_none(file_id)
        if stored is None or stored.dialect != SCOPE:  # fails the job when validation ends
            errors.append(LineError("file_not_found", f"Input file {file_id} not found."))
            continue
        chunks.append(stored.data.rstrip(b"\n"))
    return b"\n".join(chunks), errors


def _parse(service: BatchService, p: params.CreateJob) -> Parsed:
    data, missing = _inputs(service, p)
    lines = d.as_openai_lines(data, p.endpoint, p.model)
    parsed = parse_jsonl(lines, p.endpoint, service.config.max_batch_requests, d.RULES)
    return Parsed(parsed.items, missing + parsed.errors, parsed.model)


async def create_job(service: BatchService, request: Request) -> Response:
    p = params.parse_create(await read_json(request))
    if not p.model.startswith(d.MODEL_PREFIXES):
        raise invalid(f"Invalid model: {p.model}", param="model")
    parsed = _parse(service, p)
    view = service.create_batch(
        NewBatch(
            dialect=SCOPE,
            provider="mistral",
            endpoint=p.endpoint,
            items=parsed.items,
            model=p.model,
            errors=parsed.errors,
            metadata=p.metadata,
            scenario=scenario_of(request, p.metadata),
            timing=timing_of(request),
            expires_after=p.timeout_hours * HOUR,
            id_prefix="",
            extra={"input_files": p.input_files},
        )
    )
    return json_response(d.job_to_wire(view))


def _matches(view: View, q: Any, after: float | None, wanted: dict[str, Any]) -> bool:
    statuses = q.getlist("status")
    return (
        (not statuses or d.STATUS[view.state] in statuses)
        and q.get("model") in (None, view.batch.model)
        and (after is None or view.batch.plan.created_at > after)
        and all((view.batch.metadata or {}).get(k) == v for k, v in wanted.items())
    )


async def list_jobs(service: BatchService, request: Request) -> Response:
    q = request.query_params
    page, size = params.page_args(q)
    order = q.get("order_by", "-created")
    if order not in ("-created", "created"):
        raise invalid(f"Invalid order_by {order!r}.", param="order_by")
    after = params.created_after(q.get("created_after"))
    wanted = params.metadata_filter(q.get("metadata"))
    views = [v for v in service.list_batches({SCOPE}) if _matches(v, q, after, wanted)]
    if order == "created":
        views.reverse()
    chosen = views[page * size : (page + 1) * size]
    data = [wire.Job(**d.job_to_wire(v)) for v in chosen]
    return json_response(wire.JobList(data=data, total=len(views)).model_dump())


async def get_job(service: BatchService, request: Request) -> Response:
    view = service.get_batch(request.path_params["batch_id"], {SCOPE})
    inline = params.inline_flag(request.query_params.get("inline"))
    return json_response(d.job_to_wire(view, _outputs(service, view) if inline else None))


def _outputs(service: BatchService, view: View) -> list[dict[str, Any]] | None:
    """`?inline=true`: the job's result lines in `outputs` ("If True, return results inline in
    the response": the `inline` parameter of GET /v1/batch/jobs/{job_id} in mistralai's and
    @mistralai/mistralai's generated clients; `BatchJob.outputs` is a list of objects, and the
    SDK's examples/src/async_batch_jobs.ts reads each one's `response.body`). Each entry is
    the line the output or error file holds, in the files' order, from the same renderer.
    [I: null until the job has ended; failed lines included; no recording of `outputs`.]"""
    if view.state not in TERMINAL:
        return None
    endpoint = view.batch.endpoint
    return [results.output_line(r, endpoint) for r in service.results_in_answer(view)]


async def cancel_job(service: BatchService, request: Request) -> Response:
    view = service.cancel_batch(request.path_params["batch_id"], {SCOPE})
    return json_response(d.job_to_wire(view))


async def delete_job(service: BatchService, request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    service.delete_batch(batch_id, {SCOPE})
    return json_response(wire.Deleted(id=batch_id, object="batch").model_dump())


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    return [
        r("/v1/files", "files.upload", upload_file, "POST"),
        r("/v1/files", "files.list", list_files),
        r("/v1/files/{file_id}", "files.retrieve", get_file),
        r("/v1/files/{file_id}", "files.delete", delete_file, "DELETE"),
        r("/v1/files/{file_id}/content", "files.download", file_content),
        r("/v1/files/{file_id}/url", "files.get_signed_url", signed_url),
        r("/v1/batch/jobs", "batch.jobs.create", create_job, "POST"),
        r("/v1/batch/jobs", "batch.jobs.list", list_jobs),
        r("/v1/batch/jobs/{batch_id}", "batch.jobs.get", get_job),
        r("/v1/batch/jobs/{batch_id}", "batch.jobs.delete", delete_job, "DELETE"),
        r("/v1/batch/jobs/{batch_id}/cancel", "batch.jobs.cancel", cancel_job, "POST"),
    ]
