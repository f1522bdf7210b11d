"""Every route of the app, every input it reads, every family of hostile value: no 5xx, the
route's own error envelope, no error echoing more than 2,000 characters of a value, and every
download inert (`X-Content-Type-Options: nosniff`).

Nothing here lists a route or a field: the routes come from the app's route table and what
each reads (path parameters, query keys, form fields, JSON body fields, nested ones too) from
probing it (`tests/hardening/routetable.py`), so a route added next turn is covered as it
lands. Each hostile value goes, one at a time, into a request that otherwise gets as far as
the probe could take it (often a successful create), so values that are stored, not just
parsed, are attacked too; after every write, each list and read-all route must still answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest

from emulator.core.errors import MAX_MESSAGE
from emulator.handle import EmulatorHandle
from tests.hardening.routetable import ROUTES, RouteInfo, all_reads, put, seed

CUT = MAX_MESSAGE + len("... (truncated)")
# One value of each family for text inputs (path, query, form), as the client would send it.
TEXT = {
    "surrogate": "\ud800",  # a lone surrogate: valid JSON escape, invalid Unicode
    "digits": "²٣",  # non-ASCII digits: str.isdigit() says yes, int() disagrees
    "huge": "9" * 60_000,
    "crlf": "a\r\nb\x00c",
    "empty": "",
}


def _deep(n: int) -> Any:
    value: Any = "x"
    for _ in range(n):
        value = [value]
    return value


# JSON body fields get the text families plus wrong JSON types and nesting.
JSON_VALUES: dict[str, Any] = {
    **TEXT,
    "surrogate_key": {"\udfff": 1},
    "null": None,
    "bool": True,
    "bigint": 10**30,
    "float": 1e308,
    "negative": -1,
    "list": ["x"],
    "object": {"x": "y"},
    "deep": _deep(120),  # under the 128-level limit: reaches the handler
    "too_deep": _deep(200),
}
LISTS = [r for r in ROUTES if r.method == "GET" and not r.params and r.template != "/_emulator/"]


def _q(value: str) -> str:
    """Percent-encoded UTF-8, a lone surrogate as the bytes a careless encoder sends."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _url(route: RouteInfo, path: dict[str, str], query: dict[str, str]) -> str:
    url = route.template
    for name in route.params:
        value = _q(path.get(name, "x"))
        url = url.replace(f"{{{name}}}", value).replace(f"{{{name}:path}}", value)
    if query:
        url += "?" + "&".join(f"{_q(k)}={_q(v)}" for k, v in query.items())
    return url


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _envelope_ok(body: Any, dialect: str, status: int) -> bool:
    if not isinstance(body, dict):
        return False
    error = body.get("error")
    if dialect == "mistral" and body.get("object") == "error":
        return isinstance(body.get("message"), str)
    if dialect == "s3":  # <Error><Code/><Message/>...</Error>, read into a dict by _xml_error
        return isinstance(body.get("Code"), str) and "Message" in body
    if dialect == "bedrock":  # AWS rest-json: {"message"}, the class in x-amzn-errortype
        return set(body) == {"message"} and isinstance(body["message"], str)
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return False
    if dialect == "anthropic":
        return body.get("type") == "error" and isinstance(error.get("type"), str)
    if dialect in ("gemini", "vertex"):
        return error.get("code") == status and isinstance(error.get("status"), str)
    if dialect == "gcs":  # the JSON API's {"error": {"code", "message", "errors": [...]}}
        return error.get("code") == status and isinstance(error.get("errors"), list)
    if dialect == "bifrost":
        return body.get("status_code") == status and "is_bifrost_error" in body
    if dialect == "control":
        return error.get("status") == status
    return "type" in error or "code" in error  # OpenAI's shape (Azure: code and message)


def _check(response: httpx.Response, route: RouteInfo, what: str) -> None:
    status, where = response.status_code, f"{route.name} with {what}"
    if status >= 500:  # Bifrost's own "results not ready" operation error is a real 500
        assert route.template.endswith("/results") and "is_bifrost_error" in response.text, (
            where,
            status,
            response.text[:300],
        )
        return
    media = response.headers.get("content-type", "")
    if status < 400:
        api = ("application/json", "application/xml" if route.dialect == "s3" else "")
        if response.content and media.split(";")[0] not in api:  # a download
            if route.template.startswith("/_emulator/static") or route.template == "/_emulator/":
                return  # the dashboard page and its assets: nosniff, CSP (test_dashboard)
            assert response.headers.get("x-content-type-options") == "nosniff", where
        return
    if route.dialect == "s3":
        assert media.startswith("application/xml"), (where, status, response.text[:300])
        body: Any = _xml_error(response.content)
    else:
        assert media.startswith("application/json"), (where, status, response.text[:300])
        body = response.json()
    if route.dialect == "bedrock":  # boto3 picks the exception class from this header
        assert response.headers.get("x-amzn-errortype", "").endswith("Exception"), where
    # Bifrost's OpenAI integration answers its handlers' errors in OpenAI's envelope and
    # unrouted paths in the gateway's own.
    dialects = ["bifrost", "openai"] if route.dialect == "bifrost-openai" else [route.dialect]
    assert any(_envelope_ok(body, d, status) for d in dialects), (
        where,
        status,
        response.text[:300],
    )
    longest = max((len(s) for s in _strings(body)), default=0)
    assert longest <= CUT, (where, "echoes", longest, "characters")


