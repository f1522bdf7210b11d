"""S3's XML bodies: the few results the subset answers with, and the error envelope.

Shapes from the S3 API reference (ListObjectsV2, InitiateMultipartUploadResult,
CompleteMultipartUploadResult, "Error responses"): `<Error><Code/><Message/>...<RequestId/>`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from starlette.responses import Response

from emulator.core.errors import EmulatorError, ErrorKind, shorten
from emulator.core.objects import StoredObject

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
# S3's error code for a refusal the store did not name (S3 API reference, "Error codes").
CODE_BY_KIND = {
    ErrorKind.INVALID_REQUEST: "InvalidArgument",
    ErrorKind.AUTHENTICATION: "InvalidAccessKeyId",
    ErrorKind.PERMISSION: "AccessDenied",
    ErrorKind.NOT_FOUND: "NoSuchKey",
    ErrorKind.METHOD_NOT_ALLOWED: "MethodNotAllowed",
    ErrorKind.CONFLICT: "OperationAborted",
    ErrorKind.TOO_LARGE: "EntityTooLarge",
    ErrorKind.RATE_LIMITED: "SlowDown",
    ErrorKind.UNAVAILABLE: "ServiceUnavailable",
    ErrorKind.OVERLOADED: "SlowDown",
}


# Characters XML 1.0 forbids even escaped (a NUL or lone surrogate in a key or bucket name
# echoed back): left in, no parser reads the answer, botocore's included.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def element(name: str, value: object) -> str:
    return f"<{name}>{escape(NOT_XML.sub(chr(0xFFFD), str(value)))}</{name}>"


def document(root: str, inner: str) -> Response:
    body = f'{HEAD}<{root} xmlns="{NS}">{inner}</{root}>'
    return Response(body.encode(), media_type="application/xml")


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def http_date(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def contents(obj: StoredObject) -> str:
    return (
        "<Contents>"
        + element("Key", obj.key)
        + element("LastModified", iso(obj.created))
        + element("ETag", f'"{obj.etag}"')
        + element("Size", obj.size)
        + element("StorageClass", "STANDARD")
        + "</Contents>"
    )


def error_code(err: EmulatorError) -> str:
    store = err.facts.get("store")
    if isinstance(store, str):
        return store
    if err.code and err.code[:1].isupper():  # already an S3 code (chunked framing, faults)
        return err.code
    return CODE_BY_KIND.get(err.kind, "InternalError")


def render_error(err: EmulatorError, request_id: str) -> Response:
    inner = element("Code", error_code(err)) + element("Message", err.message)
    for name in ("bucket", "key"):
        if name in err.facts:
            tag = name.capitalize() + ("Name" if name == "bucket" else "")
            inner += element(tag, shorten(str(err.facts[name])))  # a 60 KB key is not echoed
    inner += element("RequestId", request_id)
    body = f"{HEAD}<Error>{inner}</Error>"
    return Response(body.encode(), status_code=err.status, media_type="application/xml")
