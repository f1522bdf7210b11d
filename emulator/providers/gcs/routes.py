"""GCS JSON API routes at the API's own paths (`/storage/v1`, `/upload/storage/v1`,
`/download/storage/v1`), which google-cloud-storage builds on `STORAGE_EMULATOR_HOST`.

Uploads: `uploadType=media` (bytes, `name=` in the query), `multipart` (multipart/related:
JSON metadata then the bytes) and `resumable` (a session URL, then PUTs with Content-Range;
308 while incomplete). Cloud Storage upload docs (cloud.google.com/storage/docs/uploads-
downloads) describe all three. Any bearer token or none is accepted.
"""

from __future__ import annotations

import base64
import re
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from emulator import bodies
from emulator.core import jsonsafe
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.numbers import ascii_int
from emulator.core.object_errors import too_large
from emulator.core.service import BatchService
from emulator.http import Dialect, FileBody, json_response, origin, route
from emulator.providers.gcs import wire

PREFIXES = ("/storage/v1/", "/upload/storage/v1/", "/download/storage/v1/")
DIALECT = Dialect("gcs", wire.render_error, request_id_header="x-guploader-uploadid")
# Bucket naming (cloud.google.com/storage/docs/buckets#naming): 3-63 characters of lowercase
# letters, digits, dashes, underscores and dots, starting and ending with a letter or digit.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")
# ASCII digits only, at most 18 (`\d` takes '٣'; int() raises past 4,300 digits).
CONTENT_RANGE = re.compile(r"bytes (?:([0-9]{1,18})-([0-9]{1,18})|\*)/([0-9]{1,18}|\*)", re.ASCII)
BYTE_RANGE = re.compile(r"bytes=([0-9]{1,18})-([0-9]{0,18})", re.ASCII)
JSON_CAP = 1024 * 1024


async def _body(service: BatchService, request: Request) -> bytes:
    limit = service.objects.max_object_bytes
    return await bodies.read_spooled(request, limit + 65_536, lambda: too_large(limit))


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = jsonsafe.loads(raw) if raw.strip() else {}
    except ValueError:
        raise invalid("Parse Error") from None
    if not isinstance(value, dict):
        raise invalid("Parse Error")
    return value


