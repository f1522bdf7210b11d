"""Values that satisfy a JSON Schema: structured output and tool-call arguments.

Supported subset (documented in the README): type (object, array, string, integer, number,
boolean, null, and lists of types), properties/required/additionalProperties, items,
minItems/maxItems, enum, const, minimum/maximum/exclusiveMinimum/exclusiveMaximum,
minLength/maxLength, anyOf/oneOf (first branch that generates), $ref to #/$defs or
#/definitions, nullable (OpenAPI/Gemini). Strings honour the common `format`s (date,
date-time, email, uuid). Anything outside the subset yields a plausible value, never a crash.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from emulator.core.results.context import sentence

_MAX_DEPTH = 6
_FORMATS = {
    "date": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "date-time": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
    "email": lambda rng: f"user{rng.randint(1, 999)}@example.com",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
}


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
            return value_for(schema[key][0], rng, root, depth + 1)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged = _merge(merged, part)
        return value_for(merged, rng, root, depth + 1)
    return _typed(schema, _type_of(schema, rng), rng, root, depth)


def _type_of(schema: dict[str, Any], rng: random.Random) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        concrete = [t for t in declared if t != "null"] or ["null"]
        return str(concrete[0])
    if isinstance(declared, str):
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
    if kind == "integer":
        low, high = _bounds(schema, integer=True)
        return rng.randint(int(low), int(high))
    if kind == "number":
        low, high = _bounds(schema, integer=False)
        return round(rng.uniform(low, high), 3) if high > low else low
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng)


def _object(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> dict[str, Any]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    out: dict[str, Any] = {}
    for name, sub in props.items():
        if name in required or depth < _MAX_DEPTH // 2:
            out[name] = value_for(sub, rng, root, depth + 1)
    minimum = schema.get("minProperties", 0)
    extra = schema.get("additionalProperties")
    while len(out) < minimum and extra is not False:
        out[f"key_{len(out)}"] = value_for(
            extra if isinstance(extra, dict) else {}, rng, root, depth + 1
        )
    return out


def _array(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> list[Any]:
    low = int(schema.get("minItems", 0))
    high = int(schema.get("maxItems", max(low, 3)))
    count = low if depth >= _MAX_DEPTH else rng.randint(low, max(low, min(high, low + 3)))
    items = schema.get("items", {})
    values = [value_for(items, rng, root, depth + 1) for _ in range(count)]
    return values


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return str(_FORMATS[fmt](rng))
    low = int(schema.get("minLength", 0))
    high = int(schema.get("maxLength", max(low, 40)))
    text = sentence(rng, rng.randint(1, 5))
    while len(text) < low:
        text += " " + sentence(rng, 2)
    return text[:high] if len(text) > high else text


def _bounds(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    step = 1 if integer else 0.001
    low, high = schema.get("minimum"), schema.get("maximum")
    if "exclusiveMinimum" in schema:
        edge = schema["exclusiveMinimum"] + step
        low = edge if low is None else max(low, edge)
    if "exclusiveMaximum" in schema:
        edge = schema["exclusiveMaximum"] - step
        high = edge if high is None else min(high, edge)
    if low is None:
        low = 0 if high is None or high >= 0 else high - 100
    if high is None:
        high = low + 100
    if integer:
        low, high = _ceil(low), _floor(high)
    return low, max(low, high)


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
