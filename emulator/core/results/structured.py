"""Values that satisfy a JSON Schema: structured output and tool-call arguments.

Supported subset (documented in docs/results.md): type (object, array, string, integer, number,
boolean, null, and lists of types), properties/required/additionalProperties,
minProperties/maxProperties, items, minItems/maxItems/uniqueItems, enum, const,
minimum/maximum/exclusiveMinimum/exclusiveMaximum (numbers, or draft-4 booleans), multipleOf,
minLength/maxLength, format (date, date-time, time, email, uuid, uri, hostname, ipv4, ipv6),
anyOf/oneOf (first branch; a non-recursive one when deep), allOf (merged), $ref to #/$defs or
#/definitions, and Gemini's OpenAPI dialect (`from_openapi`). Anything outside the subset
(pattern, not, if/then, prefixItems) yields a plausible value, never a crash.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from emulator.core.numbers import ascii_int
from emulator.core.results.context import sentence

_MAX_DEPTH = 6
# A client's schema may ask for 10**9 items or characters: generated values stay small.
_MAX_COUNT = 2_000  # characters (minLength) or items (minItems) asked for
_TOP_ITEMS, _NESTED_ITEMS = 64, 4  # at most this many items, at the top / nested deeper
_Maker = Callable[[random.Random], str]
_FORMATS: dict[str, _Maker] = {
    "date": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "date-time": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
    "time": lambda rng: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
    "email": lambda rng: f"user{rng.randint(1, 999)}@example.com",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "uri": lambda rng: f"https://example.com/item/{rng.randint(1, 9999)}",
    "hostname": lambda rng: f"host{rng.randint(1, 999)}.example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randint(1, 0xFFFF):x}",
}
_SIMPLE = ("string", "integer", "number", "boolean", "null")


def value_for(schema: Any, rng: random.Random, root: Any = None, depth: int = 0) -> Any:
    """A value valid under `schema` (within the subset), drawn from `rng`."""
    if not isinstance(schema, dict):
        return sentence(rng, 2)
    root = schema if root is None else root
    if "$ref" in schema:
        return value_for(_resolve(root, schema["$ref"]), rng, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return value_for(_branch(schema[key], depth), rng, root, depth + 1)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged = _merge(merged, part)
        return value_for(merged, rng, root, depth + 1)
    return _typed(schema, _type_of(schema, depth), rng, root, depth)


def object_for(schema: Any, rng: random.Random) -> dict[str, Any]:
    """Tool-call arguments: always an object, `{}` when the schema declares nothing."""
    if not isinstance(schema, dict) or not schema:
        return {}
    value = value_for(schema, rng)
    return value if isinstance(value, dict) else {}


def _branch(branches: list[Any], depth: int) -> Any:
    """The first branch; past the depth limit the first that cannot recurse, so that a
    self-referencing schema (a linked list) ends."""
    if depth >= _MAX_DEPTH:
        for branch in branches:
            if isinstance(branch, dict) and "$ref" not in branch and branch.get("type") in _SIMPLE:
                return branch
    return branches[0]


def _type_of(schema: dict[str, Any], depth: int) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        concrete = [str(t) for t in declared if t != "null"] or ["null"]
        return "null" if depth >= _MAX_DEPTH and "null" in declared else concrete[0]
    if isinstance(declared, str):
        if schema.get("nullable") is True and depth >= _MAX_DEPTH:
            return "null"
        return declared.lower()  # Gemini's OpenAPI dialect spells types in capitals
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _typed(schema: dict[str, Any], kind: str, rng: random.Random, root: Any, depth: int) -> Any:
    if kind == "object":
        return _object(schema, rng, root, depth)
    if kind == "array":
        return _array(schema, rng, root, depth)
    if kind in ("integer", "number"):
        return _number(schema, rng, kind == "integer")
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng)


def _object(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> dict[str, Any]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    room = _int(schema.get("maxProperties"), 10**6) - len(required)
    out: dict[str, Any] = {}
    for name in _ordered(schema, props):
        if name in required:
            out[name] = value_for(props[name], rng, root, depth + 1)
        elif depth < _MAX_DEPTH // 2 and room > 0:
            out[name] = value_for(props[name], rng, root, depth + 1)
            room -= 1
    minimum = _int(schema.get("minProperties"), 0)
    extra = schema.get("additionalProperties")
    while len(out) < minimum and extra is not False:
        sub = extra if isinstance(extra, dict) else {}
        out[f"key_{len(out)}"] = value_for(sub, rng, root, depth + 1)
    return out


def _ordered(schema: dict[str, Any], props: dict[str, Any]) -> list[str]:
    """Gemini's `propertyOrdering` first, then the declaration order."""
    order = [p for p in schema.get("propertyOrdering") or [] if p in props]
    return order + [p for p in props if p not in order]


