"""Gemini batch routes (google-genai < 3 speaks /v1beta, >= 3 speaks /v1): thin handlers.

OpenAI is mounted at /v1 after these routes, and some Gemini paths (/v1/batches/{id},
/v1/files...) are OpenAI paths too. Those are `GoogleRoute`s: they only match a request a
Google client sent, so an OpenAI call falls through to the OpenAI mount.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from emulator import bodies
from emulator.core.batch import LineError, View
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.models import is_known_model
from emulator.core.paging import page_limit
from emulator.core.results.gemini import ENDPOINT
from emulator.core.service import BatchService, NewBatch
from emulator.core.states import BatchState
from emulator.headers import bearer
from emulator.http import Dialect, FaultWords, json_response, operation, scenario_of, timing_of
from emulator.providers.gemini import dialect as d, files, params
from emulator.routegroup import RouteGroup, route_path

PREFIXES = ("/v1beta", "/upload", "/download")
VERSIONS = ("v1beta", "v1")
SCOPE = files.SCOPE
BATCH_TTL = 48 * 3600.0  # pending or running for more than 48 hours: expired
GOOGLE_HEADERS = (b"x-goog-api-key", b"x-goog-api-client")
NO_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
BAD_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential."
)
Handler = Callable[[BatchService, str, Request], Awaitable[Response]]


def authenticate(request: Request) -> None:
    """Key in `x-goog-api-key` or `?key=`; the upload URL itself is the upload's credential."""
    if request.url.path.startswith("/upload/") and "upload_id" in request.query_params:
        return
    key = request.headers.get("x-goog-api-key", request.query_params.get("key"))
    if key is None and "authorization" in request.headers:
        raise EmulatorError(ErrorKind.AUTHENTICATION, BAD_CREDENTIALS, code="UNAUTHENTICATED")
    if key is None:
        raise EmulatorError(ErrorKind.PERMISSION, NO_KEY, code="PERMISSION_DENIED")
    if not key.strip():
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST,
            "API key not valid. Please pass a valid API key.",
            code="INVALID_ARGUMENT",
        )


DIALECT = Dialect(
    "gemini",
    d.render_error,
    authenticate=authenticate,
    fault_words=FaultWords(
        {
            429: "Resource has been exhausted (e.g. check quota).",
            500: "An internal error has occurred. Please retry or report in "
            "https://developers.generativeai.google/guide/troubleshooting",
            503: "The model is overloaded. Please try again later.",
        },
        server="The service is currently unavailable.",
        client="The service is currently unavailable.",
        remap={529: 503},  # Google has no 529
    ),
)


def is_google(scope: Scope) -> bool:
    """Asked of every /v1 call (OpenAI's too), so the query is parsed only if it could hold
    a `key` at all (spelled out, or percent-escaped)."""
    for name, _ in scope.get("headers", []):
        if name in GOOGLE_HEADERS:
            return True
    query: bytes = scope.get("query_string", b"")
    if b"key" not in query and b"%" not in query:
        return False
    return "key" in parse_qs(query.decode("latin-1"))


