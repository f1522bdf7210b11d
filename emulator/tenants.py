"""`serve --isolate-keys`: every API key is a tenant of its own.

An ASGI wrapper names the tenant of each request (`emulator.core.tenancy`) from the key the
request carries, whichever provider's way it is sent: `Authorization: Bearer`, `x-api-key`,
`x-goog-api-key`, `api-key`, `?key=`, or the access key id of an AWS SigV4 signature. The core
does the rest: another key's batch or file is the provider's own not-found, lists show a key
its own. The control plane and dashboard see every tenant, or one with `?key=KEY` (or the
`x-emulator-key` header).
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator import headers
from emulator.core.tenancy import TENANT, tenant_of

CONTROL = "/_emulator"
_HEADERS = (b"x-api-key", b"x-goog-api-key", b"api-key")
# Upload URLs that are themselves the credential, sent without a key: Together's upload step
# PUTs to the location its create step returned (a presigned URL in the real service), and
# google-genai sends a resumable upload's bytes to the `x-goog-upload-url` it was given. Such a
# request acts as the tenant that owns the file it names.
TOGETHER_UPLOAD = re.compile(r"^/together/v1/files/([^/]+)/upload$")
GEMINI_UPLOAD = re.compile(r"/upload/v1(?:beta)?/files$")


def api_key(scope: Scope) -> str | None:
    """The API key a provider call carries, or None."""
    sent = headers.raw(scope)
    for name in _HEADERS:
        value = sent.get(name)
        if value:
            return value.decode("latin-1").strip()
    auth = sent.get(b"authorization", b"").decode("latin-1").strip()
    scheme, _, rest = auth.partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        return rest.strip()
    if scheme.upper().startswith("AWS4-") and "Credential=" in rest:
        return rest.split("Credential=", 1)[1].split("/", 1)[0].strip()  # the access key id
    return _query_key(scope)


def _query_key(scope: Scope) -> str | None:
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if name == "key" and value:
            return str(value)
    return None


def _control_tenant(scope: Scope) -> str | None:
    """The tenant a control-plane call scopes to (None: every tenant); `key` is then taken
    out of the query, so the journal's filters never see it."""
    given = headers.first(scope, b"x-emulator-key")
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    rest = [(k, v) for k, v in query if k != "key"]
    if len(rest) != len(query):
        given = given or next(str(v) for k, v in query if k == "key")
        scope["query_string"] = urlencode(rest).encode("latin-1")
    return None if not given else tenant_of(given)


def _uploading(scope: Scope) -> str | None:
    """The file an upload URL names, if the request is one."""
    path: str = scope["path"]
    found = TOGETHER_UPLOAD.match(path)
    if found is not None:
        return found.group(1)
    if GEMINI_UPLOAD.search(path):
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        return next((str(v) for k, v in query if k == "upload_id"), None)
    return None


class Owners(Protocol):
    def file_exists(self, file_id: str) -> bool: ...

    def file_owner(self, file_id: str) -> str | None: ...


class IsolateKeys:
    def __init__(self, app: ASGIApp, files: Owners) -> None:
        self.app = app
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == CONTROL or path.startswith(CONTROL + "/"):
            tenant = _control_tenant(scope)
        elif (file_id := _uploading(scope)) is not None and self.files.file_exists(file_id):
            tenant = self.files.file_owner(file_id)
        else:
            tenant = tenant_of(api_key(scope) or "")
        token = TENANT.set(tenant)
        try:
            await self.app(scope, receive, send)
        finally:
            TENANT.reset(token)
