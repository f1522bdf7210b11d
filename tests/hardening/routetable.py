"""What every route of the app reads, found from the app itself, not from a list.

The routes come from walking the Starlette route table of a created app (mounts, route groups,
every method). What each route reads is found by probing it in process with instrumented
inputs: the query and form mappings (`ImmutableMultiDict`) and the parsed JSON body (every
door parses through `emulator.core.jsonsafe.loads`, which the probe wraps so each dict records
the keys read from it, nested paths included). A greedy walk then fills each field it saw read
with the first value from a small generic pool that takes the route further (more fields read,
or a success), so the fields behind the first ones are found too.

A route added next turn is found, probed and attacked without anyone listing it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, ImmutableMultiDict, QueryParams
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from emulator.api import Emulator
from emulator.core import jsonsafe

PARAM = re.compile(r"\{([a-z_]+)(?::path)?\}")
Path = tuple[str, ...]  # a body field: keys from the top, "[]" for "any element of a list"
SCOPE = "20250101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=00"
AUTH = {
    "anthropic": {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"},
    "gemini": {"x-goog-api-key": "test"},
    "control": {},
    "bifrost": {},
    # SigV4 as boto3 signs: the credential scope names the service, which is what routes a
    # root-level call (no /s3 or /bedrock prefix) to that dialect
    "s3": {"authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/" + SCOPE.format("s3")},
    "bedrock": {"authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/" + SCOPE.format("bedrock")},
}
BEARER = {"authorization": "Bearer sk-test", "api-key": "test"}
SEED = (
    b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":'
    b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}}\n'
)


@dataclass(frozen=True)
class RouteInfo:
    method: str
    template: str
    dialect: str  # the dialect whose envelope its errors use ("control" for /_emulator)

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.template)

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def stored(self) -> str:
        """The id of the file `seed` stores for this route's dialect (the control plane's
        routes use OpenAI's)."""
        return f"file-seed{self.dialect if self.dialect != 'control' else 'openai'}"

    def path(self) -> str:
        """The route's path with the seeded file's id in every parameter."""
        return PARAM.sub(self.stored, self.template)

    def auth(self) -> dict[str, str]:
        return dict(AUTH.get(self.dialect, BEARER))


@dataclass
class Reads:
    """What a route read: query keys, form fields, JSON body fields; and a base request that
    gets furthest (its query and body), onto which one hostile value at a time is put."""

    query: list[str] = field(default_factory=list)
    form: list[str] = field(default_factory=list)
    body: list[Path] = field(default_factory=list)
    base_query: dict[str, str] = field(default_factory=dict)
    base_body: Any = None
    takes_json: bool = False


def _walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, prefix + route.path, route.endpoint
        elif hasattr(route, "routes"):  # a RouteGroup: its routes at the same prefix
            yield from _walk(list(route.routes), prefix)


def table(app: Any) -> list[RouteInfo]:
    found = set()
    for method, template, endpoint in _walk(list(app.routes)):
        operation = getattr(endpoint, "operation", None)
        dialect = operation[0] if operation else "control"
        found.add(RouteInfo(method, template, dialect))
    return sorted(found, key=lambda r: (r.template, r.method))


ROUTES = table(Emulator().app)

# -- probing ----------------------------------------------------------------------------------
_SEEN: dict[str, list[Any]] | None = None


def _note(kind: str, key: Any) -> None:
    if _SEEN is not None and key not in _SEEN[kind]:
        _SEEN[kind].append(key)


class _Recording(dict):  # type: ignore[type-arg]
    """A JSON object that notes each key read from it, as a path from the body's top."""

    def __init__(self, value: dict[str, Any], path: Path) -> None:
        super().__init__((k, _wrap(v, (*path, k))) for k, v in value.items())
        self._path = path

    def get(self, key: Any, default: Any = None) -> Any:
        _note("body", (*self._path, key))
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        _note("body", (*self._path, key))
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        _note("body", (*self._path, key))
        return super().__contains__(key)

    def pop(self, key: Any, *default: Any) -> Any:
        _note("body", (*self._path, key))
        return super().pop(key, *default)


def _wrap(value: Any, path: Path) -> Any:
    if isinstance(value, dict):
        return _Recording(value, path)
    if isinstance(value, list):
        return [_wrap(v, (*path, "[]")) for v in value]
    return value


