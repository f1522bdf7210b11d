"""create_app: mounts the control plane and every dialect at its real paths. No logic here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import Scope

from emulator import control, dashboard
from emulator.core.errors import EmulatorError, ErrorKind, kind_for_status
from emulator.guard import CONTROL_PREFIX, AccessGuard, Reject
from emulator.http import Dialect
from emulator.providers.anthropic import routes as anthropic
from emulator.providers.azure import routes as azure
from emulator.providers.bedrock import routes as bedrock
from emulator.providers.bifrost import routes as bifrost
from emulator.providers.gcs import routes as gcs
from emulator.providers.gemini import routes as gemini
from emulator.providers.groq import routes as groq
from emulator.providers.mistral import routes as mistral
from emulator.providers.openai import routes as openai
from emulator.providers.s3 import routes as s3
from emulator.providers.together import routes as together
from emulator.providers.vertex import routes as vertex
from emulator.routegroup import RouteGroup, route_path

if TYPE_CHECKING:
    from emulator.api import Emulator


S3_SIGNED = s3.signed_for("s3", "/s3")
BEDROCK_SIGNED = s3.signed_for("bedrock", "/bedrock")


def _dialect_for(request: Request, flavor: str) -> Dialect:
    path = request.scope["path"]  # not request.url: a refused Host may not even parse
    if flavor != "bifrost" and path.startswith("/v1/") and gemini.is_google(request.scope):
        google: Dialect = gemini.DIALECT
        return google
    if flavor != "bifrost" and S3_SIGNED(request.scope):  # a root-level S3 call
        aws: Dialect = s3.DIALECT
        return aws
    if flavor != "bifrost" and BEDROCK_SIGNED(request.scope):  # a root-level Bedrock call
        signed: Dialect = bedrock.DIALECT
        return signed
    others = (azure, groq, mistral, together, s3, bedrock, gcs, vertex)
    native = others if flavor != "bifrost" else ()
    # The longest prefix wins: GCS's /upload/storage/v1/ is under Gemini's /upload.
    matches = [
        (len(prefix), module.DIALECT)
        for module in (anthropic, gemini, bifrost, *native)
        for prefix in module.PREFIXES
        if path.startswith(prefix)
    ]
    if matches:
        dialect: Dialect = max(matches, key=lambda found: found[0])[1]
        return dialect
    return bifrost.DIALECT if flavor == "bifrost" else openai.DIALECT


def _http_error(flavor: str):  # type: ignore[no-untyped-def]
    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path
        if path.startswith("/_emulator"):
            return control.error(exc.status_code, f"No control route {request.method} {path}")
        kind = ErrorKind.METHOD_NOT_ALLOWED if exc.status_code == 405 else ErrorKind.NOT_FOUND
        err = EmulatorError(kind, f"Invalid URL ({request.method} {path})", status=exc.status_code)
        dialect = _dialect_for(request, flavor)
        request_id = dialect.request_id_prefix + "unrouted"
        response = dialect.render_error(err, request_id)
        response.headers[dialect.request_id_header] = request_id
        response.headers.update(exc.headers or {})
        return response

    return handler


def _refusal(flavor: str) -> Reject:
    """An AccessGuard refusal in the envelope of the route it was aimed at."""

    def reject(scope: Scope, status: int, message: str) -> Response:
        if scope["path"].startswith(CONTROL_PREFIX):
            return control.error(status, message)
        dialect = _dialect_for(Request(scope), flavor)
        request_id = dialect.request_id_prefix + "refused"
        err = EmulatorError(kind_for_status(status), message, status=status)
        response = dialect.render_error(err, request_id)
        response.headers[dialect.request_id_header] = request_id
        return response

    return reject


def v1_left_over(scope: Scope) -> bool:
    """Paths Mount("/v1") matched: below /v1/, without a line break (its `.*` stops there)."""
    path = route_path(scope)
    return path.startswith("/v1/") and "\n" not in path


def provider_routes(emulator: Emulator) -> list[BaseRoute]:
    """Every provider at its real paths, most specific prefix first."""
    service = emulator.service
    return [
        # SigV4-signed S3 and Bedrock calls at the root (a bare endpoint URL), moto's dispatch.
        RouteGroup(S3_SIGNED, s3.routes(service), claim=True),
        RouteGroup(BEDROCK_SIGNED, bedrock.routes(service)),
        *anthropic.routes(service),
        *gemini.routes(service),
        # OpenAI claims every /v1 path left over (a miss is its 404, whoever else knows the
        # path for another method), as the Mount("/v1") it replaces did; a group at the top
        # level spares a poll the Mount's second router.
        RouteGroup(v1_left_over, openai.routes(service, prefix="/v1"), claim=True),
        Mount("/openai", routes=azure.routes(service)),
        Mount("/groq/openai/v1", routes=groq.routes(service)),
        Mount("/mistral", routes=mistral.routes(service)),
        Mount("/together", routes=together.routes(service)),
        Mount("/s3", routes=s3.routes(service)),
        Mount("/bedrock", routes=bedrock.routes(service)),
        *gcs.routes(service),
        Mount("/vertex", routes=vertex.routes(service)),
    ]


def create_app(emulator: Emulator, *, flavor: str = "all") -> Starlette:
    """`flavor="bifrost"` serves the Bifrost gateway surface at the root instead."""
    service = emulator.service
    main = (
        bifrost.routes(service)
        if flavor == "bifrost"
        else [*provider_routes(emulator), Mount("/bifrost", routes=bifrost.routes(service))]
    )
    guard = Middleware(AccessGuard, config=lambda: emulator.config, reject=_refusal(flavor))
    return Starlette(
        routes=[
            # Provider routes first (a poll is the hot path; every prefix here is disjoint,
            # so the order changes which test runs first, never which route answers).
            *main,
            Mount("/_emulator", routes=[*control.routes(emulator), *dashboard.routes(emulator)]),
        ],
        exception_handlers={HTTPException: _http_error(flavor)},
        middleware=[guard],
    )
