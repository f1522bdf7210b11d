"""Fault rules: small frozen values, checked when they are made.

Nothing here knows HTTP or a provider's envelope: dialects render an `HttpFault` as their own
error body and an `ItemError` as their own result line. A rule that could never apply (a status
outside 400-599, a Gemini-only option on an OpenAI route, an operation no route serves) is refused
with `FaultError` when it is configured, so a typo cannot pass as "the client coped fine".
"""

from __future__ import annotations

import functools
import json
import types
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from emulator.core.batch import ItemError
from emulator.core.numbers import ascii_int
from emulator.core.saferegex import RegexError, SafePattern, compile_safe


class FaultError(ValueError):
    """A fault rule that cannot apply; raised when it is configured, never at match time."""


# `HttpFault.results_unavailable` names this; the fault book resolves it to the dialect's own
# results operation from its profile when the rule is added.
RESULTS_OPERATION = "results"
# Rules live at once in one fault book. Every call is matched against the HTTP rules (indexed
# by dialect and operation) and every item of a create against the item rules (on a worker
# thread), so the count bounds the cost a rule set can add to any call. docs/faults.md.
MAX_RULES = 256
METHODS = ("GET", "POST", "DELETE", "PATCH", "PUT")
ItemOutcomeName = Literal["errored", "expired", "canceled"]
_SCALARS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "None": (types.NoneType,),
}


def _check_types(value: Any) -> None:
    """Check each field against its annotation, so JSON from the control plane is typed too."""
    for f in fields(value):
        got = getattr(value, f.name)
        names = [n.strip() for n in str(f.type).split("|")]
        if names[0].startswith("ItemOutcomeName"):
            if got not in get_args(ItemOutcomeName):
                raise FaultError(f"outcome must be one of {', '.join(get_args(ItemOutcomeName))}")
            continue
        allowed = tuple(t for n in names for t in _SCALARS.get(n, (object,)))
        wrong_bool = isinstance(got, bool) and bool not in allowed
        if wrong_bool or not isinstance(got, allowed):
            raise FaultError(f"{f.name} must be {' or '.join(names)}, got {got!r}")


def _between(name: str, value: float | None, low: float, high: float) -> None:
    if value is not None and not low <= value <= high:
        raise FaultError(f"{name} must be between {low:g} and {high:g}, got {value!r}")