def _instrumented() -> Any:
    """Patches the mappings every route reads from; undone by the returned function."""
    originals = {
        name: getattr(ImmutableMultiDict, name)
        for name in ("get", "__getitem__", "__contains__", "getlist")
    }

    def spy(name: str) -> Any:
        def read(self: Any, key: Any, *args: Any) -> Any:
            if isinstance(self, QueryParams):
                _note("query", key)
            elif isinstance(self, FormData):
                _note("form", key)
            return originals[name](self, key, *args)

        return read

    for name in originals:
        setattr(ImmutableMultiDict, name, spy(name))
    loads = jsonsafe.loads
    jsonsafe.loads = lambda raw: _wrap(loads(raw), ())  # type: ignore[assignment]

    def undo() -> None:
        for name, original in originals.items():
            setattr(ImmutableMultiDict, name, original)
        jsonsafe.loads = loads  # type: ignore[assignment]

    return undo


# Object-store dialects: their path parameters (bucket, key) name a bucket and an object that
# `seed` makes, so their routes get past "no such bucket" and the hostile values reach the
# handlers; and the store URIs, role ARN and model ids the cloud batch creates need.
STORES = {"s3": "s3", "gcs": "gs"}
CLOUD_POOL = [
    "s3://file-seeds3/file-seeds3",
    "gs://file-seedgcs/file-seedgcs",
    ["gs://file-seedgcs/file-seedgcs"],
    "arn:aws:iam::123456789012:role/r",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "publishers/google/models/gemini-2.0-flash-001",
    {"kind": "x"},  # a non-empty object: `body.get(k) or {}` drops an empty one unread
]


def seed(emulator: Emulator) -> list[str]:
    """A small batch input file for every dialect, under fixed ids (the same in the probing
    emulator and a test's), so a create can get past "no such file"; for each object store, a
    bucket named by the same id holding an object of that name."""
    ids = []
    for dialect in sorted({r.dialect for r in ROUTES} - {"control"}):
        file_id = f"file-seed{dialect}"
        emulator.service.add_file(dialect, "seed.jsonl", "batch", SEED, file_id=file_id)
        ids.append(file_id)
        if dialect in STORES:
            store = emulator.service.objects
            store.create_bucket(file_id, 0.0)
            store.put(file_id, file_id, SEED, now=0.0, content_type="application/jsonl")
    return ids