class GoogleRoute(Route):
    """A route that only matches requests carrying a Google-only marker (key or client)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE or is_google(scope):
            return match, child
        return Match.NONE, {}


def batch_id_of(request: Request) -> str:
    """The batch id in the path; `id:verb` is an unknown custom method, never a batch."""
    batch_id = str(request.path_params["batch_id"])
    if ":" in batch_id:
        raise d.entity_not_found()
    return batch_id


# -- batches ---------------------------------------------------------------------------------
def render(service: BatchService, view: View, listing: bool = False) -> dict[str, Any]:
    """Map a view; a succeeded inline batch carries its responses (not in a listing)."""
    batch = view.batch
    results = None
    if view.state is BatchState.COMPLETED and batch.input_file_id is None and not listing:
        results = service.results(view)
    return d.operation(view, d.Rendering(results=results, listing=listing))


def generates(model: str) -> bool:
    """A model `batchGenerateContent` serves: a known one that is not an embedding model
    (`text-embedding-004`, `gemini-embedding-001`, `embedding-001` only embed; Gemini batches
    them through `:asyncBatchEmbedContent`, google-genai's `batches.create_embeddings`)."""
    return is_known_model(model) and "embedding" not in model


def _model(request: Request) -> str:
    """Recorded wording for a model a method does not serve: "models/X is not found for API
    version v1beta, or is not supported for <method>. Call ListModels ..." (404 NOT_FOUND;
    quoted for embedContent in google/generative-ai-docs#254 and feyninc/chonkie#529; the
    same sentence with this method's name, fixtures/recorded/gemini/model_not_supported.json)."""
    kind = "tunedModels" if "/tunedModels/" in request.url.path else "models"
    model = request.path_params["model"]
    if kind == "models" and not generates(model):
        raise EmulatorError(
            ErrorKind.NOT_FOUND,
            f"models/{model} is not found for API version {request.url.path.split('/')[1]}, "
            "or is not supported for batchGenerateContent. Call ListModels to see the list "
            "of available models and their supported methods.",
            code="NOT_FOUND",
        )
    return f"{kind}/{model}"


def _from_file(service: BatchService, name: str) -> tuple[list[params.Request], list[LineError]]:
    stored = files.find_file(service, name.removeprefix("files/"))
    return params.parse_jsonl(stored.data, service.config.max_batch_requests)


async def create_batch(service: BatchService, version: str, request: Request) -> Response:
    model = _model(request)
    raw = await bodies.read_body(request, params.INLINE_LIMIT, params.too_large)
    spec = params.parse_create(raw, service.config.max_batch_requests)
    requests, errors = spec.requests, list[LineError]()
    if spec.file_name is not None:
        requests, errors = _from_file(service, spec.file_name)
    view = service.create_batch(
        NewBatch(
            dialect=SCOPE,
            endpoint=ENDPOINT,
            items=[r.item for r in requests],
            model=model,
            errors=errors,
            input_file_id=spec.file_name,
            scenario=scenario_of(request),
            timing=timing_of(request),
            expires_after=BATCH_TTL,
            id_prefix="",
            extra={
                "display_name": spec.display_name,
                "metadata": [r.metadata for r in requests],
                "keys": [r.key for r in requests],
                "echo": [r.echo for r in requests] if any(r.echo for r in requests) else [],
            },
        )
    )
    return json_response(render(service, view))


async def get_batch(service: BatchService, version: str, request: Request) -> Response:
    view = service.get_batch(batch_id_of(request), {SCOPE})
    return json_response(render(service, view))


async def list_batches(service: BatchService, version: str, request: Request) -> Response:
    q = request.query_params
    size = page_limit(
        q.get("pageSize", q.get("page_size")),
        default=50,
        maximum=1000,
        clamp=True,
        param="page_size",
    )
    views = service.list_batches({SCOPE})
    ids = [v.batch.id for v in views]
    start, stop, token = params.page(ids, q.get("pageToken", q.get("page_token")), size)
    body: dict[str, Any] = {"operations": [render(service, v, True) for v in views[start:stop]]}
    if token is not None:
        body["nextPageToken"] = token
    return json_response(body)


async def cancel_batch(service: BatchService, version: str, request: Request) -> Response:
    """Gemini's cancel is instant (its profile): the next get reads CANCELLED."""
    service.cancel_batch(batch_id_of(request), {SCOPE})
    return json_response({})


async def delete_batch(service: BatchService, version: str, request: Request) -> Response:
    service.delete_batch(batch_id_of(request), {SCOPE})
    return json_response({})


async def download(service: BatchService, version: str, request: Request) -> Response:
    return files.download_bytes(files.find_file(service, request.path_params["file_id"]), request)


# -- table -----------------------------------------------------------------------------------
def _table(v: str) -> list[tuple[str, str, Handler, str, bool]]:
    """(path, name, handler, method, shared with OpenAI's /v1 paths)."""
    shared = v == "v1"
    return [
        (
            f"/{v}/models/{{model}}:batchGenerateContent",
            "batches.create",
            create_batch,
            "POST",
            False,
        ),
        (
            f"/{v}/tunedModels/{{model}}:batchGenerateContent",
            "batches.create",
            create_batch,
            "POST",
            False,
        ),
        (f"/{v}/batches/{{batch_id}}:cancel", "batches.cancel", cancel_batch, "POST", False),
        (f"/{v}/batches", "batches.list", list_batches, "GET", shared),
        (f"/{v}/batches/{{batch_id}}", "batches.get", get_batch, "GET", shared),
        (f"/{v}/batches/{{batch_id}}", "batches.delete", delete_batch, "DELETE", shared),
        (f"/upload/{v}/files", "files.upload", files.upload, "POST", False),
        (f"/{v}/files/{{file_id}}:download", "files.download", download, "GET", False),
        (f"/download/{v}/files/{{file_id}}:download", "files.download", download, "GET", False),
        (f"/{v}/files", "files.list", files.list_files, "GET", shared),
        (f"/{v}/files/{{file_id}}", "files.get", files.get_file, "GET", shared),
        (f"/{v}/files/{{file_id}}", "files.delete", files.delete_file, "DELETE", shared),
    ]


def _gate(version: str) -> Callable[[Scope], bool]:
    """Paths of this API version; on /v1, which OpenAI shares, only Google's own custom
    methods (`:batchGenerateContent`, `:cancel`, `:download`): a Google-marked request to
    /v1 was claimed already by `_google_v1`'s group, so it is not asked again here."""
    own = (f"/upload/{version}/", f"/download/{version}/")
    plain = f"/{version}/"

    def gate(scope: Scope) -> bool:
        path = route_path(scope)
        if path.startswith(own):
            return True
        if not path.startswith(plain):
            return False
        return version != "v1" or ":" in path

    return gate


def _google_v1(scope: Scope) -> bool:
    """A Google-marked request anywhere under /v1/: Gemini's, whichever path it names, unless
    it also carries an OpenAI credential (`Authorization: Bearer`), which google-genai with an
    API key never sends and every OpenAI client does: a client that sends every provider's key
    at once (surface-check does) still reaches OpenAI's own routes."""
    return route_path(scope).startswith("/v1/") and is_google(scope) and bearer(scope) is None


def routes(service: BatchService) -> list[BaseRoute]:
    out: list[BaseRoute] = []
    for version in VERSIONS:
        table: list[BaseRoute] = []
        for path, name, handler, method, shared in _table(version):
            endpoint = operation(service, DIALECT, name, partial(handler, service, version))
            kind = GoogleRoute if shared else Route
            table.append(kind(path, endpoint, methods=[method], name=name))
        if version == "v1":
            # Claimed: a Gemini-keyed call to a path only OpenAI serves (`POST /v1/batches`)
            # is Google's 404/405, in Google's envelope, never an OpenAI answer.
            out.append(RouteGroup(_google_v1, table, claim=True))
        out.append(RouteGroup(_gate(version), table))
    return out
