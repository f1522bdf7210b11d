"""Gemini Files API: the two-step resumable upload, get, list, delete and media download.

An upload session is a stored file with a pending purpose, so `reset()` clears sessions with
everything else; the session id is the file id, and the upload URL is the only credential
the second step needs (the SDK sends no API key there).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator import bodies
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.files import StoredFile
from emulator.core.numbers import ascii_int
from emulator.core.paging import page_limit
from emulator.core.service import BatchService
from emulator.http import json_response, origin
from emulator.providers.gemini import dialect as d, params
from emulator.providers.gemini.profile import PROFILE

SCOPE = "gemini"
PENDING = "upload_pending"
UPLOADED = "user_data"
FILE_TTL = PROFILE.output_ttl  # "Files are stored for 48 hours"
CHUNK_GRANULARITY = "8388608"
FILE_KEYS = (
    "name",
    "displayName",
    "display_name",
    "mimeType",
    "mime_type",
    "sizeBytes",
    "size_bytes",
)
NAME_RULE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def no_file(file_id: str) -> EmulatorError:
    return EmulatorError(
        ErrorKind.PERMISSION,
        f"You do not have permission to access the File {file_id} or it may not exist.",
        code="PERMISSION_DENIED",
    )


def find_file(service: BatchService, file_id: str) -> StoredFile:
    for stored in visible(service):
        if stored.id == file_id:
            return stored
    raise no_file(file_id)


def visible(service: BatchService) -> list[StoredFile]:
    """Newest first, without upload sessions (the core has already dropped expired files)."""
    return [f for f in service.list_files({SCOPE}) if f.purpose != PENDING][::-1]


def wire_file(service: BatchService, request: Request, version: str, stored: StoredFile) -> Any:
    return d.file_to_wire(stored, stored.id, origin(service, request), version)


# -- upload ----------------------------------------------------------------------------------
def _commands(request: Request) -> set[str]:
    raw = request.headers.get("x-goog-upload-command", "")
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


async def upload(service: BatchService, version: str, request: Request) -> Response:
    session = request.query_params.get("upload_id")
    if session is not None:
        return await _upload_bytes(service, version, request, session)
    if "start" not in _commands(request):
        raise invalid("Only resumable uploads are supported: send X-Goog-Upload-Command: start.")
    return await _start(service, version, request)


def _declared(request: Request, meta: dict[str, Any]) -> int | None:
    raw = request.headers.get("x-goog-upload-header-content-length")
    value = raw if raw is not None else params.pick(meta, "sizeBytes", "size_bytes")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    number = ascii_int(value) if isinstance(value, str) else None
    if number is not None:
        return number
    raise invalid(f"Invalid upload size {str(value)[:40]!r}.")


def _new_id(service: BatchService, meta: dict[str, Any]) -> str:
    name = meta.get("name")
    if name is None:
        return service.ids.next("gemini-file").lower()[:12]
    wanted = str(name).removeprefix("files/")
    if NAME_RULE.fullmatch(wanted) is None:
        raise invalid(
            "* File.name: must contain only lowercase alphanumeric characters or dashes (-), "
            "and cannot begin or end with a dash; at most 40 characters."
        )
    if any(f.id == wanted for f in service.list_files({SCOPE})):
        raise EmulatorError(
            ErrorKind.CONFLICT, f"File files/{wanted} already exists.", code="ALREADY_EXISTS"
        )
    return wanted


async def _start(service: BatchService, version: str, request: Request) -> Response:
    raw = await bodies.read_body(request, bodies.JSON_CAP, _start_too_large)
    body = params.parse_json(raw) if raw.strip() else {}
    body = body if isinstance(body, dict) else {}
    params.only(body, ("file",), "")
    meta = body.get("file") or {}
    if not isinstance(meta, dict):
        raise invalid("Invalid JSON payload received. 'file' must be an object.")
    params.only(meta, FILE_KEYS, "file")
    declared = _declared(request, meta)
    if declared is not None and declared > service.config.max_file_bytes:
        raise _file_too_large()
    file_id = _new_id(service, meta)
    display = params.pick(meta, "displayName", "display_name")
    mime = params.pick(meta, "mimeType", "mime_type") or request.headers.get(
        "x-goog-upload-header-content-type", "application/octet-stream"
    )
    stored = service.add_file(
        SCOPE,
        request.headers.get("x-goog-upload-file-name") or str(display or file_id),
        PENDING,
        b"",
        file_id=file_id,
        mime_type=str(mime),
        display_name=None if display is None else str(display),
    )
    stored.extra["declared"] = declared
    url = f"{origin(service, request)}/upload/{version}/files?upload_id={file_id}"
    url += "&upload_protocol=resumable"
    headers = {
        "x-goog-upload-status": "active",
        "x-goog-upload-url": url,
        "x-goog-upload-control-url": url,
        "x-goog-upload-chunk-granularity": CHUNK_GRANULARITY,
    }
    return Response(b"", 200, headers=headers)


def _start_too_large() -> Exception:
    return invalid(f"Request payload size exceeds the limit: {bodies.JSON_CAP} bytes.")


def _file_too_large() -> Exception:
    """Gemini takes files up to 2 GB; the emulator keeps files in memory, so it stops at its
    own `max_file_bytes` (200 MB unless configured): see README, divergences."""
    return EmulatorError(
        ErrorKind.TOO_LARGE, "The file is larger than this emulator accepts.", code="OUT_OF_RANGE"
    )


def _session(service: BatchService, session: str) -> StoredFile:
    stored = service.file_or_none(session)
    if stored is None or stored.purpose != PENDING or stored.dialect != SCOPE:
        raise EmulatorError(
            ErrorKind.NOT_FOUND, "The upload session was not found.", code="NOT_FOUND"
        )
    return stored


async def _upload_bytes(
    service: BatchService, version: str, request: Request, session: str
) -> Response:
    pending = _session(service, session)
    commands = _commands(request)
    offset = request.headers.get("x-goog-upload-offset", "0")
    if ascii_int(offset) != pending.size:
        raise invalid(
            f"Upload offset {offset[:40]} does not match the {pending.size} bytes received."
        )
    room = service.config.max_file_bytes - pending.size
    data = pending.data + await bodies.read_body(request, room, _file_too_large)
    final = "finalize" in commands
    declared = pending.extra.get("declared")
    if final and isinstance(declared, int) and declared != len(data):
        raise invalid(f"The upload has {len(data)} bytes; {declared} were declared at start.")
    service.delete_file(pending.id)
    stored = service.add_file(
        SCOPE,
        pending.filename,
        UPLOADED if final else PENDING,
        data,
        file_id=pending.id,
        mime_type=pending.mime_type,
        display_name=pending.display_name,
        expires_after=FILE_TTL if final else None,
    )
    if not final:
        stored.extra["declared"] = declared
        return Response(b"", 200, headers={"x-goog-upload-status": "active"})
    body = {"file": wire_file(service, request, version, stored)}
    return json_response(body, headers={"x-goog-upload-status": "final"})


# -- metadata and content --------------------------------------------------------------------
async def get_file(service: BatchService, version: str, request: Request) -> Response:
    stored = find_file(service, request.path_params["file_id"])
    return json_response(wire_file(service, request, version, stored))


async def list_files(service: BatchService, version: str, request: Request) -> Response:
    q = request.query_params
    size = page_limit(
        q.get("pageSize", q.get("page_size")),
        default=10,
        maximum=100,
        clamp=True,
        param="page_size",
    )
    files = visible(service)
    ids = [f.id for f in files]
    start, stop, token = params.page(ids, q.get("pageToken", q.get("page_token")), size)
    body: dict[str, Any] = {
        "files": [wire_file(service, request, version, f) for f in files[start:stop]]
    }
    if token is not None:
        body["nextPageToken"] = token
    return json_response(body)


async def delete_file(service: BatchService, version: str, request: Request) -> Response:
    stored = find_file(service, request.path_params["file_id"])
    service.delete_file(stored.id)
    return json_response({})


def download_bytes(stored: StoredFile, request: Request) -> Response:
    if request.query_params.get("alt") != "media":
        raise invalid("Downloading a file needs the query parameter alt=media.")
    if stored.purpose != d.OUTPUT_PURPOSE:
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST,
            "Only generated files can be downloaded; uploaded files cannot.",
            code="FAILED_PRECONDITION",
        )
    return Response(stored.data, 200, media_type="application/octet-stream")
