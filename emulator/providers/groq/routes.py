"""Groq Files + Batches routes, at the paths the `groq` SDK builds (`/openai/v1/...`).

Mounted at `/groq/openai/v1`, so `Groq(base_url=<url>/groq)` reaches them (reference
more-providers §0: at the root they would collide with Azure's v1 surface).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulator import headers
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.idshapes import ulid_shape
from emulator.core.service import BatchService, NewBatch
from emulator.http import Dialect, json_response, read_json, route, scenario_of, timing_of
from emulator.providers.groq import dialect as d
from emulator.providers.openai import dialect as openai_dialect, params, routes as openai, shaped
from emulator.providers.openai.validation import parse_input_file

PREFIXES = ("/groq/",)
SCOPE = "groq"
BAD_KEY = "Invalid API Key"
SHAPE = shaped.Shape(SCOPE, batch_to_wire=d.batch_to_wire, paged=False)


def authenticate(request: Request) -> None:
    if headers.bearer(request.scope) is None:
        raise EmulatorError(ErrorKind.AUTHENTICATION, BAD_KEY, code="invalid_api_key")


DIALECT = Dialect(
    "groq",
    openai_dialect.render_error,
    authenticate=authenticate,
    # `req_<ulid>`, the shape of every recorded Groq request id (`req_01jpra5n2qef6s66k65v8sy51h`)
    request_id_form=lambda seeded: "req_" + ulid_shape(seeded.encode()),
)


async def upload_file(service: BatchService, request: Request) -> Response:
    limit = min(d.MAX_FILE_BYTES, service.config.max_file_bytes)
    form = await openai.upload_form(request, limit)
    purpose = form.get("purpose")
    if purpose != "batch":  # the SDK's `purpose` Literal
        raise params.invalid_value("purpose", purpose, ("batch",))
    upload = openai.uploaded(form)
    data = await upload.read()
    filename = upload.filename or "upload"
    openai.check_batch_file(filename, data)
    file_id = "file_" + ulid_shape(service.ids.raw("file", 24))  # recorded: file_01jh6x76...
    stored = service.add_file(SCOPE, filename, "batch", data, file_id=file_id)
    return json_response(openai_dialect.file_to_wire(stored))


def _parse_create(body: Any) -> tuple[params.CreateParams, int]:
    """OpenAI's checks, with Groq's windows: `24h` to `7d`, echoed as sent."""
    window = body.get("completion_window") if isinstance(body, dict) else None
    seconds = d.window_seconds(window) if isinstance(window, str) else None
    if isinstance(window, str) and seconds is None:
        raise invalid(
            f"Invalid completion_window '{window}': durations from 24h to 7d are supported.",
            param="completion_window",
            code="invalid_value",
        )
    checked = {**body, "completion_window": "24h"} if seconds is not None else body
    p = params.parse_create(checked)
    if p.endpoint not in d.ENDPOINTS:
        raise params.invalid_value("endpoint", p.endpoint, d.ENDPOINTS)
    return params.CreateParams(
        p.input_file_id, p.endpoint, str(window), p.metadata, p.output_expires_after
    ), seconds or d.MIN_WINDOW


async def create_batch(service: BatchService, request: Request) -> Response:
    p, window = _parse_create(await read_json(request))
    parsed = parse_input_file(service, p.input_file_id, p.endpoint, d.RULES)
    view = service.create_batch(
        NewBatch(
            dialect=SCOPE,
            provider="groq",
            endpoint=p.endpoint,
            items=parsed.items,
            model=parsed.model,
            errors=parsed.errors,
            metadata=p.metadata,
            input_file_id=p.input_file_id,
            scenario=scenario_of(request, p.metadata),
            timing=timing_of(request),
            expires_after=window,
            extra={"completion_window": p.completion_window},
        )
    )
    return json_response(shaped.render(service, SHAPE, view))


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, handler, method)

    def files(handler: Any) -> Any:
        return partial(handler, service, SCOPE)

    def batches(handler: Any) -> Any:
        return partial(handler, service, SHAPE)

    return [
        r("/files", "files.create", partial(upload_file, service), "POST"),
        r("/files", "files.list", files(openai.list_files)),
        r("/files/{file_id}", "files.info", files(openai.get_file)),
        r("/files/{file_id}", "files.delete", files(openai.delete_file), "DELETE"),
        r("/files/{file_id}/content", "files.content", files(openai.file_content)),
        r("/batches", "batches.create", partial(create_batch, service), "POST"),
        r("/batches", "batches.list", batches(shaped.list_batches)),
        r("/batches/{batch_id}", "batches.retrieve", batches(shaped.get_batch)),
        r("/batches/{batch_id}/cancel", "batches.cancel", batches(shaped.cancel_batch), "POST"),
    ]
