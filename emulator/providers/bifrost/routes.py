"""Bifrost gateway surface: the unified `/v1/batches` + `/v1/files` API and the
provider-compatible mounts (`/openai`, `/anthropic`, `/genai`).

`app.create_app` mounts `routes(service)` under `/bifrost`, or at the root with
`--flavor bifrost`; every response and error here is in Bifrost's own shapes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator.core.service import BatchService
from emulator.http import Dialect, json_response, route
from emulator.providers.bifrost import batches, compat, create as creating, files
from emulator.providers.bifrost.errors import render_error
from emulator.providers.bifrost.providers import check, requested, resolve
from emulator.providers.bifrost.render import Call

PREFIXES = ("/bifrost",)
DIALECT = Dialect("bifrost", render_error)
Handler = Callable[[BatchService, Request], Awaitable[Response]]


def _call(service: BatchService, request: Request, request_type: str) -> Call:
    return batches.make_call(service, request, resolve(request, request_type), request_type)


# -- batches ------------------------------------------------------------------------------------
async def create_batch(service: BatchService, request: Request) -> Response:
    spec = creating.parse(await batches.read_body(request, creating.CREATE))
    provider = resolve(request, creating.CREATE, spec.model)
    call = batches.make_call(service, request, provider, creating.CREATE)
    return json_response(batches.create(call, request, spec))


async def list_batches(service: BatchService, request: Request) -> Response:
    return json_response(batches.list_batches(_call(service, request, "batch_list"), request))


async def get_batch(service: BatchService, request: Request) -> Response:
    call = _call(service, request, "batch_retrieve")
    return json_response(batches.retrieve(call, request.path_params["batch_id"]))


async def cancel_batch(service: BatchService, request: Request) -> Response:
    call = _call(service, request, "batch_cancel")
    return json_response(batches.cancel(call, request.path_params["batch_id"]))


async def batch_results(service: BatchService, request: Request) -> Response:
    call = _call(service, request, "batch_results")
    return json_response(batches.results(call, request.path_params["batch_id"]))


# -- files --------------------------------------------------------------------------------------
async def upload_file(service: BatchService, request: Request) -> Response:
    form = await files.read_form(request, service.config.max_file_bytes)
    field = form.get("provider")
    provider = requested(request) or (field.strip().lower() if isinstance(field, str) else "")
    call = batches.make_call(service, request, check(provider, "file_upload"), "file_upload")
    return json_response(await files.upload(call, form))


async def list_files(service: BatchService, request: Request) -> Response:
    # Bifrost reads the provider of a file list from a query parameter named `x-model-provider`.
    provider = requested(request, body=request.query_params.get("x-model-provider"))
    call = batches.make_call(service, request, check(provider, "file_list"), "file_list")
    return json_response(files.list_files(call, request))


async def get_file(service: BatchService, request: Request) -> Response:
    call = _call(service, request, "file_retrieve")
    return json_response(files.retrieve(call, request.path_params["file_id"]))


async def delete_file(service: BatchService, request: Request) -> Response:
    call = _call(service, request, "file_delete")
    return json_response(files.delete(call, request.path_params["file_id"]))


async def file_content(service: BatchService, request: Request) -> Response:
    return files.content(_call(service, request, "file_content"), request.path_params["file_id"])


def unified_routes(service: BatchService) -> list[BaseRoute]:
    """Ids may contain `/` (Gemini's `batches/x`, `files/x`), so the suffixed routes come first."""

    def r(path: str, name: str, handler: Handler, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    return [
        r("/v1/batches", "batches.create", create_batch, "POST"),
        r("/v1/batches", "batches.list", list_batches),
        r("/v1/batches/{batch_id:path}/cancel", "batches.cancel", cancel_batch, "POST"),
        r("/v1/batches/{batch_id:path}/results", "batches.results", batch_results),
        r("/v1/batches/{batch_id:path}", "batches.retrieve", get_batch),
        r("/v1/files", "files.create", upload_file, "POST"),
        r("/v1/files", "files.list", list_files),
        r("/v1/files/{file_id:path}/content", "files.content", file_content),
        r("/v1/files/{file_id:path}", "files.retrieve", get_file),
        r("/v1/files/{file_id:path}", "files.delete", delete_file, "DELETE"),
    ]


def routes(service: BatchService) -> list[BaseRoute]:
    return [*unified_routes(service), *compat.routes(service)]