def _xml_error(content: bytes) -> dict[str, Any]:
    """S3's XML error body as {tag: text}; {} when it is not an `<Error>` document. HEAD
    answers carry no body (S3 sends none), so the status alone speaks for them."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return {}
    return {child.tag: child.text or "" for child in root} if root.tag == "Error" else {}


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    seed(batch_emulator.emulator)
    with httpx.Client(base_url=batch_emulator.url, timeout=60) as client:
        yield client


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    out = b""
    for name, value in fields.items():
        text = value.encode("utf-8", "surrogatepass")
        out += f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += text + b"\r\n"
    out += b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'
    line = b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}\n'
    return out + line + b"\r\n--B--\r\n", "multipart/form-data; boundary=B"


def _requests(route: RouteInfo) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what, httpx.request arguments): one hostile value in one input each."""
    reads = all_reads()[route]
    query = dict(reads.base_query)

    def call(path: dict[str, str], q: dict[str, str], **extra: Any) -> dict[str, Any]:
        path = {**dict.fromkeys(route.params, route.stored), **path}
        headers = {**route.auth(), **extra.pop("headers", {})}
        return {"method": route.method, "url": _url(route, path, q), "headers": headers, **extra}

    def body_args(body: Any) -> dict[str, Any]:
        if reads.form:
            content, media = _multipart({k: "batch" for k in reads.form if k != "file"})
            return {"content": content, "headers": {"content-type": media}}
        if reads.takes_json or reads.base_body is not None:
            text = json.dumps(body if body is not None else {})
            return {"content": text.encode(), "headers": {"content-type": "application/json"}}
        return {}

    base = body_args(reads.base_body)
    if route.params:  # the seeded file's id in every path parameter: a download answers 200
        yield "the base request", call(dict.fromkeys(route.params, route.stored), query, **base)
    for family, value in TEXT.items():
        for name in route.params:
            yield f"path {name}={family}", call({name: value}, query, **base)
        for key in reads.query:
            yield f"query {key}={family}", call({}, {**query, key: value}, **base)
        for key in reads.form:
            if key != "file":
                fields = {k: "batch" for k in reads.form if k != "file"}
                content, media = _multipart({**fields, key: value})
                yield (
                    f"form {key}={family}",
                    call({}, query, content=content, headers={"content-type": media}),
                )
    for field_path in reads.body:
        for family, value in JSON_VALUES.items():
            body = put(reads.base_body, field_path, value)
            yield f"body {'.'.join(field_path)}={family}", call({}, query, **body_args(body))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_input_of_every_route_takes_every_hostile_value(
    http: httpx.Client, route: RouteInfo
) -> None:
    for what, args in _requests(route):
        try:
            response = http.request(**args)
        except httpx.RemoteProtocolError as exc:
            raise AssertionError(f"{route.name} with {what}: the server hung up ({exc})") from None
        _check(response, route, what)
    if route.method != "GET":  # whatever it stored, every read-all route still answers
        for listing in LISTS:
            response = http.get(
                _url(listing, {}, all_reads()[listing].base_query), headers=listing.auth()
            )
            _check(response, listing, f"after {route.name}")


def test_the_table_is_the_whole_app() -> None:
    """The walk finds every provider and the control plane, and the probe finds inputs
    (so a broken probe cannot pass by testing nothing)."""
    dialects = {r.dialect for r in ROUTES}
    assert {"openai", "anthropic", "gemini", "azure", "groq", "mistral", "together"} <= dialects
    assert {"bifrost", "control"} <= dialects and len(ROUTES) > 100
    reads = all_reads()
    assert sum(len(r.body) for r in reads.values()) > 40
    assert sum(len(r.query) for r in reads.values()) > 60
    assert sum(len(r.form) for r in reads.values()) > 10
