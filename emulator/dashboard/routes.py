"""The dashboard's routes inside the `/_emulator` mount: the page, its assets, its data.

The page is three static files shipped as package data; no build step, nothing from a CDN. The
HTML goes out with a Content-Security-Policy that lets the browser load and fetch from this
server only, so the page works offline and cannot be made to call anywhere else.

None of these routes is wrapped by `emulator.http.operation`, so none is journaled: the page
polling every second leaves the request journal (and any client verdict built on it) untouched.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from emulator import native
from emulator.control import error, guard
from emulator.dashboard import data
from emulator.http import INERT, FileBody, json_response
from emulator.offload import off_loop

if TYPE_CHECKING:
    from emulator.api import Emulator

ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # a `?token=` in the page URL never leaves in a Referer
    "cache-control": "no-cache",
}


def _asset(name: str) -> bytes:
    return resources.files("emulator.dashboard").joinpath("static", name).read_bytes()


def _attachment(filename: str) -> str:
    """A download header whatever the client named its upload (no quotes or line breaks)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return f'attachment; filename="{safe or "file"}"'


def routes(emulator: Emulator) -> list[Route]:
    async def page(request: Request) -> Response:
        return Response(_asset("index.html"), media_type=ASSETS["index.html"], headers=HEADERS)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS or name == "index.html":
            return error(404, f"No dashboard asset {name!r}")
        return Response(_asset(name), media_type=ASSETS[name], headers=HEADERS)

    async def batches(request: Request) -> Response:  # reads every batch: off the loop
        return await off_loop(
            lambda: json_response(data.batch_page(emulator, request.query_params))
        )

    async def batch(request: Request) -> Response:  # may render a big batch's files
        batch_id = request.path_params["batch_id"]
        return await off_loop(lambda: json_response(data.batch_detail(emulator, batch_id)))

    async def results(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        lines = data.results_lines(emulator, batch_id)  # an unknown id fails here, as a 404
        return StreamingResponse(
            lines,
            media_type="application/jsonl",
            headers={"content-disposition": _attachment(f"{batch_id}_results.jsonl"), **INERT},
        )

    async def download(request: Request) -> Response:
        asked = request.path_params["file_id"]  # Gemini's `files/...` name works too
        forms = native.file_id_forms(asked)
        found = next((f for f in forms if emulator.service.file_or_none(f) is not None), asked)
        stored = emulator.service.get_file(found)
        response = FileBody(stored.data, media_type=stored.mime_type)
        response.headers["content-disposition"] = _attachment(stored.filename)
        return response

    async def verdict(request: Request) -> Response:  # the whole verdict: off the loop
        return await off_loop(lambda: json_response(data.findings(emulator, request.query_params)))

    async def journal(request: Request) -> Response:
        return json_response(data.journal_tail(emulator, request.query_params))

    table = [
        ("/", page),
        ("/static/{name}", asset),
        ("/dashboard/batches", batches),
        # `:path`: Gemini's ids as its SDK hands them out contain a slash (`batches/...`).
        ("/dashboard/batches/{batch_id:path}/results", results),
        ("/dashboard/batches/{batch_id:path}", batch),
        ("/dashboard/files/{file_id:path}", download),
        ("/dashboard/requests", journal),
        ("/dashboard/findings", verdict),
    ]
    return [Route(path, guard(fn), methods=["GET"]) for path, fn in table]
