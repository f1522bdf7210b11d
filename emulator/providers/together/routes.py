"""Together Files + Batches routes, at the paths the `together` SDK builds.

Mounted at `/together`, so `Together(base_url=<url>/together)` reaches `/together/v1/...`.
Uploads take three calls (reference more-providers §4.2): a form POST without the bytes,
answered 302 with `Location` and `X-Together-File-Id`; an unauthenticated PUT of the bytes to
that Location; then `POST /v1/files/{id}/preprocess`.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator import headers
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.service import BatchService, NewBatch
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
from emulator.providers.openai import routes as openai
from emulator.providers.openai.validation import parse_jsonl
from emulator.providers.together import dialect as d

PREFIXES = ("/together/",)
SCOPE = "together"
UPLOAD_PATH = "/v1/files/{file_id}/upload"


def authenticate(request: Request) -> None:
    if headers.bearer(request.scope) is None:
        raise EmulatorError(ErrorKind.AUTHENTICATION, "Invalid API key provided.")


DIALECT = Dialect("together", d.render_error, authenticate=authenticate)
# The PUT of the bytes goes to an API-issued URL without credentials, like a presigned URL.
UPLOAD = Dialect("together", d.render_error)


def _origin(service: BatchService, request: Request) -> str:
    """This server as the client reached it, with the `/together` mount kept."""
    path = request.url.path
    return origin(service, request) + (path[: path.find("/v1/")] if "/v1/" in path else "")


# -- files ------------------------------------------------------------------------------------
async def start_upload(service: BatchService, request: Request) -> Response:
    """Step 1: register the file, answer where to PUT its bytes."""
    form = await request.form(max_files=1, max_fields=16)
    purpose, name = form.get("purpose"), form.get("file_name")
    file_type, checksum = form.get("file_type", "jsonl"), form.get("checksum")
    if purpose not in d.PURPOSES:
        raise invalid(f"Invalid purpose {purpose!r}.", param="purpose")
    if not isinstance(name, str) or not name:
        raise invalid("file_name is required.", param="file_name")
    if file_type not in d.FILE_TYPES:
        raise invalid(f"Invalid file_type {file_type!r}.", param="file_type")
    stored = service.add_file(SCOPE, name, str(purpose), b"")
    stored.extra.update(together_state="pending", file_type=file_type, checksum=checksum)
    location = _origin(service, request) + UPLOAD_PATH.format(file_id=stored.id)
    return Response(
        status_code=302, headers={"location": location, "x-together-file-id": stored.id}
    )


async def put_bytes(service: BatchService, request: Request) -> Response:
    """Step 2: the bytes; the checksum sent in step 1 must match them."""
    stored = service.get_file(request.path_params["file_id"], {SCOPE})
    data = await request.body()
    if len(data) > d.MAX_FILE_BYTES:
        raise invalid("File is too large.")
    expected = stored.extra.get("checksum")
    if isinstance(expected, str) and expected != hashlib.sha256(data).hexdigest():
        raise invalid("Checksum mismatch.")
    stored.data = data
    stored.extra["together_state"] = "uploaded"
    return Response(status_code=200)


async def preprocess(service: BatchService, request: Request) -> Response:
    """Step 3: the file becomes usable; a batch input must be JSONL."""
    stored = service.get_file(request.path_params["file_id"], {SCOPE})
    if stored.extra.get("together_state") == "pending":
        raise invalid(f"File {stored.id} has not been uploaded.")
    if stored.purpose == "batch-api":
        openai.check_batch_file(stored.filename, stored.data)
    stored.extra["together_state"] = "processed"
    return json_response(d.file_to_wire(stored))


async def list_files(service: BatchService, request: Request) -> Response:
    files = list(reversed(service.list_files({SCOPE})))
    return json_response({"data": [d.file_to_wire(f) for f in files]})


async def get_file(service: BatchService, request: Request) -> Response:
    return json_response(d.file_to_wire(service.get_file(request.path_params["file_id"], {SCOPE})))


async def delete_file(service: BatchService, request: Request) -> Response:
    stored = service.get_file(request.path_params["file_id"], {SCOPE})
    service.delete_file(stored.id)
    return json_response({"id": stored.id, "deleted": True})


async def file_content(service: BatchService, request: Request) -> Response:
    return FileBody(service.get_file(request.path_params["file_id"], {SCOPE}).data)


# -- batches ----------------------------------------------------------------------------------
def _create_args(body: Any) -> tuple[str, str, str | None, str | None]:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    endpoint, file_id = body.get("endpoint"), body.get("input_file_id")
    if not isinstance(file_id, str) or not file_id:
        raise invalid("input_file_id is required.", param="input_file_id")
    if endpoint not in d.ENDPOINTS:
        raise invalid(f"Unsupported endpoint {endpoint!r}.", param="endpoint")
    window, model = body.get("completion_window"), body.get("model_id")
    return (
        endpoint,
        file_id,
        window if isinstance(window, str) else None,
        (model if isinstance(model, str) else None),
    )


async def create_batch(service: BatchService, request: Request) -> Response:
    endpoint, file_id, window, model = _create_args(await read_json(request))
    stored = service.get_file(file_id, {SCOPE})
    if stored.purpose != "batch-api" or stored.extra.get("together_state") != "processed":
        raise invalid(f"File {file_id} is not a processed batch-api file.")
    lines = d.as_openai_lines(stored.data, endpoint, model)
    limit = min(d.MAX_REQUESTS, service.config.max_batch_requests)
    parsed = parse_jsonl(lines, endpoint, limit, d.RULES)
    view = service.create_batch(
        NewBatch(
            dialect=SCOPE,
            provider="together",
            endpoint=endpoint,
            items=parsed.items,
            model=model or parsed.model,
            errors=parsed.errors,
            input_file_id=file_id,
            scenario=scenario_of(request),
            timing=timing_of(request),
            id_prefix="",
            extra={"file_size_bytes": stored.size, "completion_window": window or "24h"},
        )
    )
    return json_response({"job": d.batch_to_wire(view), "warning": None}, 201)


async def list_batches(service: BatchService, request: Request) -> Response:
    return json_response([d.batch_to_wire(v) for v in service.list_batches({SCOPE})])


async def get_batch(service: BatchService, request: Request) -> Response:
    view = service.get_batch(request.path_params["batch_id"], {SCOPE})
    return json_response(d.batch_to_wire(view))


async def cancel_batch(service: BatchService, request: Request) -> Response:
    view = service.cancel_batch(request.path_params["batch_id"], {SCOPE})
    return json_response(d.batch_to_wire(view))


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    return [
        r("/v1/files", "files.upload", start_upload, "POST"),
        route(service, UPLOAD, UPLOAD_PATH, "files.put", partial(put_bytes, service), "PUT"),
        r("/v1/files/{file_id}/preprocess", "files.preprocess", preprocess, "POST"),
        r("/v1/files", "files.list", list_files),
        r("/v1/files/{file_id}", "files.retrieve", get_file),
        r("/v1/files/{file_id}", "files.delete", delete_file, "DELETE"),
        r("/v1/files/{file_id}/content", "files.content", file_content),
        r("/v1/batches", "batches.create", create_batch, "POST"),
        r("/v1/batches", "batches.list", list_batches),
        r("/v1/batches/{batch_id}", "batches.retrieve", get_batch),
        r("/v1/batches/{batch_id}/cancel", "batches.cancel", cancel_batch, "POST"),
    ]
