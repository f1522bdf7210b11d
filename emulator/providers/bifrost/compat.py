"""Bifrost's provider-compatible routes: `/openai/...`, `/anthropic/...`, `/genai/...`.

- `/openai/v1` (also `/openai` and `/openai/openai`, Bifrost's aliases) serves the OpenAI
  dialect's own handlers in the shared `openai` scope, so a batch made here is the batch
  `/v1/batches?provider=openai` shows. `provider` in the body (SDK `extra_body`) or query
  (`extra_query`) routes a call to another provider; the answer is then Bifrost's struct, with
  Gemini ids rewritten `batches/x` <-> `batches-x` and `files/x` <-> `files-x` as Bifrost does.
- `/anthropic` and `/genai` mount the native dialects behind an `x-model-provider` gate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.core.errors import EmulatorError
from emulator.core.service import BatchService
from emulator.http import Dialect, json_response, read_json, route
from emulator.providers.anthropic import routes as anthropic_routes
from emulator.providers.bedrock import routes as bedrock_routes
from emulator.providers.bifrost import batches, create as creating, files
from emulator.providers.bifrost.errors import BifrostError
from emulator.providers.bifrost.providers import HEADER, check, compat_default, requested
from emulator.providers.gemini import routes as gemini_routes
from emulator.providers.openai import dialect as openai_dialect, params, routes as openai_routes

OPENAI = Dialect("bifrost-openai", openai_dialect.render_error)
ROUTING_KEYS = ("provider", "model", "requests")
Handler = Callable[[BatchService, Request], Awaitable[Response]]


# -- Gemini id rewriting ------------------------------------------------------------------------
def _outward(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("batches/", "files/")):
        return value.replace("/", "-", 1)
    return value


def inward(value: str) -> str:
    for kind in ("batches", "files"):
        if value.startswith(kind + "-"):
            return kind + "/" + value[len(kind) + 1 :]
    return value


def _rewrite(body: dict[str, Any]) -> dict[str, Any]:
    for key in ("id", "input_file_id", "output_file_id", "first_id", "last_id", "after"):
        if key in body:
            body[key] = _outward(body[key])
    for item in body.get("data", []) if body.get("object") == "list" else []:
        _rewrite(item)
    return body


def _provider(request: Request, request_type: str, body: Any = None) -> str:
    field = body.get("provider") if isinstance(body, dict) else None
    wanted = requested(request, body=field if isinstance(field, str) else None)
    return check(wanted or compat_default(request), request_type)


def _routed(service: BatchService, request: Request, provider: str, kind: str) -> Any:
    return batches.make_call(service, request, provider, kind)


# -- batches ------------------------------------------------------------------------------------
async def create_batch(service: BatchService, request: Request) -> Response:
    body = await read_json(request, limit=batches.MAX_BODY)  # inline `requests` may be big
    provider = _provider(request, creating.CREATE, body)
    if not isinstance(body, dict):
        params.parse_create(body)  # raises OpenAI's own type error
    rest = {k: v for k, v in body.items() if k != "provider"}
    if provider == "openai" and not rest.get("requests"):
        p = params.parse_create({k: v for k, v in rest.items() if k not in ROUTING_KEYS})
        view = creating.openai_batch(service, request, p)
        return json_response(openai_routes.render(service, view))
    spec = creating.parse(rest)
    if provider == "openai":
        creating.check_inputs(spec)
        view = creating.create_openai(service, request, spec)
        return json_response(openai_routes.render(service, view))
    call = _routed(service, request, provider, creating.CREATE)
    return json_response(_rewrite(batches.create(call, request, spec)))


async def list_batches(service: BatchService, request: Request) -> Response:
    provider = _provider(request, "batch_list")
    if provider == "openai":
        return await openai_routes.list_batches(service, "openai", request)
    call = _routed(service, request, provider, "batch_list")
    return json_response(_rewrite(batches.list_batches(call, request)))


async def get_batch(service: BatchService, request: Request) -> Response:
    provider = _provider(request, "batch_retrieve")
    if provider == "openai":
        return await openai_routes.get_batch(service, "openai", request)
    call = _routed(service, request, provider, "batch_retrieve")
    return json_response(_rewrite(batches.retrieve(call, inward(request.path_params["batch_id"]))))


async def cancel_batch(service: BatchService, request: Request) -> Response:
    provider = _provider(request, "batch_cancel", await read_json(request, allow_empty=True))
    if provider == "openai":
        return await openai_routes.cancel_batch(service, "openai", request)
    call = _routed(service, request, provider, "batch_cancel")
    return json_response(_rewrite(batches.cancel(call, inward(request.path_params["batch_id"]))))


# -- files --------------------------------------------------------------------------------------
async def upload_file(service: BatchService, request: Request) -> Response:
    """The provider may sit in the multipart form (SDK `extra_body`), so the form is parsed
    once (streamed, capped, spooled to disk) and handed to whichever handler serves the call."""
    form = await openai_routes.upload_form(request, service.config.max_file_bytes)
    field = form.get("provider")
    provider = _provider(request, "file_upload", {"provider": field})
    if provider == "openai":
        return await openai_routes.upload_file(service, "openai", request, form)
    call = _routed(service, request, provider, "file_upload")
    return json_response(_rewrite(await files.upload(call, form)))


def _file_op(openai_handler: Any, unified: Callable[..., Any], request_type: str) -> Handler:
    async def handler(service: BatchService, request: Request) -> Response:
        provider = _provider(request, request_type)
        if provider == "openai":
            response: Response = await openai_handler(service, "openai", request)
            return response
        call = _routed(service, request, provider, request_type)
        file_id = inward(request.path_params.get("file_id", ""))
        out = unified(call, request) if request_type == "file_list" else unified(call, file_id)
        return out if isinstance(out, Response) else json_response(_rewrite(out))

    return handler


def openai_compat_routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Handler, method: str = "GET") -> BaseRoute:
        return route(service, OPENAI, path, name, partial(handler, service), method)

    return [
        r("/files", "files.create", upload_file, "POST"),
        r(
            "/files",
            "files.list",
            _file_op(openai_routes.list_files, files.list_files, "file_list"),
        ),
        r(
            "/files/{file_id}",
            "files.retrieve",
            _file_op(openai_routes.get_file, files.retrieve, "file_retrieve"),
        ),
        r(
            "/files/{file_id}",
            "files.delete",
            _file_op(openai_routes.delete_file, files.delete, "file_delete"),
            "DELETE",
        ),
        r(
            "/files/{file_id}/content",
            "files.content",
            _file_op(openai_routes.file_content, files.content, "file_content"),
        ),
        r("/batches", "batches.create", create_batch, "POST"),
        r("/batches", "batches.list", list_batches),
        r("/batches/{batch_id}", "batches.retrieve", get_batch),
        r("/batches/{batch_id}/cancel", "batches.cancel", cancel_batch, "POST"),
    ]


# -- native dialects behind the x-model-provider gate -------------------------------------------
class ProviderGate:
    """Serves a native dialect's routes to calls routed to that provider (header default)."""

    def __init__(self, app: ASGIApp, native: str, dialect: Dialect) -> None:
        self.app, self.native, self.dialect = app, native, dialect

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = Headers(scope=scope).get(HEADER, "").strip().lower() or self.native
        if scope["type"] != "http" or wanted == self.native:
            await self.app(scope, receive, send)
            return
        response = self.dialect.render_error(self._refusal(wanted), "req_gate")
        await response(scope, receive, send)

    def _refusal(self, wanted: str) -> EmulatorError:
        return BifrostError(
            f"{HEADER}: {wanted} is not emulated on the {self.native}-compatible routes; "
            f"batch-emulator serves only {self.native} here (use /v1/batches?provider={wanted})",
            code="unsupported_operation",
            provider=wanted,
        )


def _gated(prefix: str, native: str, module: Any, service: BatchService) -> Mount:
    router = Router(routes=module.routes(service))
    return Mount(prefix, app=ProviderGate(router, native, module.DIALECT))


def routes(service: BatchService) -> list[BaseRoute]:
    openai = openai_compat_routes(service)
    return [
        Mount("/openai/v1", routes=openai),
        Mount("/openai/openai", routes=openai),
        Mount("/openai", routes=openai),
        _gated("/anthropic", "anthropic", anthropic_routes, service),
        _gated("/genai", "gemini", gemini_routes, service),
        # Bedrock-compatible (`integrations/bedrock.go`, reference bifrost-batch §3): the
        # native model-invocation-job routes, answered as Bedrock does.
        _gated("/bedrock", "bedrock", bedrock_routes, service),
    ]
