"""Unified Files API (`/v1/files...`): stored in the routed provider's own scope.

An OpenAI file uploaded through Bifrost is the same file `/v1/files` lists, and it can feed an
OpenAI batch created either way; Gemini files are `files/<id>` and feed Gemini batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from emulator import bodies
from emulator.core.files import StoredFile
from emulator.core.paging import page_limit, window
from emulator.core.service import DAY
from emulator.http import FileBody
from emulator.providers.azure import params as azure_params
from emulator.providers.bifrost.batches import upstream_errors
from emulator.providers.bifrost.errors import BifrostError, refused
from emulator.providers.bifrost.render import Call
from emulator.providers.openai import params, routes as openai_routes


@dataclass(frozen=True)
class FileProfile:
    scope: str
    prefix: str
    purposes: tuple[str, ...] | None  # None: the provider does not check the purpose
    media_type: str


PROFILES = {
    "openai": FileProfile("openai", "file-", params.FILE_PURPOSES, "application/octet-stream"),
    "anthropic": FileProfile("anthropic", "file_", None, "application/octet-stream"),
    "gemini": FileProfile("gemini", "", None, "application/jsonl"),
    "azure": FileProfile("azure", "file-", azure_params.PURPOSES, "application/octet-stream"),
}


async def read_form(request: Request, limit: int) -> FormData:
    """The upload form, refused mid-stream once its file passes `limit` bytes."""
    return await bodies.read_form(request, limit, _too_large, _bad_form)


def _too_large() -> Exception:
    return BifrostError("file is too large", status=413, request_type="file_upload")


def _bad_form(reason: str) -> Exception:
    return refused(f"invalid multipart form: {reason}", "file_upload")


def file_object(stored: StoredFile, *, detail: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ("files/" if stored.dialect == "gemini" else "") + stored.id,
        "object": "file",
        "bytes": stored.size,
        "created_at": int(stored.created_at),
        "filename": stored.filename,
        "purpose": stored.purpose,
        "status": "processed",
    }
    if stored.expires_at is not None:
        out["expires_at"] = int(stored.expires_at)
    if detail:
        out["storage_backend"] = "api"
    return out


def find(call: Call, file_id: str) -> StoredFile:
    with upstream_errors(call):
        if call.provider == "gemini":
            file_id = file_id.removeprefix("files/")
        return call.service.get_file(file_id, {PROFILES[call.provider].scope})


async def upload(call: Call, form: FormData) -> dict[str, Any]:
    purpose, upload = form.get("purpose"), form.get("file")
    if not isinstance(purpose, str) or not purpose:
        raise refused("purpose is required", call.request_type)
    if not isinstance(upload, UploadFile):
        raise refused("file is required", call.request_type)
    profile = PROFILES[call.provider]
    data = await upload.read()
    filename = upload.filename or "upload"
    with upstream_errors(call):
        if profile.purposes is not None and purpose not in profile.purposes:
            raise params.invalid_value("purpose", purpose, profile.purposes)
        if call.provider in ("openai", "azure") and purpose == "batch":
            openai_routes.check_batch_file(filename, data)
        stored = call.service.add_file(
            profile.scope,
            filename,
            purpose,
            data,
            expires_after=30 * DAY if purpose == "batch" else None,
            prefix=profile.prefix,
            display_name=filename,
        )
    return {**file_object(stored, detail=True), "extra_fields": call.extra()}


def list_files(call: Call, request: Request) -> dict[str, Any]:
    q = request.query_params
    order = q.get("order", "desc")
    if order not in ("asc", "desc"):
        raise refused(f"invalid order parameter: {order!r}", call.request_type)
    with upstream_errors(call):
        limit = page_limit(q.get("limit"), default=10_000, maximum=None)
    files = [
        f
        for f in call.service.list_files({PROFILES[call.provider].scope})
        if q.get("purpose") is None or f.purpose == q.get("purpose")
    ]
    if order == "desc":
        files.reverse()
    ids = [file_object(f, detail=False)["id"] for f in files]
    page, more = window(files, ids, after=q.get("after"), limit=limit)
    body: dict[str, Any] = {"object": "list", "data": [file_object(f, detail=False) for f in page]}
    if more or call.mode == "schema":  # Bifrost's file list carries no first/last ids
        body["has_more"] = more
    if more:
        body["after"] = file_object(page[-1], detail=False)["id"]
    body["extra_fields"] = call.extra()
    return body


def retrieve(call: Call, file_id: str) -> dict[str, Any]:
    return {**file_object(find(call, file_id), detail=True), "extra_fields": call.extra()}


def delete(call: Call, file_id: str) -> dict[str, Any]:
    stored = find(call, file_id)
    call.service.delete_file(stored.id)
    name = file_object(stored, detail=False)["id"]
    return {"id": name, "object": "file", "deleted": True, "extra_fields": call.extra()}


def content(call: Call, file_id: str) -> Response:
    stored = find(call, file_id)
    media = PROFILES[call.provider].media_type
    return FileBody(stored.data, media_type=media)