class _Prober:
    def __init__(self) -> None:
        self.emulator = Emulator()
        self.seeds = seed(self.emulator)
        self.pool: list[Any] = [
            "batch",
            "24h",
            "/v1/chat/completions",
            "gpt-4o-mini",
            "x",
            1,
            True,
            {},
            [{}],
            "2024-10-21",
            *CLOUD_POOL,
        ]
        self.client = TestClient(self.emulator.app, raise_server_exceptions=False)

    def probe(self, route: RouteInfo, query: dict[str, str], body: Any, form: bool = False):  # type: ignore[no-untyped-def]
        global _SEEN
        _SEEN = {"query": [], "form": [], "body": []}
        kwargs: dict[str, Any] = {"params": query, "headers": route.auth()}
        if form:
            kwargs["files"] = {"file": ("seed.jsonl", SEED)}
            kwargs["data"] = {"purpose": "batch"}
        elif body is not None:
            kwargs["content"] = json.dumps(body)
            kwargs["headers"]["content-type"] = "application/json"
        try:
            response = self.client.request(route.method, route.path(), **kwargs)
            seen, _SEEN = _SEEN, None
        finally:
            _SEEN = None
        return seen, response

    def reads(self, route: RouteInfo) -> Reads:
        out = Reads()
        seen, _ = self.probe(route, {}, None)
        out.query = list(seen["query"])
        if route.method in ("POST", "PUT", "PATCH", "DELETE"):
            formed, _ = self.probe(route, {}, None, form=True)
            out.form = list(formed["form"])
            for key in formed["query"]:
                if key not in out.query:
                    out.query.append(key)
        self._greedy_query(route, out)
        if route.method in ("POST", "PUT", "PATCH", "DELETE") and not out.form:
            self._greedy_body(route, out)
            _, answer = self.probe(route, out.base_query, out.base_body)
            if answer.status_code >= 400 and out.query:  # a query value may need the body
                self._greedy_query(route, out)
                self._greedy_body(route, out)
        return out

    def _greedy_body(self, route: RouteInfo, out: Reads) -> None:
        """Fill fields the route read, round by round, with values that move its answer on
        (a field's value is taken when the error no longer names it), to a success if the
        pool allows."""
        body: dict[str, Any] = out.base_body if isinstance(out.base_body, dict) else {}
        query = out.base_query
        seen, answer = self.probe(route, query, body)
        out.takes_json = bool(seen["body"]) or answer.status_code < 400
        for _ in range(10):
            changed = False
            for path in list(seen["body"]):
                named = str(path[-1]).lower() in answer.text.lower()
                if answer.status_code < 400 or (_has(body, path) and not named):
                    continue
                best = self._best(route, query, body, path, seen, answer)
                if best is not None:
                    body, changed = best, True
                    seen, answer = self.probe(route, query, body)
                    out.body.extend(p for p in seen["body"] if p not in out.body)
            if not changed:
                break
        out.body.extend(p for p in seen["body"] if p not in out.body)
        out.base_body = body

    def _best(
        self, route: RouteInfo, query: dict[str, str], body: Any, path: Path, seen: Any, answer: Any
    ) -> Any:
        """The body with `path` set to the pool value that takes the route furthest."""
        own = f"file-seed{route.dialect}"
        before = set(seen["body"])
        best: tuple[int, Any] | None = None
        deeper: tuple[int, Any] | None = None  # read more, though the error names the field
        for value in [own, [own], *self.pool, *self.seeds]:
            candidate = _with(body, path, value)
            now, got = self.probe(route, query, candidate)
            read = set(now["body"])
            if got.status_code < 400:
                return candidate
            named = str(path[-1]).lower() in got.text.lower()
            moved = read > before or got.text != answer.text
            if before <= read and moved and not named and (best is None or len(read) > best[0]):
                best = (len(read), candidate)
            if read > before and (deeper is None or len(read) > deeper[0]):
                deeper = (len(read), candidate)
        chosen = best or deeper
        return None if chosen is None else chosen[1]

    def _greedy_query(self, route: RouteInfo, out: Reads) -> None:
        """Query values that take the route further (Azure's api-version, Bifrost's provider)
        for the base: the one with the lowest status, if lower than without it."""

        def score(answer: Any, key: str) -> tuple[int, bool]:  # lower is further
            return answer.status_code, key.lower() in answer.text.lower()

        for key in out.query:
            _, answer = self.probe(route, out.base_query, out.base_body, form=bool(out.form))
            best: tuple[tuple[int, bool], str | None] = (score(answer, key), None)
            for value in ("openai", "2024-10-21", "10", "batch"):
                query = {**out.base_query, key: value}
                _, got = self.probe(route, query, out.base_body, form=bool(out.form))
                if score(got, key) < best[0]:
                    best = (score(got, key), value)
            if best[1] is not None:
                out.base_query[key] = best[1]


def _has(body: Any, path: Path) -> bool:
    node = body
    for key in path:
        if key == "[]":
            if not isinstance(node, list) or not node:
                return False
            node = node[0]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return False
    return True


def _with(body: Any, path: Path, value: Any) -> Any:
    """A copy of `body` with `value` at `path` (objects and one-element lists made on the way)."""
    out = copy.deepcopy(body) if body is not None else {}
    if not path:
        return value
    node = out
    for i, key in enumerate(path[:-1]):
        following: Any = [] if path[i + 1] == "[]" else {}
        if key == "[]":
            if not isinstance(node, list):
                return out
            if not node or not isinstance(node[0], dict | list):
                node[:1] = [following]
            node = node[0]
        else:
            if not isinstance(node, dict):
                return out
            if not isinstance(node.get(key), dict | list):
                node[key] = following
            node = node[key]
    last = path[-1]
    if last == "[]" and isinstance(node, list):
        node[:1] = [value]
    elif isinstance(node, dict):
        node[last] = value
    return out


def put(body: Any, path: Path, value: Any) -> Any:
    return _with(body, path, value)


@functools.cache
def all_reads() -> dict[RouteInfo, Reads]:
    """Every route's reads, probed once per test session (about a second, in process)."""
    prober = _Prober()
    undo = _instrumented()
    try:
        return {route: prober.reads(route) for route in ROUTES}
    finally:
        undo()
