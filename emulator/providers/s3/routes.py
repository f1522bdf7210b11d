"""S3 routes, path-style under `/s3` (botocore keeps an endpoint URL's path and puts the
bucket after it: `s3/.../endpoint-rule-set-1.json.gz`, reference bedrock-vertex §1.6).

One handler per method, choosing the operation by query (`?uploads`, `?uploadId=`,
`?list-type=2`) as S3 itself does. Any access key is accepted; signatures are not checked.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from emulator import bodies, headers
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.numbers import ascii_int
from emulator.core.object_errors import header_safe, store_error, too_large
from emulator.core.objects import StoredObject
from emulator.core.service import BatchService
from emulator.http import Dialect, FileBody, route
from emulator.providers.s3 import chunked, xml

PREFIXES = ("/s3/",)
DIALECT = Dialect(
    "s3", xml.render_error, request_id_header="x-amz-request-id", request_id_prefix=""
)
XML_CAP = 1024 * 1024  # CreateBucket / CompleteMultipartUpload bodies
PART_NUMBER = re.compile(rb"<PartNumber>\s*(\d{1,5})\s*</PartNumber>")
META = "x-amz-meta-"
# ASCII digits only, at most 18 (`\d` takes '٣', and int() raises past 4,300 digits); a Range
# header that does not parse is ignored, as HTTP says (RFC 9110 §14.2).
TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", re.ASCII)
BYTE_RANGE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})", re.ASCII)
# S3 bucket naming rules (S3 user guide, "Bucket naming rules"): 3-63 characters, lowercase
# letters, digits, dots and hyphens, beginning and ending with a letter or digit.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


async def _payload(service: BatchService, request: Request) -> bytes:
    """The object bytes sent, `aws-chunked` framing removed (boto3 1.36+ trailers)."""
    limit = service.objects.max_object_bytes
    raw = await bodies.read_spooled(request, limit + limit // 8 + 65_536, lambda: too_large(limit))
    encoding = request.headers.get("content-encoding", "")
    if chunked.is_chunked(encoding, request.headers.get("x-amz-content-sha256", "")):
        raw, _ = chunked.decode(raw)
    if len(raw) > limit:
        raise too_large(limit)
    return raw


def _content_type(request: Request) -> str:
    return request.headers.get("content-type") or "binary/octet-stream"


def _metadata(request: Request) -> dict[str, str]:
    return {k[len(META) :]: v for k, v in request.headers.items() if k.startswith(META)}


def _etag(value: str) -> dict[str, str]:
    return {"etag": f'"{value}"'}


# -- buckets -----------------------------------------------------------------------------
async def put_bucket(service: BatchService, request: Request) -> Response:
    bucket = request.path_params["bucket"]
    await bodies.read_body(request, XML_CAP, lambda: too_large(XML_CAP))
    if not BUCKET_NAME.fullmatch(bucket):
        raise store_error(
            ErrorKind.INVALID_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
            bucket=bucket,
        )
    if not service.objects.create_bucket(bucket, service.now()):
        raise store_error(
            ErrorKind.CONFLICT,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
            bucket=bucket,
        )
    return Response(b"", headers={"location": f"/{bucket}"})


async def get_bucket(service: BatchService, request: Request) -> Response:
    """ListObjectsV2 (HEAD: HeadBucket). ListObjects v1 is answered the same way."""
    bucket = request.path_params["bucket"]
    if request.method == "HEAD":
        service.objects.bucket_created(bucket)
        return Response(b"", headers={"x-amz-bucket-region": "us-east-1"})
    q = request.query_params
    token = q.get("continuation-token")
    after = max(q.get("start-after", ""), _untoken(token) if token else "")
    limit = _max_keys(q.get("max-keys"))
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
    if delimiter and limit:
        found, folders, last = service.objects.folders(bucket, prefix, delimiter, after, limit)
    else:
        found, more = service.objects.listing(bucket, prefix, after, limit)
        folders, last = [], (found[-1].key if more and found else None)
    inner = xml.element("Name", bucket) + xml.element("Prefix", prefix)
    inner += xml.element("KeyCount", len(found) + len(folders)) + xml.element("MaxKeys", limit)
    if delimiter:
        inner += xml.element("Delimiter", delimiter)
    inner += xml.element("IsTruncated", "true" if last is not None else "false")
    inner += "".join(xml.contents(obj) for obj in found)
    inner += "".join(
        f"<CommonPrefixes>{xml.element('Prefix', f)}</CommonPrefixes>" for f in folders
    )
    if token:
        inner += xml.element("ContinuationToken", token)
    if last is not None:
        inner += xml.element("NextContinuationToken", _token(last))
    return xml.document("ListBucketResult", inner)


def _max_keys(raw: str | None) -> int:
    if raw is None:
        return 1000
    number = ascii_int(raw)  # not str.isdigit(): '²' passes it and int() then raises
    if number is None:
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST, "Provided max-keys not an integer or within integer range"
        )
    return min(number, 1000)


def _token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST, "The continuation token provided is incorrect"
        ) from None


async def delete_bucket(service: BatchService, request: Request) -> Response:
    service.objects.delete_bucket(request.path_params["bucket"])
    return Response(b"", status_code=204)


# -- objects -----------------------------------------------------------------------------
async def put_object(service: BatchService, request: Request) -> Response:
    """PutObject, or UploadPart when `partNumber` and `uploadId` are given."""
    bucket, key = request.path_params["bucket"], request.path_params["key"]
    data = await _payload(service, request)
    upload_id = request.query_params.get("uploadId")
    if upload_id is not None:
        number = ascii_int(request.query_params.get("partNumber"))
        if number is None:
            raise store_error(ErrorKind.INVALID_REQUEST, "InvalidArgument", "Invalid partNumber")
        return Response(b"", headers=_etag(service.objects.add_part(upload_id, number, data)))
    stored = service.objects.put(
        bucket,
        key,
        data,
        now=service.now(),
        content_type=_content_type(request),
        metadata=_metadata(request),
    )
    return Response(b"", headers=_etag(stored.etag))


def _object_headers(obj: StoredObject) -> dict[str, str]:
    out = {
        "content-type": obj.content_type,
        "last-modified": xml.http_date(obj.created),
        "accept-ranges": "bytes",
        **_etag(obj.etag),
    }
    sent = {META + k: v for k, v in obj.metadata.items() if _is_token(k) and header_safe(v)}
    out.update(sent)
    if len(sent) < len(obj.metadata):  # stored through GCS's JSON: any string may be there
        # S3's own header for "metadata entries not returned in x-amz-meta headers" (S3 API
        # reference, GetObject / HeadObject response headers)
        out["x-amz-missing-meta"] = str(len(obj.metadata) - len(sent))
    return out


def _is_token(name: str) -> bool:
    """An HTTP header name's characters (RFC 9110 token)."""
    return TOKEN.fullmatch(name) is not None


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """`bytes=a-b` / `bytes=a-` / `bytes=-n` as (start, end inclusive); None: whole object."""
    match = BYTE_RANGE.fullmatch((header or "").strip())
    if match is None or (not match[1] and not match[2]):
        return None
    if not match[1]:
        start, end = max(0, size - int(match[2])), size - 1
    else:
        start, end = int(match[1]), min(int(match[2] or size - 1), size - 1)
    if start >= size or start > end:
        raise store_error(
            ErrorKind.INVALID_REQUEST, "InvalidRange", "The requested range is not satisfiable"
        )
    return start, end


