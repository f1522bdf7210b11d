"""GCS JSON API resources and errors (pure).

Object and bucket resources per the JSON API reference (cloud.google.com/storage/docs/json_api/
v1/objects#resource): numbers as strings, `md5Hash`/`crc32c` base64. Errors: `{"error": {"code",
"message", "errors": [{"message", "domain": "global", "reason"}]}}`.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from emulator.core.errors import EmulatorError, ErrorKind, shorten
from emulator.core.objects import StoredObject
from emulator.http import json_response

REASONS = {
    ErrorKind.INVALID_REQUEST: "invalid",
    ErrorKind.AUTHENTICATION: "required",
    ErrorKind.PERMISSION: "forbidden",
    ErrorKind.NOT_FOUND: "notFound",
    ErrorKind.CONFLICT: "conflict",
    ErrorKind.TOO_LARGE: "uploadTooLarge",
    ErrorKind.RATE_LIMITED: "rateLimitExceeded",
}


def rfc3339(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def crc32c(data: bytes) -> str | None:
    """base64 CRC32C via google-crc32c (google-cloud-storage's own dependency, so present
    whenever its client is); None without it, and the field is left out."""
    try:
        module: Any = importlib.import_module("google_crc32c")
    except ImportError:
        return None
    return base64.b64encode(int(module.value(data)).to_bytes(4, "big")).decode()


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


def object_resource(obj: StoredObject, origin: str) -> dict[str, Any]:
    name = quote(obj.key, safe="")
    path = f"/b/{obj.bucket}/o/{name}"
    body: dict[str, Any] = {
        "kind": "storage#object",
        "id": f"{obj.bucket}/{obj.key}/{obj.generation}",
        "selfLink": f"{origin}/storage/v1{path}",
        "mediaLink": f"{origin}/download/storage/v1{path}?generation={obj.generation}&alt=media",
        "name": obj.key,
        "bucket": obj.bucket,
        "generation": str(obj.generation),
        "metageneration": "1",
        "contentType": obj.content_type,
        "storageClass": "STANDARD",
        "size": str(obj.size),
        "md5Hash": md5(obj.data),
        "etag": base64.b64encode(obj.etag.encode()[:12]).decode(),
        "timeCreated": rfc3339(obj.created),
        "updated": rfc3339(obj.created),
    }
    checksum = crc32c(obj.data)
    if checksum is not None:
        body["crc32c"] = checksum
    if obj.metadata:
        body["metadata"] = obj.metadata
    return body


def hash_header(obj: StoredObject) -> str:
    checksum = crc32c(obj.data)
    md5_part = f"md5={md5(obj.data)}"
    return md5_part if checksum is None else f"crc32c={checksum},{md5_part}"


def bucket_resource(name: str, created: float, origin: str) -> dict[str, Any]:
    return {
        "kind": "storage#bucket",
        "id": name,
        "selfLink": f"{origin}/storage/v1/b/{name}",
        "name": name,
        "projectNumber": "0",
        "metageneration": "1",
        "location": "US",
        "storageClass": "STANDARD",
        "etag": "CAE=",
        "timeCreated": rfc3339(created),
        "updated": rfc3339(created),
    }


def render_error(err: EmulatorError, request_id: str) -> Response:
    reason = REASONS.get(err.kind, "backendError")
    message = shorten(_worded(err))  # the key echoed: at most MAX_MESSAGE characters
    body = {
        "error": {
            "code": err.status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }
    }
    return json_response(body, err.status)


def _worded(err: EmulatorError) -> str:
    """The store's refusals in GCS's words (JSON API error messages as the service sends)."""
    store = err.facts.get("store")
    if store == "NoSuchBucket":
        return "The specified bucket does not exist."
    if store == "NoSuchKey":
        return f"No such object: {err.facts.get('bucket', '')}/{err.facts.get('key', '')}"
    return err.message