def _array(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> list[Any]:
    low = min(_int(schema.get("minItems"), 0), _TOP_ITEMS if depth == 0 else _NESTED_ITEMS)
    high = _int(schema.get("maxItems"), max(low, 3))
    count = low if depth >= _MAX_DEPTH else rng.randint(low, max(low, min(high, low + 3)))
    items = schema.get("items", {})
    values: list[Any] = []
    tries = 0
    while len(values) < count and tries < count * 8 + 8:
        value = value_for(items, rng, root, depth + 1)
        tries += 1
        if not schema.get("uniqueItems") or value not in values:
            values.append(value)
    return values


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt](rng)
    low = _int(schema.get("minLength"), 0)
    high = _int(schema.get("maxLength"), max(low, 40))
    text = sentence(rng, rng.randint(1, 5))
    while len(text) < low:
        text += " " + sentence(rng, 2)
    return text[:high] if len(text) > high else text


def _number(schema: dict[str, Any], rng: random.Random, integer: bool) -> int | float:
    low, high = _bounds(schema, integer)
    step = schema.get("multipleOf")
    if isinstance(step, int) and not isinstance(step, bool) and step > 0:  # integers only
        first, last = -(-low // step), high // step
        if last >= first:
            return int(rng.randint(int(first), int(last)) * step)
    if integer:
        return rng.randint(int(low), int(high))
    return round(rng.uniform(low, high), 3) if high > low else low


def _bounds(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    step = 1 if integer else 0.001
    low, high = _num(schema.get("minimum")), _num(schema.get("maximum"))
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    edge_low, edge_high = _num(ex_low), _num(ex_high)
    if ex_low is True and low is not None:  # draft 4 / OpenAPI 3.0 spelling
        low += step
    elif edge_low is not None:
        low = edge_low + step if low is None else max(low, edge_low + step)
    if ex_high is True and high is not None:
        high -= step
    elif edge_high is not None:
        high = edge_high - step if high is None else min(high, edge_high - step)
    if low is None:
        low = 0 if high is None or high >= 0 else high - 100
    if high is None:
        high = low + 100
    if integer:
        low, high = _ceil(low), _floor(high)
    return low, max(low, high)


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _num(value: Any) -> float | None:
    if _is_num(value):
        number = float(value) if isinstance(value, float) else int(value)
    elif isinstance(value, str):  # proto-JSON numbers may arrive as strings
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and abs(number) < 1e15 else None


def _int(value: Any, default: int) -> int:
    """Counts (minItems, maxLength...): Gemini sends int64 fields as JSON strings."""
    if isinstance(value, str) and ascii_int(value) is not None:
        return min(ascii_int(value) or 0, _MAX_COUNT)
    return min(int(value), _MAX_COUNT) if _is_num(value) and math.isfinite(value) else default


def _ceil(value: float) -> int:
    return int(value) if value == int(value) else int(value) + (value > 0)


def _floor(value: float) -> int:
    return int(value) if value == int(value) or value > 0 else int(value) - 1


def _resolve(root: Any, ref: str) -> Any:
    node = root
    for part in ref.lstrip("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node


def _merge(left: dict[str, Any], right: Any) -> dict[str, Any]:
    if not isinstance(right, dict):
        return left
    merged = {**left, **right}
    if "properties" in left or "properties" in right:
        merged["properties"] = {**left.get("properties", {}), **right.get("properties", {})}
        merged["required"] = [*left.get("required", []), *right.get("required", [])]
    return merged


_SNAKE = {
    "any_of": "anyOf",
    "min_items": "minItems",
    "max_items": "maxItems",
    "min_length": "minLength",
    "max_length": "maxLength",
    "min_properties": "minProperties",
    "max_properties": "maxProperties",
    "property_ordering": "propertyOrdering",
}
_COUNTS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")


def from_openapi(schema: Any) -> Any:
    """Gemini's `Schema` (OpenAPI 3.0 subset, either key spelling) as plain JSON Schema:
    lower-case types, `nullable` as a `null` type, int64 counts as integers."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for raw, value in schema.items():
        key = _SNAKE.get(str(raw), str(raw))
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: from_openapi(sub) for name, sub in value.items()}
        elif key in ("items", "anyOf"):
            is_list = isinstance(value, list)
            out[key] = [from_openapi(s) for s in value] if is_list else from_openapi(value)
        elif key in _COUNTS or key in ("minimum", "maximum"):
            number = _num(value)
            out[key] = int(number) if key in _COUNTS and number is not None else number
        elif key == "type" and isinstance(value, str):
            if value.upper() != "TYPE_UNSPECIFIED":
                out[key] = value.lower()
        elif key != "nullable":
            out[key] = value
    if schema.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if out.get("format") == "enum":
        del out["format"]
    return out
