"""Azure OpenAI Files + Batches routes, at the paths `openai.AzureOpenAI` builds.

`AzureOpenAI(azure_endpoint=url, api_version=V)` calls `<url>/openai/files...` and
`<url>/openai/batches...` with `?api-version=V` and an `api-key` header (reference
more-providers §1.1); `OpenAI(base_url=<url>/openai/v1)` calls the newer v1 surface with a
Bearer key and no api-version. Both surfaces show the same resource (scope `azure`).
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from emulator import headers
from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.files import StoredFile
from emulator.core.planning import parse_timing
from emulator.core.service import BatchService, NewBatch
from emulator.http import Dialect, json_response, read_json, route, scenario_of, timing_of
from emulator.providers.azure import dialect as d, params
from emulator.providers.openai import routes as openai, shaped
from emulator.providers.openai.validation import parse_input_file

PREFIXES = ("/openai/",)
SCOPE = "azure"
NO_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
    "provide a valid key for an active subscription and use a correct regional API endpoint "
    "for your resource."
)
# A dated version: ASCII digits only (`re.ASCII`), `\Z` so a trailing newline does not pass.
API_VERSION = re.compile(r"(\d{4})-(\d{2})-(\d{2})(-preview)?\Z", re.ASCII)
# Seconds from upload to `processed` under a waiting timing policy [I: the guide's first poll,
# 15 s after the upload, already read `processed`; a few seconds keeps the wait visible].
FILE_PROCESSING = 2.0


def _key(request: Request) -> None:
    """`api-key`, or an Entra token as `Authorization: Bearer` (reference §1.1)."""
    if request.headers.get("api-key", "").strip():
        return
    if headers.bearer(request.scope) is not None:
        return
    raise EmulatorError(ErrorKind.AUTHENTICATION, NO_KEY, code="401")


def authenticate(request: Request) -> None:
    """The dated API: no `api-version` is an unknown route to Azure's gateway (reference §1.2)."""
    version = request.query_params.get("api-version")
    if not version:
        raise EmulatorError(ErrorKind.NOT_FOUND, "Resource not found", code="404")
    if not real_date(version):
        raise invalid("API version not supported", code="BadRequest")
    _key(request)


def real_date(version: str) -> bool:
    """`2024-10-21` or `2025-04-01-preview`: a calendar date, not just its shape (month 13 is
    no version of Azure's)."""
    found = API_VERSION.match(version)
    if found is None:
        return False
    try:
        date(*(int(part) for part in found.group(1, 2, 3)))
    except ValueError:
        return False
    return True


DIALECT = Dialect("azure", d.render_error, authenticate=authenticate)
V1_DIALECT = Dialect("azure", d.render_error, authenticate=_key)


SHAPE = shaped.Shape(SCOPE, batch_to_wire=d.batch_to_wire)


# -- files ------------------------------------------------------------------------------------
async def upload_file(service: BatchService, request: Request) -> Response:
    form = await openai.upload_form(request, service.config.max_file_bytes)
    purpose = params.check_purpose(form.get("purpose"))
    upload = openai.uploaded(form)
    data = await upload.read()
    filename = upload.filename or "upload"
    if purpose == "batch":
        openai.check_batch_file(filename, data)
    expiry = params.check_expiry(openai.form_expiry(form))
    file_id = "file-" + service.ids.raw("file", 16).hex()  # recorded: file- + 32 hex
    stored = service.add_file(SCOPE, filename, purpose, data, expires_after=expiry, file_id=file_id)
    stored.extra[d.PROCESSED_AT] = stored.created_at + processing_delay(service, request)
    location = f"{request.url.path.rstrip('/')}/{stored.id}"
    # The REST spec answers an upload with 201 Created and the file's Location (reference §1.3).
    return json_response(d.file_to_wire(stored, service.now()), 201, {"location": location})


def processing_delay(service: BatchService, request: Request) -> float:
    """A few seconds on the emulator's clock under the clock-driven policies (`timed`,
    `manual`: a test moves it with `advance`); none under `immediate` (no waiting anywhere)
    nor under the read-driven `polls` and `script`, which say nothing of files."""
    spec = timing_of(request)
    timing = service.config.timing if spec is None else parse_timing(spec)
    return FILE_PROCESSING if timing.policy in ("timed", "manual") else 0.0


def to_wire(service: BatchService) -> openai.FileWire:
    return lambda stored: d.file_to_wire(stored, service.now())


def processed(service: BatchService, file_id: str) -> None:
    stored: StoredFile | None = service.file_or_none(file_id)
    if stored is not None and d.file_status(stored, service.now()) == "pending":
        raise d.not_processed(file_id)


# -- batches ----------------------------------------------------------------------------------
def submit(service: BatchService, request: Request, p: params.CreateParams) -> View:
    """Create a batch from already-checked parameters (also Bifrost's `azure` provider)."""
    core = p.core
    parsed = parse_input_file(
        service,
        core.input_file_id,
        core.endpoint,
        d.line_rules(core.endpoint),
        max_requests=d.MAX_REQUESTS,
    )
    errors = parsed.errors + ([p.window_error] if p.window_error else [])
    return service.create_batch(
        NewBatch(
            dialect=SCOPE,
            provider="azure",
            endpoint=core.endpoint,
            items=parsed.items,
            model=d.underlying_model(parsed.model, core.endpoint),
            errors=errors,
            metadata=core.metadata,
            input_file_id=core.input_file_id,
            scenario=scenario_of(request, core.metadata),
            timing=timing_of(request),
            extra={
                "completion_window": core.completion_window,
                "output_expires_after": core.output_expires_after,
                "wire_endpoint": p.wire_endpoint,
                "deployment": parsed.model,
            },
        )
    )


async def create_batch(service: BatchService, request: Request) -> Response:
    p = params.parse_create(await read_json(request))
    processed(service, p.core.input_file_id)
    return json_response(shaped.render(service, SHAPE, submit(service, request, p)))


def _routes(service: BatchService, dialect: Dialect) -> list[BaseRoute]:
    s, wire = SHAPE, to_wire(service)

    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, dialect, path, name, handler, method)

    return [
        r("/files", "files.create", partial(upload_file, service), "POST"),
        r("/files", "files.list", partial(openai.list_files, service, SCOPE, to_wire=wire)),
        r(
            "/files/{file_id}",
            "files.retrieve",
            partial(openai.get_file, service, SCOPE, to_wire=wire),
        ),
        r(
            "/files/{file_id}",
            "files.delete",
            partial(openai.delete_file, service, SCOPE),
            "DELETE",
        ),
        r(
            "/files/{file_id}/content",
            "files.content",
            partial(openai.file_content, service, SCOPE),
        ),
        r("/batches", "batches.create", partial(create_batch, service), "POST"),
        r("/batches", "batches.list", partial(shaped.list_batches, service, s)),
        r("/batches/{batch_id}", "batches.retrieve", partial(shaped.get_batch, service, s)),
        r(
            "/batches/{batch_id}/cancel",
            "batches.cancel",
            partial(shaped.cancel_batch, service, s),
            "POST",
        ),
    ]


def routes(service: BatchService) -> list[BaseRoute]:
    """Mounted at `/openai`: the v1 surface under `/v1`, the dated API beside it."""
    return [Mount("/v1", routes=_routes(service, V1_DIALECT)), *_routes(service, DIALECT)]
