"""Regular expressions from fault rules, matched in time linear in the subject.

Fault rules arrive over the control plane, and Python's `re` backtracks: `(a+)+$` against
thirty `a`s and a `b` runs for minutes while holding the GIL, so one rule (and one request
path) would stall every client. Here a pattern is parsed by the stdlib's own parser and:

- refused if longer than MAX_PATTERN, or if it uses what only a backtracking engine can do
  (backreferences, lookarounds, possessive or atomic groups), or if it compiles too big;
- with at most one choice point (one repeat or one alternation), matched by `re` itself, which
  cannot blow up without two of them;
- otherwise run on a small Thompson/Pike automaton: one pass over the subject with a set of
  states, O(len(subject) x len(program)).

Subjects are cut at MAX_SUBJECT characters (a request path or a custom_id is far shorter).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_PATTERN = 256
MAX_PROGRAM = 2_000
MAX_SUBJECT = 4_096
_parser: Any = importlib.import_module("re._parser")  # the stdlib's own regex parser
_c: Any = importlib.import_module("re._constants")
_IGNORECASE, _MULTILINE, _DOTALL = re.IGNORECASE.value, re.MULTILINE.value, re.DOTALL.value
Pred = Callable[[str], bool]
_UNSUPPORTED = {
    "GROUPREF": "backreferences",
    "GROUPREF_EXISTS": "conditional groups",
    "ASSERT": "lookarounds",
    "ASSERT_NOT": "lookarounds",
    "POSSESSIVE_REPEAT": "possessive repeats",
    "ATOMIC_GROUP": "atomic groups",
}
_CATEGORIES: dict[str, Pred] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda ch: not ch.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda ch: not ch.isspace(),
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
    "CATEGORY_NOT_WORD": lambda ch: not (ch.isalnum() or ch == "_"),
}


class RegexError(ValueError):
    """A pattern this module will not run (too long, unsupported, or not a regex)."""


@dataclass(frozen=True)
class SafePattern:
    pattern: str
    _re: re.Pattern[str] | None  # set when `re` is safe for this pattern
    _program: tuple[tuple[Any, ...], ...]

    def search(self, text: str) -> bool:
        text = text[:MAX_SUBJECT]
        if self._re is not None:
            return self._re.search(text) is not None
        return _run(self._program, text, anchored=False)

    @property
    def costly(self) -> bool:
        """Matched by the automaton: up to ~1 s of Python on a 4,096-character subject for the
        worst pattern allowed, so a caller on an event loop runs it on a worker thread."""
        return self._re is None

    def fullmatch(self, text: str) -> bool:
        text = text[:MAX_SUBJECT]
        if self._re is not None:
            return self._re.fullmatch(text) is not None
        return _run(self._program, text, anchored=True)


@functools.lru_cache(maxsize=256)
def compile_safe(pattern: str) -> SafePattern:
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"is longer than {MAX_PATTERN} characters")
    try:
        compiled = re.compile(pattern)
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RegexError(f"is not a valid regular expression: {exc}") from None
    program: list[tuple[Any, ...]] = []
    choices = _emit(list(parsed), parsed.state.flags, program)
    program.append(("match",))
    if len(program) > MAX_PROGRAM:
        raise RegexError("is too complex (expand fewer or smaller {m,n} repeats)")
    return SafePattern(pattern, compiled if choices <= 1 else None, tuple(program))


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def _emit(nodes: list[tuple[Any, Any]], flags: int, out: list[tuple[Any, ...]]) -> int:
    """Append the program for `nodes`; return how many choice points they hold."""
    choices = 0
    for op, av in nodes:
        name = _name(op)
        if name in _UNSUPPORTED:
            raise RegexError(f"uses {_UNSUPPORTED[name]}, which fault rules do not support")
        if len(out) > MAX_PROGRAM:
            raise RegexError("is too complex (expand fewer or smaller {m,n} repeats)")
        if name == "SUBPATTERN":
            _group, add, remove, sub = av
            choices += _emit(list(sub), (flags | add) & ~remove, out)
        elif name == "BRANCH":
            choices += 1 + _branch(av[1], flags, out)
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            choices += 1 + _repeat(av, flags, out)
        elif name == "AT":
            out.append(("assert", _name(av), flags))
        else:
            out.append(("char", _predicate(name, av, flags)))
    return choices


def _branch(alternatives: list[Any], flags: int, out: list[tuple[Any, ...]]) -> int:
    choices, jumps = 0, []
    for index, alternative in enumerate(alternatives):
        last = index == len(alternatives) - 1
        split = len(out)
        if not last:
            out.append(("split", split + 1, None))
        choices += _emit(list(alternative), flags, out)
        if not last:
            jumps.append(len(out))
            out.append(("jmp", None))
            out[split] = ("split", split + 1, len(out))
    for at in jumps:
        out[at] = ("jmp", len(out))
    return choices


def _repeat(av: tuple[int, int, Any], flags: int, out: list[tuple[Any, ...]]) -> int:
    low, high, sub = av
    body = list(sub)
    choices = 0
    for _ in range(low):
        choices += _emit(body, flags, out)
    if high == _c.MAXREPEAT:  # x*: split(body, out); body; jmp split
        split = len(out)
        out.append(("split", split + 1, None))
        choices += _emit(body, flags, out)
        out.append(("jmp", split))
        out[split] = ("split", split + 1, len(out))
        return choices
    splits = []
    for _ in range(high - low):  # x? nested (high - low) times
        splits.append(len(out))
        out.append(("split", len(out) + 1, None))
        choices += _emit(body, flags, out)
    for at in splits:
        out[at] = ("split", at + 1, len(out))
    return choices


def _predicate(name: str, av: Any, flags: int) -> Pred:
    fold = bool(flags & _IGNORECASE)
    if name == "LITERAL":
        return _literal(chr(av), fold)
    if name == "NOT_LITERAL":
        same = _literal(chr(av), fold)
        return lambda ch: not same(ch)
    if name == "ANY":
        return (lambda ch: True) if flags & _DOTALL else (lambda ch: ch != "\n")
    if name == "IN":
        return _set(av, fold)
    raise RegexError(f"uses {name.lower()}, which fault rules do not support")


def _literal(char: str, fold: bool) -> Pred:
    if fold:
        low = char.lower()
        return lambda ch: ch.lower() == low
    return lambda ch: ch == char


def _set(items: list[tuple[Any, Any]], fold: bool) -> Pred:
    negate = bool(items) and _name(items[0][0]) == "NEGATE"
    tests: list[Pred] = []
    for op, av in items[1:] if negate else items:
        name = _name(op)
        if name == "LITERAL":
            tests.append(_literal(chr(av), fold))
        elif name == "RANGE":
            tests.append(_range(av[0], av[1], fold))
        elif name == "CATEGORY":
            tests.append(_CATEGORIES[_name(av)])
        else:
            raise RegexError(f"uses {name.lower()} in a character class, which is unsupported")

    def member(ch: str) -> bool:
        return any(test(ch) for test in tests) != negate

    return member


def _range(low: int, high: int, fold: bool) -> Pred:
    def inside(ch: str) -> bool:
        if low <= ord(ch) <= high:
            return True
        return fold and any(low <= ord(c) <= high for c in (ch.lower(), ch.upper()))

    return inside


def _word(text: str, pos: int) -> bool:
    return 0 <= pos < len(text) and (text[pos].isalnum() or text[pos] == "_")


def _holds(kind: str, flags: int, text: str, pos: int) -> bool:
    multiline = bool(flags & _MULTILINE)
    end = len(text)
    if kind == "AT_BEGINNING":
        return pos == 0 or (multiline and text[pos - 1] == "\n")
    if kind == "AT_BEGINNING_STRING":
        return pos == 0
    if kind == "AT_END":
        at_end = pos == end or (pos == end - 1 and text[pos] == "\n")
        return at_end or (multiline and pos < end and text[pos] == "\n")
    if kind == "AT_END_STRING":
        return pos == end
    boundary = _word(text, pos - 1) != _word(text, pos)
    if kind == "AT_BOUNDARY":
        return boundary
    if kind == "AT_NON_BOUNDARY":
        return not boundary
    raise RegexError(f"uses {kind.lower()}, which fault rules do not support")


def _closure(
    program: tuple[tuple[Any, ...], ...], seeds: list[int], text: str, pos: int
) -> list[int]:
    """The consuming and matching states reachable from `seeds` without reading a character."""
    seen: set[int] = set()
    found: list[int] = []
    stack = list(reversed(seeds))
    while stack:
        pc = stack.pop()
        if pc in seen:
            continue
        seen.add(pc)
        step = program[pc]
        kind = step[0]
        if kind == "jmp":
            stack.append(step[1])
        elif kind == "split":
            stack += [step[2], step[1]]
        elif kind == "assert":
            if _holds(step[1], step[2], text, pos):
                stack.append(pc + 1)
        else:
            found.append(pc)
    return found


def _run(program: tuple[tuple[Any, ...], ...], text: str, *, anchored: bool) -> bool:
    states = _closure(program, [0], text, 0)
    for pos in range(len(text) + 1):
        for pc in states:
            if program[pc][0] == "match" and (not anchored or pos == len(text)):
                return True
        if pos == len(text):
            return False
        ch = text[pos]
        following = [pc + 1 for pc in states if program[pc][0] == "char" and program[pc][1](ch)]
        if not anchored:
            following.append(0)  # a match may also start at the next position
        states = _closure(program, following, text, pos + 1)
        if not states and anchored:
            return False
    return False