def _meta(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


# -- buckets -----------------------------------------------------------------------------
async def insert_bucket(service: BatchService, request: Request) -> Response:
    body = _json(await bodies.read_body(request, JSON_CAP, lambda: too_large(JSON_CAP)))
    name = body.get("name")
    if not isinstance(name, str) or not BUCKET_NAME.fullmatch(name):
        raise invalid("Invalid bucket name: " + str(name)[:100])
    if not service.objects.create_bucket(name, service.now()):
        raise EmulatorError(
            ErrorKind.CONFLICT,
            "Your previous request to create the named bucket succeeded and you already own it.",
        )
    created = service.objects.bucket_created(name)
    return json_response(wire.bucket_resource(name, created, origin(service, request)))


async def get_bucket(service: BatchService, request: Request) -> Response:
    name = request.path_params["bucket"]
    created = service.objects.bucket_created(name)
    return json_response(wire.bucket_resource(name, created, origin(service, request)))


async def delete_bucket(service: BatchService, request: Request) -> Response:
    service.objects.delete_bucket(request.path_params["bucket"])
    return Response(b"", status_code=204)


# -- objects -----------------------------------------------------------------------------
async def list_objects(service: BatchService, request: Request) -> Response:
    q = request.query_params
    asked = ascii_int(q.get("maxResults"))  # not str.isdigit(): '²' passes it, int() raises
    limit = 1000 if asked is None else max(1, min(asked, 1000))
    after = ""
    if q.get("pageToken"):
        try:
            after = base64.urlsafe_b64decode(q["pageToken"].encode()).decode()
        except ValueError:
            raise invalid("Invalid pageToken") from None
    bucket, prefix, delimiter = (
        request.path_params["bucket"],
        q.get("prefix", ""),
        q.get("delimiter"),
    )
    if delimiter:
        found, folders, last = service.objects.folders(bucket, prefix, delimiter, after, limit)
    else:
        found, more = service.objects.listing(bucket, prefix, after, limit)
        folders, last = [], (found[-1].key if more and found else None)
    here = origin(service, request)
    body: dict[str, Any] = {
        "kind": "storage#objects",
        "items": [wire.object_resource(o, here) for o in found],
    }
    if folders:
        body["prefixes"] = folders
    if last is not None:
        body["nextPageToken"] = base64.urlsafe_b64encode(last.encode()).decode()
    return json_response(body)


async def get_object(service: BatchService, request: Request) -> Response:
    p = request.path_params
    obj = service.objects.get(p["bucket"], p["name"])
    if request.query_params.get("alt") == "media" or request.url.path.startswith("/download"):
        service.object_read(p["bucket"], p["name"])
        return _media(obj, request)
    return json_response(wire.object_resource(obj, origin(service, request)))


def _media(obj: Any, request: Request) -> Response:
    headers = {
        "x-goog-hash": wire.hash_header(obj),
        "x-goog-generation": str(obj.generation),
        "x-goog-stored-content-length": str(obj.size),
    }
    found = BYTE_RANGE.fullmatch(request.headers.get("range", ""))
    if found is None:
        return FileBody(obj.data, obj.content_type, headers=headers)  # inert, in slices
    start = int(found[1])
    end = min(int(found[2]) if found[2] else obj.size - 1, obj.size - 1)
    if found[2] and int(found[2]) < start:  # an invalid range is ignored (RFC 9110 §14.2)
        return FileBody(obj.data, obj.content_type, headers=headers)  # inert, in slices
    if start >= obj.size and obj.size:
        raise EmulatorError(ErrorKind.INVALID_REQUEST, "Request range not satisfiable", status=416)
    headers["content-range"] = f"bytes {start}-{end}/{obj.size}"
    part = obj.data[start : end + 1]
    return FileBody(part, obj.content_type, status_code=206, headers=headers)


async def delete_object(service: BatchService, request: Request) -> Response:
    p = request.path_params
    if not service.objects.delete(p["bucket"], p["name"]):
        service.objects.get(p["bucket"], p["name"])  # GCS answers 404: raise the store's own
    return Response(b"", status_code=204)


# -- uploads -----------------------------------------------------------------------------
async def upload(service: BatchService, request: Request) -> Response:
    kind = request.query_params.get("uploadType", "media")
    bucket = request.path_params["bucket"]
    if kind == "resumable":
        return await _start_resumable(service, request, bucket)
    data = await _body(service, request)
    if kind == "multipart":
        meta, data, ctype = _split_related(request.headers.get("content-type", ""), data)
    elif kind == "media":
        meta, ctype = (
            {"name": request.query_params.get("name")},
            request.headers.get("content-type", "application/octet-stream"),
        )
    else:
        raise invalid(f"Invalid upload type: {kind[:50]}")
    return _stored(service, request, bucket, meta, data, ctype)


def _stored(
    service: BatchService,
    request: Request,
    bucket: str,
    meta: dict[str, Any],
    data: bytes,
    ctype: str,
) -> Response:
    name = meta.get("name") or request.query_params.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("Required", code="required")
    obj = service.objects.put(
        bucket,
        name,
        data,
        now=service.now(),
        content_type=str(meta.get("contentType") or ctype or "application/octet-stream"),
        metadata=_meta(meta.get("metadata")),
    )
    return json_response(wire.object_resource(obj, origin(service, request)))


def _split_related(content_type: str, data: bytes) -> tuple[dict[str, Any], bytes, str]:
    """multipart/related: the JSON metadata part, then the media part."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if found is None:
        raise invalid("Missing multipart boundary")
    marker = b"--" + found[1].encode()
    # At most four pieces (preamble, metadata, media, closing): an unbounded split of a 200 MB
    # body of tiny parts made ~2 GB of bytes objects (a 20 MB one peaked at 199 MB).
    parts = [p for p in data.split(marker, 3) if p.strip() not in (b"", b"--")]
    if len(parts) != 2:
        raise invalid("Multipart upload needs exactly a metadata part and a media part")
    _, _, meta_raw = parts[0].partition(b"\r\n\r\n")
    media_head, _, media = parts[1].partition(b"\r\n\r\n")
    media = media[:-2] if media.endswith(b"\r\n") else media
    ctype = re.search(rb"(?im)^content-type:\s*([^\r\n]+)", media_head)
    return _json(meta_raw), media, ctype[1].decode("latin-1") if ctype else ""


async def _start_resumable(service: BatchService, request: Request, bucket: str) -> Response:
    meta = _json(await bodies.read_body(request, JSON_CAP, lambda: too_large(JSON_CAP)))
    name = meta.get("name") or request.query_params.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("Required", code="required")
    upload_id = base64.urlsafe_b64encode(service.ids.raw("gcs-upload", 24)).decode()
    ctype = str(meta.get("contentType") or request.headers.get("x-upload-content-type") or "")
    service.objects.start_upload(
        upload_id, bucket, name, ctype or "application/octet-stream", _meta(meta.get("metadata"))
    )
    here = origin(service, request)
    location = f"{here}/upload/storage/v1/b/{bucket}/o?uploadType=resumable&upload_id={upload_id}"
    return Response(b"", headers={"location": location})


async def resumable_chunk(service: BatchService, request: Request) -> Response:
    """One PUT of a resumable session: 308 with the bytes held so far, or the object."""
    upload_id = request.query_params.get("upload_id", "")
    session = service.objects.upload(upload_id)
    data = await _body(service, request)
    found = CONTENT_RANGE.fullmatch(request.headers.get("content-range", f"bytes */{len(data)}"))
    if found is None:
        raise invalid("Invalid Content-Range header")
    if found[1] is not None and data:
        start = int(found[1])
        if start > session.size:
            raise invalid("Content-Range starts past the bytes received so far")
        data = data[session.size - start :]
        if data:
            service.objects.add_part(upload_id, len(session.parts) + 1, data)
    total = found[3]
    if total != "*" and session.size >= int(total):
        obj = service.objects.complete_upload(upload_id, None, service.now())
        return json_response(wire.object_resource(obj, origin(service, request)))
    headers = {"range": f"bytes=0-{session.size - 1}"} if session.size else {}
    return Response(b"", status_code=308, headers=headers)


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    obj = "/b/{bucket}/o/{name:path}"
    api = [
        r("/b", "buckets.insert", insert_bucket, "POST"),
        r("/b/{bucket}", "buckets.get", get_bucket),
        r("/b/{bucket}", "buckets.delete", delete_bucket, "DELETE"),
        r("/b/{bucket}/o", "objects.list", list_objects),
        r(obj, "objects.get", get_object),
        r(obj, "objects.delete", delete_object, "DELETE"),
    ]
    uploads = [
        r("/b/{bucket}/o", "objects.insert", upload, "POST"),
        r("/b/{bucket}/o", "objects.resumable", resumable_chunk, "PUT"),
    ]
    downloads = [r(obj, "objects.download", get_object)]
    return [
        Mount("/storage/v1", routes=api),
        Mount("/upload/storage/v1", routes=uploads),
        Mount("/download/storage/v1", routes=downloads),
    ]