async def get_object(service: BatchService, request: Request) -> Response:
    bucket, key = request.path_params["bucket"], request.path_params["key"]
    obj = service.objects.get(bucket, key)
    headers = _object_headers(obj)
    if request.method != "HEAD":
        service.object_read(bucket, key)
    if request.method == "HEAD":
        return Response(b"", headers={**headers, "content-length": str(obj.size)})
    chosen = _range(request.headers.get("range"), obj.size)
    if chosen is None:
        return FileBody(obj.data, None, headers=headers)  # inert, sent in slices
    start, end = chosen
    headers["content-range"] = f"bytes {start}-{end}/{obj.size}"
    return FileBody(obj.data[start : end + 1], None, status_code=206, headers=headers)


async def delete_object(service: BatchService, request: Request) -> Response:
    bucket, key = request.path_params["bucket"], request.path_params["key"]
    upload_id = request.query_params.get("uploadId")
    if upload_id is not None:
        service.objects.abort_upload(upload_id)
    else:
        service.objects.delete(bucket, key)  # 204 whether or not it existed (S3 docs)
    return Response(b"", status_code=204)


async def post_object(service: BatchService, request: Request) -> Response:
    """CreateMultipartUpload (`?uploads`) or CompleteMultipartUpload (`?uploadId=`)."""
    bucket, key = request.path_params["bucket"], request.path_params["key"]
    body = await bodies.read_body(request, XML_CAP, lambda: too_large(XML_CAP))
    upload_id = request.query_params.get("uploadId")
    if upload_id is None and "uploads" in request.query_params:
        new_id = base64.urlsafe_b64encode(service.ids.raw("s3-upload", 24)).decode()
        service.objects.start_upload(
            new_id, bucket, key, _content_type(request), _metadata(request)
        )
        inner = xml.element("Bucket", bucket) + xml.element("Key", key)
        return xml.document(
            "InitiateMultipartUploadResult", inner + xml.element("UploadId", new_id)
        )
    if upload_id is None:
        raise store_error(
            ErrorKind.INVALID_REQUEST, "InvalidRequest", "Unsupported POST on an object"
        )
    numbers = [int(n) for n in PART_NUMBER.findall(body)]
    if not numbers:
        raise store_error(
            ErrorKind.INVALID_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our "
            "published schema",
        )
    stored = service.objects.complete_upload(upload_id, numbers, service.now())
    inner = xml.element("Location", f"{request.url.path}") + xml.element("Bucket", bucket)
    inner += xml.element("Key", key) + xml.element("ETag", f'"{stored.etag}"')
    return xml.document("CompleteMultipartUploadResult", inner)


