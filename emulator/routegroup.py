"""A group of routes behind a cheap gate, so a request for another provider skips them at once.

Starlette tries every route's regular expression in order. With seven providers on one server
an OpenAI retrieve used to be matched against about 38 patterns before its own; a group whose
gate (a path prefix, or a predicate on the scope) says no is passed over with one string test.
Inside a group the routes behave exactly as they would in the outer list: first full match wins,
and a path that only a wrong method matches still answers 405.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

_CHOSEN = "emulator.route"


class RouteGroup(BaseRoute):
    """`claim=True` answers for every path its gate opens for, as a Mount does: a path none
    of its routes serves is a 404 here (and a wrong method a 405 from its own route), never
    passed on to a later route or to an earlier route's partial match. Groups nest: each
    keeps its choice under its own scope key."""

    def __init__(
        self, gate: Callable[[Scope], bool], routes: Sequence[BaseRoute], *, claim: bool = False
    ) -> None:
        self.gate = gate
        self.routes = list(routes)
        self.claim = claim
        self._key = f"{_CHOSEN}.{id(self)}"

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not self.gate(scope):
            return Match.NONE, {}
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return Match.FULL, {**child, self._key: route}
            if match is Match.PARTIAL and partial is None:
                partial = (route, child)
        found = Match.FULL if self.claim else Match.PARTIAL
        if partial is not None:
            return found, {**partial[1], self._key: partial[0]}
        if self.claim:
            return Match.FULL, {self._key: None}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute | None = scope[self._key]
        if route is None:  # claimed, and no route here serves the path
            raise HTTPException(404)
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


def route_path(scope: Scope) -> str:
    """The path as the routes inside a mount see it (the mount's `root_path` taken off)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path


def under(*prefixes: str) -> Callable[[Scope], bool]:
    """A gate that opens for paths starting with any of `prefixes` (below a folder when each
    ends with `/`; "/files" also opens for a catch-all's "/filesX")."""

    def gate(scope: Scope) -> bool:
        return route_path(scope).startswith(prefixes)

    return gate
