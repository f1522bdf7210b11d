"""Fault rules: small values, consumed as calls match them (respx-style side effects).

This module holds the rule values and the book that matches them; nothing here knows HTTP or a
provider's envelope. Dialects render an `HttpFault` as their own error body.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.core.batch import ItemError
from emulator.core.ids import rng_for


@dataclass(frozen=True)
class HttpFault:
    status: int = 500
    dialect: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None  # a regular expression searched in the request path
    batch_id: str | None = None
    message: str | None = None
    error_type: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    latency: float = 0.0
    times: int | None = None
    after: int = 0
    probability: float | None = None
    optional: bool = False

    def matches(
        self, dialect: str, operation: str, method: str, path: str, batch_id: str | None
    ) -> bool:
        return (
            (self.dialect is None or self.dialect == dialect)
            and (self.operation is None or self.operation == operation)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or re.search(self.path, path) is not None)
            and (self.batch_id is None or self.batch_id == batch_id)
        )


@dataclass(frozen=True)
class ItemFault:
    status: int = 500
    error_type: str = "server_error"
    message: str = "The server had an error while processing your request."
    code: str | None = None
    rate: float | None = None
    custom_id: str | None = None  # regular expression, full match

    def hits(self, seed: int, batch_id: str, custom_id: str) -> bool:
        if self.custom_id is not None and re.fullmatch(self.custom_id, custom_id) is None:
            return False
        if self.rate is None:
            return True
        return rng_for(seed, "item-fault", batch_id, custom_id).random() < self.rate

    def error(self) -> ItemError:
        return ItemError(self.status, self.error_type, self.message, self.code)


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

    def matches(self, dialect: str, endpoint: str) -> bool:
        return (self.dialect is None or self.dialect == dialect) and (
            self.endpoint is None or self.endpoint == endpoint
        )


@dataclass
class _Rule:
    id: str
    fault: HttpFault | ItemFault | BatchFault
    seen: int = 0
    fired: int = 0


@dataclass
class FaultBook:
    seed: int = 0
    _rules: list[_Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: int = 0

    def add(self, fault: HttpFault | ItemFault | BatchFault) -> str:
        with self._lock:
            self._counter += 1
            rule = _Rule(id=f"fault_{self._counter}", fault=fault)
            self._rules.append(rule)
            return rule.id

    def remove(self, rule_id: str) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rule_id]

    def clear(self, seed: int | None = None) -> None:
        with self._lock:
            self._rules.clear()
            self._counter = 0
            if seed is not None:
                self.seed = seed

    def take_http(
        self, dialect: str, operation: str, method: str, path: str, batch_id: str | None
    ) -> HttpFault | None:
        """The first live HTTP rule matching this call, counting it as consumed."""
        with self._lock:
            for rule in self._rules:
                fault = rule.fault
                if not isinstance(fault, HttpFault):
                    continue
                if not fault.matches(dialect, operation, method, path, batch_id):
                    continue
                rule.seen += 1
                if rule.seen <= fault.after:
                    continue
                if fault.times is not None and rule.fired >= fault.times:
                    continue
                if fault.probability is not None:
                    draw = rng_for(self.seed, rule.id, rule.seen).random()
                    if draw >= fault.probability:
                        continue
                rule.fired += 1
                return fault
        return None

    def item_error(self, batch_id: str, custom_id: str) -> ItemError | None:
        with self._lock:
            rules = [r for r in self._rules if isinstance(r.fault, ItemFault)]
        for rule in rules:
            assert isinstance(rule.fault, ItemFault)
            if rule.fault.hits(self.seed, batch_id, custom_id):
                rule.fired += 1
                return rule.fault.error()
        return None

    def batch_fault(self, dialect: str, endpoint: str) -> BatchFault | None:
        with self._lock:
            for rule in self._rules:
                fault = rule.fault
                if not isinstance(fault, BatchFault) or not fault.matches(dialect, endpoint):
                    continue
                if fault.times is not None and rule.fired >= fault.times:
                    continue
                rule.fired += 1
                return fault
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "id": r.id,
                    "kind": type(r.fault).__name__,
                    "seen": r.seen,
                    "consumed": r.fired,
                    **{k: v for k, v in vars(r.fault).items() if v is not None},
                }
                for r in self._rules
            ]

    def unconsumed(self) -> list[str]:
        with self._lock:
            return [
                r.id
                for r in self._rules
                if isinstance(r.fault, HttpFault)
                and r.fault.times is not None
                and not r.fault.optional
                and r.fired < r.fault.times
            ]