def signed_for(service_name: str, own_prefix: str) -> Callable[[Scope], bool]:
    """A gate for requests at the server's root that are SigV4-signed for `service_name`
    (the credential scope `.../<region>/<service>/aws4_request`), as moto dispatches them: a
    client given the bare server URL (litellm's `s3_endpoint_url`, boto3's `endpoint_url`)
    reaches the dialect without the `/s3` or `/bedrock` prefix. Paths under the dialect's own
    prefix are left to its mount (no S3 bucket name is two characters long)."""
    needle = f"/{service_name}/aws4_request".encode()

    def gate(scope: Scope) -> bool:
        path: str = scope["path"]
        if path == own_prefix or path.startswith(own_prefix + "/"):
            return False
        auth = headers.raw(scope).get(b"authorization", b"")
        return auth.startswith(b"AWS4-HMAC-SHA256") and needle in auth

    return gate


def routes(service: BatchService) -> list[BaseRoute]:
    def r(path: str, name: str, handler: Any, method: str = "GET") -> BaseRoute:
        return route(service, DIALECT, path, name, partial(handler, service), method)

    bucket, obj = "/{bucket}", "/{bucket}/{key:path}"
    return [
        r(bucket, "s3.CreateBucket", put_bucket, "PUT"),
        r(bucket, "s3.ListObjectsV2", get_bucket),
        r(bucket, "s3.DeleteBucket", delete_bucket, "DELETE"),
        r(obj, "s3.PutObject", put_object, "PUT"),
        r(obj, "s3.GetObject", get_object),
        r(obj, "s3.DeleteObject", delete_object, "DELETE"),
        r(obj, "s3.MultipartUpload", post_object, "POST"),
    ]