def _regex(name: str, pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        compile_safe(pattern)  # bounded: length, no backtracking-only constructs
    except RegexError as exc:
        raise FaultError(f"{name} {exc}") from None


def _status(value: int | None) -> None:
    if value is not None and not 400 <= value <= 599:
        raise FaultError(f"status must be an HTTP error status between 400 and 599, got {value}")


def _limits(times: int | None, after: int) -> None:
    if times is not None and times < 1:
        raise FaultError(f"times must be at least 1 (omit it for no limit), got {times}")
    if after < 0:
        raise FaultError(f"after must be 0 or more, got {after}")


@dataclass(frozen=True)
class HttpFault:
    """One HTTP-level failure: an error status, a delay, a dropped connection, a cut body.

    `status=None` means "no error status": with `latency` alone the call is merely slow, with
    `truncate` the real answer is cut short. With nothing else set it is a 500.
    """

    status: int | None = None
    dialect: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None  # a regular expression searched in the request path
    batch_id: str | None = None
    message: str | None = None
    error_type: str | None = None  # the provider's error code (OpenAI `error.code`)
    google_status: str | None = None  # Gemini only: `error.status`, e.g. RESOURCE_EXHAUSTED
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    latency: float = 0.0
    drop: bool = False  # close the connection before answering (the handler never runs)
    truncate: float | None = None  # send this share of the body, then close the connection
    times: int | None = None
    after: int = 0
    probability: float | None = None
    optional: bool = False

    def __post_init__(self) -> None:
        _check_types(self)
        _status(self.status)
        _limits(self.times, self.after)
        _between("probability", self.probability, 0.0, 1.0)
        _between("truncate", self.truncate, 0.0, 0.999)
        _between("latency", self.latency, 0.0, 600.0)
        _between("retry_after", self.retry_after, 0.0, 86_400.0)
        _between("retry_after_ms", self.retry_after_ms, 0, 86_400_000)
        _regex("path", self.path)
        if self.method is not None and self.method.upper() not in METHODS:
            raise FaultError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        self._check_effects()
        if self.status is None and not (self.drop or self.truncate is not None or self.latency):
            object.__setattr__(self, "status", 500)

    def _check_effects(self) -> None:
        answer = (
            "message",
            "error_type",
            "google_status",
            "retry_after_ms",
            "should_retry",
            "retry_after",
        )
        given = [name for name in answer if getattr(self, name) is not None]
        if self.drop and (self.truncate is not None or self.status is not None or given):
            also = ["truncate"] if self.truncate is not None else []
            also += ["status"] if self.status is not None else []
            raise FaultError(
                "drop closes the connection without any response, so "
                f"{', '.join(also + given)} cannot apply"
            )
        slow_or_cut = self.truncate is not None or self.latency > 0
        if not self.drop and self.status is None and given and slow_or_cut:
            raise FaultError(f"{', '.join(given)} need an error status; set status")

    def matches(
        self, dialect: str, operation: str, method: str, path: str, batch_id: str | None
    ) -> bool:
        return (
            (self.dialect is None or self.dialect == dialect)
            and (self.operation is None or self.operation == operation)
            and (self.method is None or self.method.upper() == method)
            and (self._path is None or self._path.search(path))
            and (self.batch_id is None or self.batch_id == batch_id)
        )

    @property
    def costly(self) -> bool:
        """Whether matching a path may take long (its regex runs on the automaton)."""
        return self._path is not None and self._path.costly

    @functools.cached_property
    def _path(self) -> SafePattern | None:
        """Compiled once per rule (not a dataclass field: no init, no spec, no compare)."""
        return None if self.path is None else compile_safe(self.path)

    @property
    def effect(self) -> str:
        """A short label for the journal and the rule list: `http:429`, `drop`, `slow`..."""
        if self.drop:
            return "drop"
        label = f"http:{self.status}" if self.status is not None else "slow"
        return label + ("+truncate" if self.truncate is not None else "")

    # -- helpers for the common cases ---------------------------------------------------------
    @classmethod
    def error(cls, status: int, **options: Any) -> HttpFault:
        return cls(status=status, **options)

    @classmethod
    def dropped(cls, **options: Any) -> HttpFault:
        """The server closes the connection without answering (the SDK's connection error)."""
        return cls(drop=True, **options)

    @classmethod
    def truncated(cls, share: float = 0.5, **options: Any) -> HttpFault:
        """The real answer is cut after `share` of its bytes; the work is done server-side."""
        return cls(truncate=share, **options)

    @classmethod
    def slow(cls, seconds: float, **options: Any) -> HttpFault:
        return cls(latency=seconds, **options)

    @classmethod
    def results_unavailable(
        cls, dialect: str = "openai", status: int = 500, **options: Any
    ) -> HttpFault:
        """Downloading batch results fails (OpenAI `files.content`, Anthropic `results`...);
        the operation is the dialect's own, filled in from its profile when the rule is added."""
        return cls(status=status, dialect=dialect, operation=RESULTS_OPERATION, **options)


@dataclass(frozen=True)
class PlannedItem:
    """What an item fault decides for one request: its outcome and, if errored, why."""

    outcome: ItemOutcomeName
    error: ItemError | None
    rule: str


@dataclass(frozen=True)
class ItemFault:
    """Per-request outcomes: by seeded `rate`, `custom_id` pattern, or request body match."""

    outcome: ItemOutcomeName = "errored"
    status: int = 500
    error_type: str = "server_error"
    message: str = "The server had an error while processing your request."
    code: str | None = None
    rate: float | None = None
    custom_id: str | None = None  # regular expression, full match
    match: str | None = None  # `path.to.key=value` on the request body (list indices allowed)
    contains: str | None = None  # substring of the request body's JSON
    dialect: str | None = None
    endpoint: str | None = None

    def __post_init__(self) -> None:
        _check_types(self)
        _status(self.status)
        _between("rate", self.rate, 0.0, 1.0)
        _regex("custom_id", self.custom_id)
        if self.match is not None and "=" not in self.match:
            raise FaultError(
                f"match must look like 'path.to.key=value', got {self.match!r}; "
                "use contains for a substring"
            )

    def selects(self, custom_id: str, body: dict[str, Any] | None, text: str | None = None) -> bool:
        """The deterministic matchers (everything but `rate`). `text` is the body's JSON when
        the caller has it already (one dump per item, not one per rule). The regex goes last:
        on the automaton it is the dearest test, and the others often decide first."""
        if self.match is not None and (body is None or not body_matches(body, self.match)):
            return False
        seen = body_text(body) if text is None and self.contains is not None else text
        if self.contains is not None and self.contains not in (seen or ""):
            return False
        return self._custom_id is None or self._custom_id.fullmatch(custom_id)

    def hits(self, seed: int, batch_id: str, custom_id: str, salt: str = "") -> bool:
        """The seeded `rate` draw, for an item `selects` chose (it has checked the regex)."""
        from emulator.core.ids import rng_for

        if self.rate is None:
            return True
        return rng_for(seed, "item-fault", salt, batch_id, custom_id).random() < self.rate

    def error(self) -> ItemError:
        return ItemError(self.status, self.error_type, self.message, self.code)

    def planned(self, rule: str) -> PlannedItem:
        error = self.error() if self.outcome == "errored" else None
        return PlannedItem(self.outcome, error, rule)

    @functools.cached_property
    def _custom_id(self) -> SafePattern | None:
        return None if self.custom_id is None else compile_safe(self.custom_id)


def body_text(body: dict[str, Any] | None) -> str:
    """What `contains` searches: the body's JSON, as sent (non-ASCII kept)."""
    return "" if body is None else json.dumps(body, ensure_ascii=False)


def body_matches(body: dict[str, Any], spec: str) -> bool:
    """`a.b.0.c=value`: walk dicts by key and lists by index; compare text or JSON value."""
    path, _, want = spec.partition("=")
    node: Any = body
    for key in path.strip().split("."):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and (index := ascii_int(key)) is not None and index < len(node):
            node = node[index]
        else:
            return False
    if isinstance(node, str):
        return node == want
    return json.dumps(node) == want.strip()


@dataclass(frozen=True)
class BatchFault:
    """Changes to how matching batches run, applied once when each is created."""

    dialect: str | None = None
    endpoint: str | None = None
    fail_code: str | None = None  # fail validation with this code...
    fail_message: str | None = None  # ...and message
    fail_param: str | None = None
    expire_at_progress: float | None = None  # expire when this share of items is done
    stall: bool = False
    cancel_delay: float | None = None  # seconds `cancelling` lasts
    cancel_error_while_validating: bool = False  # a 500 on cancel while validating (real quirk)
    times: int | None = None

    def __post_init__(self) -> None:
        _check_types(self)
        _limits(self.times, 0)
        _between("expire_at_progress", self.expire_at_progress, 0.0, 1.0)
        _between("cancel_delay", self.cancel_delay, 0.0, 365 * 86_400.0)
        if (self.fail_message or self.fail_param) and self.fail_code is None:
            raise FaultError("fail_message and fail_param need fail_code (the error's code)")
        effects = (
            self.fail_code is not None,
            self.expire_at_progress is not None,
            self.stall,
            self.cancel_delay is not None,
            self.cancel_error_while_validating,
        )
        if not any(effects):
            raise FaultError(
                "a batch fault needs an effect: fail_code, expire_at_progress, stall, "
                "cancel_delay or cancel_error_while_validating"
            )
        if self.fail_code is not None and sum(effects) > 1:
            raise FaultError("a batch that fails validation never runs: fail_code stands alone")

    def matches(self, dialect: str, endpoint: str) -> bool:
        return (self.dialect is None or self.dialect == dialect) and (
            self.endpoint is None or self.endpoint == endpoint
        )

    @classmethod
    def fail(cls, code: str, message: str, **options: Any) -> BatchFault:
        return cls(fail_code=code, fail_message=message, **options)


Fault = HttpFault | ItemFault | BatchFault
KINDS: dict[str, type[HttpFault] | type[ItemFault] | type[BatchFault]] = {
    "http": HttpFault,
    "item": ItemFault,
    "batch": BatchFault,
}


def kind_of(fault: Fault) -> str:
    return next(name for name, cls in KINDS.items() if isinstance(fault, cls))


def parse_fault(spec: dict[str, Any]) -> Fault:
    """A fault from plain JSON: `{"kind": "http"|"item"|"batch", ...fields}`.

    The same rule for every door (Python mappings and keywords, config files, the marker, the
    control plane): `kind` defaults to `http`, but a rule without `kind` must say what it does
    with a field that is not common to every kind; `{}` or `{"times": 1}` alone would be a
    catch-all 500 on every call. Fields of another kind name that kind in the error."""
    if not isinstance(spec, dict):
        raise FaultError(f"a fault must be a JSON object, got {type(spec).__name__}")
    data = dict(spec)
    given = "kind" in data
    kind = data.pop("kind", "http")
    cls = KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise FaultError(f"unknown fault kind {kind!r}; use 'http', 'item' or 'batch'")
    if not given and set(data) <= _common_fields():
        raise FaultError("each fault rule needs 'kind': 'http', 'item' or 'batch'")
    valid = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(valid))
    if unknown:
        raise FaultError(
            f"unknown {kind} fault field(s) {', '.join(unknown)}; valid: {', '.join(valid)}"
            + ("" if given else _other_kind_hint(data))
        )
    return cls(**data)


def _common_fields() -> set[str]:
    """Fields that bound or scope a rule without saying what it does."""
    names = [{f.name for f in fields(cls)} for cls in KINDS.values()]
    return set.intersection(*names) | {"times", "after", "probability", "optional"}


def _other_kind_hint(data: dict[str, Any]) -> str:
    """`; these are item fault fields: add "kind": "item"` when another kind fits."""
    fits = [k for k, cls in KINDS.items() if set(data) <= {f.name for f in fields(cls)}]
    return f'; these are {fits[0]} fault fields: add "kind": "{fits[0]}"' if fits else ""


def as_spec(fault: Fault | dict[str, Any]) -> dict[str, Any]:
    """The plain-JSON form of a fault (validated), e.g. for a config file or the marker."""
    value = parse_fault(fault) if isinstance(fault, dict) else fault
    spec: dict[str, Any] = {"kind": kind_of(value)}
    for f in fields(value):
        got = getattr(value, f.name)
        if got is not None and got != f.default:
            spec[f.name] = got
    return spec
