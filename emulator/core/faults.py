"""The fault book: rules consumed as calls match them (respx-style side effects).

Every draw is seeded by (seed, rule id, match count) or (seed, rule id, batch id, custom_id), so
the same seed and the same calls give the same failures in every run, whatever the timing.
The rule values live in `fault_rules`; they are re-exported here, their historical home.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from emulator.core.batch import ItemError
from emulator.core.fault_rules import (
    MAX_RULES,
    RESULTS_OPERATION,
    BatchFault,
    Fault,
    FaultError,
    HttpFault,
    ItemFault,
    PlannedItem,
    as_spec,
    body_text,
    kind_of,
    parse_fault,
)
from emulator.core.ids import rng_for
from emulator.core.profile import Profile

__all__ = [
    "MAX_RULES",
    "RESULTS_OPERATION",
    "BatchFault",
    "Fault",
    "FaultBook",
    "FaultError",
    "HttpFault",
    "ItemFault",
    "PlannedItem",
    "as_spec",
    "parse_fault",
]


@dataclass
class _Rule:
    id: str
    fault: Fault
    seen: int = 0
    fired: int = 0


@dataclass
class FaultBook:
    seed: int = 0
    _rules: list[_Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # The providers' profiles: the operation names their routes serve (a test checks every
    # route table against them) and the fault options each can honour. A rule naming anything
    # else is refused when it is added.
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    _counter: int = 0
    _retired: list[_Rule] = field(default_factory=list)  # `using` rules that ended still owed
    # The HTTP rules that can match a (dialect, operation), in rule order: built on first use
    # and dropped on every change. Keys are route names, so it holds at most one per route.
    _index: dict[tuple[str, str], tuple[list[_Rule], bool]] = field(default_factory=dict)
    _items: list[_Rule] = field(default_factory=list)  # the item rules, in rule order

    # -- the catalogue of what can be matched ---------------------------------------------
    def operations(self) -> dict[str, frozenset[str]]:
        return {name: p.operations for name, p in self.profiles.items()}

    def _resolved(self, fault: Fault) -> Fault:
        """`results_unavailable` aims at the dialect's own results operation."""
        if not isinstance(fault, HttpFault) or fault.operation != RESULTS_OPERATION:
            return fault
        profile = self.profiles.get(fault.dialect or "")
        if profile is None or profile.results_operation is None:
            served = sorted(n for n, p in self.profiles.items() if p.results_operation)
            raise FaultError(
                f"unknown dialect {fault.dialect!r} for results; use one of {', '.join(served)}"
            )
        return replace(fault, operation=profile.results_operation)

    def _check_options(self, fault: HttpFault) -> None:
        """Options the dialect's SDK never reads, or an error status name it never sends."""
        profile = self.profiles.get(fault.dialect or "")
        unread = profile.unread_fault_options if profile else frozenset()
        bad = [name for name in sorted(unread) if getattr(fault, name) is not None]
        if profile is not None and bad:
            raise FaultError(f"{', '.join(bad)}: {profile.unread_hint}")
        if fault.google_status is None:
            return
        names = profile.error_status_names if profile else ()
        if not names:
            owners = [n for n, p in self.profiles.items() if p.error_status_names]
            raise FaultError(
                f"google_status is {'/'.join(o.capitalize() for o in owners)}-only: "
                f"set dialect={owners[0]!r}"
            )
        if fault.google_status not in names:
            raise FaultError(
                f"google_status {fault.google_status!r} is not a status {fault.dialect} sends; "
                "use one of " + ", ".join(names)
            )

    def check(self, fault: Fault) -> None:
        """Refuse a rule that names a dialect or operation no mounted route serves."""
        known = self.operations()
        if not known:  # a bare book (unit use) has no catalogue to check against
            return
        if isinstance(fault, HttpFault):
            self._check_options(fault)
        dialect = getattr(fault, "dialect", None)
        if dialect is not None and dialect not in known:
            raise FaultError(f"unknown dialect {dialect!r}; served: {', '.join(sorted(known))}")
        operation = fault.operation if isinstance(fault, HttpFault) else None
        if operation is None:
            return
        scope = [dialect] if dialect is not None else list(known)
        if not any(operation in known[d] for d in scope):
            names = sorted({op for d in scope for op in known[d]})
            where = f" for dialect {dialect!r}" if dialect else ""
            raise FaultError(
                f"unknown operation {operation!r}{where}; {_suggest(operation, names)}"
            )

    # -- rules --------------------------------------------------------------------------------
    def add(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> str:
        """Add a rule: a fault value, a JSON-style mapping, or `kind=...` keyword fields."""
        return self.add_all([_coerce(fault, fields)])[0]

    def add_all(self, faults: Iterable[Fault | Mapping[str, Any]]) -> list[str]:
        """Add every rule or none: each is checked, and the room for all of them, first."""
        values = [self._resolved(_coerce(fault, {})) for fault in faults]
        for value in values:
            self.check(value)
        with self._lock:
            if len(self._rules) + len(values) > MAX_RULES:
                raise FaultError(
                    f"too many fault rules: at most {MAX_RULES} may be live at once "
                    f"({len(self._rules)} are, {len(values)} more asked); remove some "
                    "(DELETE /_emulator/faults/{id}) or clear them all first"
                )
            ids = []
            for value in values:
                self._counter += 1
                self._rules.append(_Rule(id=f"fault_{self._counter}", fault=value))
                ids.append(self._rules[-1].id)
            self._changed()
            return ids

    def load(self, specs: Iterable[Fault | Mapping[str, Any]]) -> list[str]:
        return self.add_all(specs)

    def _changed(self) -> None:
        """After any change to the rules (under the lock): drop what was derived from them."""
        self._index = {}
        self._items = [r for r in self._rules if isinstance(r.fault, ItemFault)]

    @contextmanager
    def using(self, fault: Fault | Mapping[str, Any] | None = None, **fields: Any) -> Iterator[str]:
        """The rule is live inside the block only."""
        rule = self.add(fault, **fields)
        try:
            yield rule
        finally:
            # Still owed when the block ends: kept for `unconsumed()`, like an added rule.
            owed = [r for r in self.unconsumed_rules() if r.id == rule]
            self.remove(rule)
            with self._lock:
                self._retired += owed

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            self._changed()
            return len(self._rules) < before

    def clear(self, seed: int | None = None) -> None:
        with self._lock:
            self._rules.clear()
            self._retired.clear()
            self._counter = 0
            self._changed()
            if seed is not None:
                self.seed = seed

    # -- matching -----------------------------------------------------------------------------
    def match_http(
        self, dialect: str, operation: str, method: str, path: str, batch_id: str | None
    ) -> tuple[str, HttpFault] | None:
        """The first live HTTP rule matching this call (rule id, fault), counted as consumed."""
        with self._lock:
            rules, costly = self._indexed(dialect, operation)
            if not costly:  # every test is a comparison or a `re` search: one locked pass
                return self._first_firing(rules, (dialect, operation, method, path, batch_id))
        for rule in rules:  # automaton regexes run unlocked: a slow one holds up no other call
            fault = rule.fault
            assert isinstance(fault, HttpFault)
            if fault.matches(dialect, operation, method, path, batch_id):
                with self._lock:
                    if self._counted(rule, fault):
                        return rule.id, fault
        return None

    def _first_firing(
        self, rules: list[_Rule], call: tuple[str, str, str, str, str | None]
    ) -> tuple[str, HttpFault] | None:
        """Count each matching rule as seen until one fires (under the lock)."""
        for rule in rules:
            fault = rule.fault
            assert isinstance(fault, HttpFault)
            if fault.matches(*call) and self._counted(rule, fault):
                return rule.id, fault
        return None

    def _counted(self, rule: _Rule, fault: HttpFault) -> bool:
        """A matching call seen by the rule; True (and counted) when the rule fires on it."""
        rule.seen += 1
        if not self._fires(rule, fault):
            return False
        rule.fired += 1
        return True

    def _http_rules(self, dialect: str, operation: str) -> list[_Rule]:
        """The HTTP rules that name this dialect and operation or leave them open (locked)."""
        return self._indexed(dialect, operation)[0]

    def _indexed(self, dialect: str, operation: str) -> tuple[list[_Rule], bool]:
        key = (dialect, operation)
        found = self._index.get(key)
        if found is None:
            rules = [
                r
                for r in self._rules
                if isinstance(r.fault, HttpFault)
                and r.fault.dialect in (None, dialect)
                and r.fault.operation in (None, operation)
            ]
            costly = any(isinstance(r.fault, HttpFault) and r.fault.costly for r in rules)
            found = self._index[key] = (rules, costly)
        return found

    def costly_http(self, dialect: str, operation: str) -> bool:
        """Whether matching a call to this operation runs a regex on the automaton (the HTTP
        layer then matches on a worker thread, so the rule slows only the calls it is about)."""
        with self._lock:
            return self._indexed(dialect, operation)[1]

    def _fires(self, rule: _Rule, fault: HttpFault) -> bool:
        if rule.seen <= fault.after:
            return False
        if fault.times is not None and rule.fired >= fault.times:
            return False
        if fault.probability is None:
            return True
        return rng_for(self.seed, rule.id, rule.seen).random() < fault.probability

    def take_http(
        self, dialect: str, operation: str, method: str, path: str, batch_id: str | None
    ) -> HttpFault | None:
        found = self.match_http(dialect, operation, method, path, batch_id)
        return None if found is None else found[1]

    def has_item_rules(self) -> bool:
        """O(1): asked before every POST (a create with item rules runs off the event loop)."""
        return bool(self._items)

    def plan_item(
        self,
        batch_id: str,
        custom_id: str,
        body: dict[str, Any] | None = None,
        *,
        dialect: str | None = None,
        endpoint: str | None = None,
    ) -> PlannedItem | None:
        """The first item rule that selects this request: its outcome (and error)."""
        rules = self._items  # replaced, never changed in place: a consistent list to read
        text: str | None = None  # the body's JSON, made once for every `contains` rule
        for rule in rules:
            fault = rule.fault
            assert isinstance(fault, ItemFault)
            if fault.dialect not in (None, dialect) or fault.endpoint not in (None, endpoint):
                continue
            if fault.contains is not None and text is None:
                text = body_text(body)
            if fault.selects(custom_id, body, text) and fault.hits(
                self.seed, batch_id, custom_id, rule.id
            ):
                with self._lock:
                    rule.fired += 1
                return fault.planned(rule.id)
        return None

    def item_error(
        self, batch_id: str, custom_id: str, body: dict[str, Any] | None = None, **scope: Any
    ) -> ItemError | None:
        """The planned error for an item, if an item rule makes it errored."""
        planned = self.plan_item(batch_id, custom_id, body, **scope)
        return None if planned is None else planned.error

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

    # -- inspection ---------------------------------------------------------------------------
    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [_describe(r) for r in self._rules]

    def stats(self, rule_id: str) -> dict[str, Any]:
        """`seen` (matching calls) and `consumed` (times it fired) for one rule."""
        with self._lock:
            for rule in self._rules:
                if rule.id == rule_id:
                    return _describe(rule)
        raise KeyError(f"no fault rule {rule_id!r}")

    def unconsumed(self) -> list[str]:
        """Required `times`-bounded HTTP rules that have not fired as often as they said,
        including `using(...)` rules whose block ended before they were used up."""
        with self._lock:
            return [r.id for r in self._retired] + [r.id for r in self._owing()]

    def unconsumed_rules(self) -> list[_Rule]:
        with self._lock:
            return self._owing()

    def _owing(self) -> list[_Rule]:
        return [
            r
            for r in self._rules
            if isinstance(r.fault, HttpFault)
            and r.fault.times is not None
            and not r.fault.optional
            and r.fired < r.fault.times
        ]


def _suggest(operation: str, names: list[str]) -> str:
    """A short answer to a typo: the closest few names, or the list when it is short, and
    where the full table is (30 operations across the dialects make a poor one-line error)."""
    close = difflib.get_close_matches(operation, names, n=4, cutoff=0.5)
    shown = close or (names if len(names) <= 12 else [])
    hint = (
        f"did you mean {', '.join(shown)}? "
        if close
        else (f"known: {', '.join(shown)}; " if shown else "")
    )
    return (
        hint + "every operation: emulator.faults.operations() or GET /_emulator/faults/operations"
    )


def _coerce(fault: Fault | Mapping[str, Any] | None, extra: dict[str, Any]) -> Fault:
    if isinstance(fault, HttpFault | ItemFault | BatchFault):
        if extra:
            raise FaultError("pass either a fault value or keyword fields, not both")
        return fault
    if fault is not None and not isinstance(fault, Mapping):
        raise FaultError(f"not a fault: {fault!r}; use HttpFault, ItemFault or BatchFault")
    return parse_fault({**(fault or {}), **extra})


def _describe(rule: _Rule) -> dict[str, Any]:
    spec = as_spec(rule.fault)
    return {
        "id": rule.id,
        **spec,
        "kind": kind_of(rule.fault),
        "seen": rule.seen,
        "consumed": rule.fired,
    }
