"""OpenAI Files + Batches routes: parse the request, call the service, map the answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, NoReturn
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route

from emulator import bodies, headers
from emulator.core import jsonsafe
from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.files import StoredFile
from emulator.core.models import snapshot
from emulator.core.paging import envelope, window
from emulator.core.service import BatchService, NewBatch
from emulator.core.states import TERMINAL
from emulator.http import (
    Dialect,
    FileBody,
    json_response,
    operation,
    read_json,
    route,
    scenario_of,
    timing_of,
)
from emulator.providers.openai import dialect as d, params
from emulator.providers.openai.validation import parse_input_file
from emulator.routegroup import RouteGroup, under

BATCH_FILE_ERROR = "Invalid file format for Batch API. Must be .jsonl"
NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password "
    "field (with blank username) if you're accessing the API from your browser and are "
    "prompted for a username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)
DAY = 86_400


def authenticate(request: Request) -> None:
    if headers.bearer(request.scope) is None:
        raise EmulatorError(ErrorKind.AUTHENTICATION, NO_KEY)


def recorded_headers(elapsed_ms: float) -> dict[str, str]:
    """Recorded on every api.openai.com answer (openai-dotnet SessionRecords); clients log them."""
    return {"openai-version": "2020-10-01", "openai-processing-ms": str(max(1, round(elapsed_ms)))}


DIALECT = Dialect(
    "openai", d.render_error, authenticate=authenticate, extra_headers=recorded_headers
)


# -- files ------------------------------------------------------------------------------------
def too_large() -> EmulatorError:
    return invalid("File is too large.")


async def upload_form(request: Request, limit: int) -> FormData:
    """The upload form, refused mid-stream once past the file limit (emulator.bodies)."""
    return await bodies.read_form(request, limit, too_large, _bad_form)


def _bad_form(reason: str) -> EmulatorError:
    return invalid(f"Could not parse multipart form: {reason}")


def form_expiry(form: FormData) -> int | None:
    found = {
        key.split("[")[-1].rstrip("]").split(".")[-1]: value
        for key, value in form.items()
        if key.startswith("expires_after") and isinstance(value, str)
    }
    return params.parse_expiry("expires_after", found) if found else None


# Recorded order (openai-dotnet FilesTests/UploadFileCanParseServiceError.json, 2026-05).
RECORDED_PURPOSES = ("fine-tune", "assistants", "batch", "user_data", "vision", "evals")


def bad_purpose(purpose: str) -> EmulatorError:
    """The recorded answer to an unknown purpose: a schema message, `param: "purpose"`, no code."""
    listed = ", ".join(f"'{p}'" for p in RECORDED_PURPOSES)
    return invalid(f"'{purpose}' is not one of [{listed}] - 'purpose'", param="purpose")


def check_batch_file(filename: str, data: bytes) -> None:
    """An upload with purpose "batch" must look like JSONL (also Bifrost's OpenAI uploads).

    Recorded: a name with no extension is accepted (openai-dotnet uploads `test-batch-file`,
    the Python SDK names raw bytes `upload`); another extension such as `.txt` is refused
    with this message (a litellm PR quotes the live answer)."""
    stem, dot, extension = filename.rpartition("/")[2].rpartition(".")
    if dot and stem and extension.lower() != "jsonl":
        raise invalid(BATCH_FILE_ERROR)
    head = data[:4096]
    kept = head.lstrip()  # only the head is stripped: no copy of a 30 MB file
    start = len(head) - len(kept) if kept else len(data) - len(data.lstrip())
    end = data.find(b"\n", start)
    first = data[start : end if end >= 0 else len(data)]
    if not first.strip():
        raise invalid(f"{BATCH_FILE_ERROR} (the file is empty).")
    try:
        jsonsafe.loads(first)
    except ValueError:
        raise invalid(f"{BATCH_FILE_ERROR} (the first line is not valid JSON).") from None


def uploaded(form: FormData) -> UploadFile:
    """The form's `file` part, or OpenAI's missing-parameter error (also Azure's and Groq's)."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise invalid(
            "Missing required parameter: 'file'.", param="file", code="missing_required_parameter"
        )
    return upload


