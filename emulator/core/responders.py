"""Responders: where a succeeded item's body comes from, in order of precedence.

1. a Python callable `(endpoint, request_body) -> body | ItemError | None` (None: no opinion);
2. a directory of canned responses, keyed by custom_id or by a hash of the request body;
3. `echo`: the default body with its text replaced by the last user message;
4. the seeded default generator.
Responders are consulted when a batch is created, so a canned error counts in request_counts
exactly like any other planned error; a body that does not fit its endpoint becomes a clear
`responder_error` item instead of passing through silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.core.batch import ItemError
from emulator.core.results.shapes import check_body, last_user_text, set_text

if TYPE_CHECKING:
    from emulator.config import EmulatorConfig

Reply = dict[str, Any] | ItemError | None
ResponderFn = Callable[[str, dict[str, Any]], Reply]


def body_key(body: dict[str, Any]) -> str:
    """The canned-file name for a request body: `body-<first 16 hex of sha256>`."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "body-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _parse_canned(path: Path) -> dict[str, Any] | ItemError:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"canned response {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"canned response {path} must be a JSON object")
    if "error" in data and set(data) <= {"error"}:
        err = data["error"]
        if not isinstance(err, dict) or not {"status", "message"} <= set(err):
            raise ValueError(f"canned error {path} needs error.status and error.message")
        return ItemError(
            int(err["status"]),
            str(err.get("type", "api_error")),
            str(err["message"]),
            err.get("code"),
        )
    body = data["body"] if set(data) == {"body"} else data
    if not isinstance(body, dict):
        raise ValueError(f"canned response {path}: 'body' must be a JSON object")
    return body


@dataclass
class CannedDirectory:
    """`<custom_id>.json` or `body-<hash>.json` files, loaded and checked once at configuration."""

    path: Path
    entries: dict[str, dict[str, Any] | ItemError] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.path.is_dir():
            raise ValueError(f"canned responses directory {self.path} does not exist")
        for file in sorted(self.path.glob("*.json")):
            self.entries[file.stem] = _parse_canned(file)

    def __call__(self, endpoint: str, body: dict[str, Any], custom_id: str) -> Reply:
        found = self.entries.get(custom_id)
        return found if found is not None else self.entries.get(body_key(body))


def responders_for(config: EmulatorConfig) -> ResponderChain:
    """The chain an `EmulatorConfig` describes; a canned directory is loaded and checked now."""
    canned = config.canned_responses
    return ResponderChain(
        function=config.responder,
        canned=None if canned is None else CannedDirectory(Path(canned)),
        echo=config.echo,
    )


@dataclass
class ResponderChain:
    function: ResponderFn | None = None
    canned: CannedDirectory | None = None
    echo: bool = False

    @property
    def active(self) -> bool:
        return self.function is not None or self.canned is not None

    def reply(self, endpoint: str, body: dict[str, Any], custom_id: str) -> Reply:
        """The first opinion among the callable and the canned directory, checked for shape."""
        answer: object = None  # user code may return anything; checked below
        source = ""
        if self.function is not None:
            answer, source = self.function(endpoint, body), "responder callable"
        if answer is None and self.canned is not None:
            answer, source = self.canned(endpoint, body, custom_id), f"canned {self.canned.path}"
        if isinstance(answer, dict):
            problem = check_body(endpoint, answer)
            if problem is not None:
                return ItemError(
                    500,
                    "responder_error",
                    f"The {source} answered custom_id "
                    f"{custom_id!r} with a body that does not fit {endpoint}: "
                    f"{problem}.",
                )
        elif answer is not None and not isinstance(answer, ItemError):
            return ItemError(
                500,
                "responder_error",
                f"The {source} answered custom_id "
                f"{custom_id!r} with {type(answer).__name__}; expected a dict, an "
                "ItemError or None.",
            )
        return answer if isinstance(answer, dict | ItemError) else None

    def finish(self, endpoint: str, request: dict[str, Any], body: dict[str, Any]) -> None:
        """Apply `echo` to a generated body in place."""
        if self.echo:
            text = last_user_text(endpoint, request)
            if text is not None:
                set_text(endpoint, body, text)