async def upload_file(
    service: BatchService, scope: str, request: Request, form: FormData | None = None
) -> Response:
    """`form`: already parsed by a caller that had to look inside it (Bifrost's compat route)."""
    limit = service.config.max_file_bytes
    form = form if form is not None else await upload_form(request, limit)
    purpose = form.get("purpose")
    if not isinstance(purpose, str):
        raise invalid(
            "Missing required parameter: 'purpose'.",
            param="purpose",
            code="missing_required_parameter",
        )
    if purpose not in params.FILE_PURPOSES:
        raise bad_purpose(purpose)
    upload = uploaded(form)
    if (upload.size or 0) > limit:
        raise too_large()
    data = await upload.read()
    filename = upload.filename or "upload"
    expiry = form_expiry(form)
    if purpose == "batch":
        check_batch_file(filename, data)
        expiry = expiry or 30 * DAY
    stored = service.add_file(scope, filename, purpose, data, expires_after=expiry)
    return json_response(d.file_to_wire(stored))


def list_body(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", **envelope(data, has_more)}


FileWire = Callable[[StoredFile], dict[str, Any]]


async def list_files(
    service: BatchService, scope: str, request: Request, to_wire: FileWire = d.file_to_wire
) -> Response:
    q = request.query_params
    order = q.get("order", "desc")
    if order not in ("asc", "desc"):
        raise params.invalid_value("order", order, ("asc", "desc"))
    limit = params.parse_limit(q.get("limit"), 10_000, 10_000)
    files = [
        f
        for f in service.list_files({scope})
        if q.get("purpose") is None or f.purpose == q.get("purpose")
    ]
    if order == "desc":
        files.reverse()
    page, more = window(files, [f.id for f in files], after=q.get("after"), limit=limit)
    return json_response(list_body([to_wire(f) for f in page], more))


async def get_file(
    service: BatchService, scope: str, request: Request, to_wire: FileWire = d.file_to_wire
) -> Response:
    """`to_wire`: a door whose file objects differ (Azure's `pending` uploads)."""
    return json_response(to_wire(service.get_file(request.path_params["file_id"])))


async def file_content(service: BatchService, scope: str, request: Request) -> Response:
    stored = service.get_file(request.path_params["file_id"])
    if stored.purpose in ("assistants", "user_data"):
        raise invalid(f"Not allowed to download files of purpose: {stored.purpose}")
    body = FileBody(stored.data)
    body.headers["content-disposition"] = content_disposition(stored.filename)
    return body


def content_disposition(filename: str) -> str:
    """The form recorded on OpenAI's file downloads (openai-dotnet ContainerTests, the one
    recorded download with headers): a plain `filename` and the UTF-8 `filename*`."""
    plain = filename.encode("ascii", "replace").decode().replace('"', "'")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


async def delete_file(service: BatchService, scope: str, request: Request) -> Response:
    stored = service.delete_file(request.path_params["file_id"])
    return json_response({"id": stored.id, "object": "file", "deleted": True})


# -- batches ----------------------------------------------------------------------------------
def render(service: BatchService, view: View) -> dict[str, Any]:
    """Map a view (the core has already made its result files if it has ended)."""
    tokens = service.usage(view) if view.state in TERMINAL else None
    return d.batch_to_wire(view, tokens)


def submit(service: BatchService, request: Request, p: params.CreateParams, scope: str) -> View:
    """Create a batch from already-validated parameters (also Bifrost's OpenAI route)."""
    parsed = parse_input_file(service, p.input_file_id, p.endpoint)
    return service.create_batch(
        NewBatch(
            dialect=scope,
            provider="openai",
            endpoint=p.endpoint,
            items=parsed.items,
            model=snapshot(parsed.model),
            errors=parsed.errors,
            metadata=p.metadata,
            input_file_id=p.input_file_id,
            scenario=scenario_of(request, p.metadata),
            timing=timing_of(request),
            extra={
                "completion_window": p.completion_window,
                "output_expires_after": p.output_expires_after,
            },
        )
    )


async def create_batch(service: BatchService, scope: str, request: Request) -> Response:
    p = params.parse_create(await read_json(request))
    return json_response(render(service, submit(service, request, p, scope)))


async def get_batch(service: BatchService, scope: str, request: Request) -> Response:
    return json_response(
        render(service, service.get_batch(request.path_params["batch_id"], {scope}))
    )


async def list_batches(service: BatchService, scope: str, request: Request) -> Response:
    limit = params.parse_limit(request.query_params.get("limit"), 20, 100)
    views = service.list_batches({scope})
    ids = [v.batch.id for v in views]
    page, more = window(views, ids, after=request.query_params.get("after"), limit=limit)
    return json_response(list_body([render(service, v) for v in page], more))


async def cancel_batch(service: BatchService, scope: str, request: Request) -> Response:
    return json_response(
        render(service, service.cancel_batch(request.path_params["batch_id"], {scope}))
    )


ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
FAMILIES = ("files", "batches")


def _unrouted(known: list[BaseRoute], request: Request) -> NoReturn:
    """An unknown path (404) or a known path with the wrong method (405), in the envelope."""
    wrong_method = any(r.matches(request.scope)[0] is Match.PARTIAL for r in known)
    kind = ErrorKind.METHOD_NOT_ALLOWED if wrong_method else ErrorKind.NOT_FOUND
    raise EmulatorError(kind, f"Invalid URL ({request.method} {request.url.path})")


def _fallbacks(
    service: BatchService, dialects: dict[str, Dialect], known: list[BaseRoute], prefix: str
) -> list[Route]:
    """Catch-alls for the Files and Batches families, so their misses are journalled too."""

    async def handler(request: Request) -> Response:
        return _unrouted(known, request)

    return [
        Route(
            f"{prefix}/{family}{{rest:path}}",
            operation(service, dialects[family], "unrouted", handler),
            methods=ANY_METHOD,
        )
        for family in FAMILIES
    ]


def routes(service: BatchService, dialect: Dialect = DIALECT, prefix: str = "") -> list[BaseRoute]:
    """The Files and Batches routes at `prefix` (OpenAI's own door: "/v1", placed at the top
    level so a poll is not matched through a Mount and a second router; other doors Mount
    them, as the prefix they are served under varies)."""
    # OpenAI's own Files errors carry a `detail` copy (recorded); other doors keep theirs.
    files = replace(dialect, render_error=d.render_files_error) if dialect is DIALECT else dialect

    def r(
        path: str, name: str, handler: Any, method: str = "GET", via: Dialect = dialect
    ) -> BaseRoute:
        handle = partial(handler, service, dialect.name)
        return route(service, via, prefix + path, name, handle, method)

    known = [
        r("/files", "files.create", upload_file, "POST", files),
        r("/files", "files.list", list_files, via=files),
        r("/files/{file_id}", "files.retrieve", get_file, via=files),
        r("/files/{file_id}", "files.delete", delete_file, "DELETE", files),
        r("/files/{file_id}/content", "files.content", file_content, via=files),
        r("/batches", "batches.create", create_batch, "POST"),
        r("/batches", "batches.list", list_batches),
        r("/batches/{batch_id}", "batches.retrieve", get_batch),
        r("/batches/{batch_id}/cancel", "batches.cancel", cancel_batch, "POST"),
    ]
    doors = {"files": files, "batches": dialect}
    every = [*known, *_fallbacks(service, doors, known, prefix)]
    # One group per family: a retrieve is matched against the batch routes only (the
    # families' paths are disjoint, so first-match order is unchanged within each).
    return [
        RouteGroup(under(f"{prefix}/{family}"), [r for r in every if _family(r, prefix) == family])
        for family in FAMILIES
    ]


def _family(route: BaseRoute, prefix: str) -> str:
    assert isinstance(route, Route)
    return next(f for f in FAMILIES if route.path.startswith(f"{prefix}/{f}"))
