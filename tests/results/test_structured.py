"""Structured output: for generated JSON Schemas within the documented subset, the generated
value validates against the schema (checked by `jsonschema`, an independent implementation)."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
from hypothesis import given, settings, strategies as st

from emulator.core.results.structured import value_for

NAMES = st.text("abcdefghij_", min_size=1, max_size=8)


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    ints = st.tuples(st.integers(-50, 50), st.integers(0, 50)).map(
        lambda t: {"type": "integer", "minimum": t[0], "maximum": t[0] + t[1]})
    nums = st.tuples(st.floats(-10, 10), st.floats(0.01, 10)).map(
        lambda t: {"type": "number", "exclusiveMinimum": t[0], "maximum": t[0] + t[1]})
    strs = st.tuples(st.integers(0, 20), st.integers(0, 30)).map(
        lambda t: {"type": "string", "minLength": t[0], "maxLength": t[0] + t[1]})
    enums = st.lists(st.one_of(st.text(max_size=5), st.integers()), min_size=1, max_size=4,
                     unique=True).map(lambda v: {"enum": v})
    fmts = st.sampled_from(["date", "date-time", "email", "uuid"]).map(
        lambda f: {"type": "string", "format": f})
    plain = st.sampled_from([{"type": "boolean"}, {"type": "null"}, {"type": "string"},
                             {"type": ["string", "null"]}, {"const": "fixed"}])
    return st.one_of(ints, nums, strs, enums, fmts, plain)


def _compound(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    objects = st.dictionaries(NAMES, children, max_size=4).flatmap(
        lambda props: st.builds(
            lambda req, strict: {"type": "object", "properties": props,
                                 "required": sorted(req),
                                 **({"additionalProperties": False} if strict else {})},
            st.sets(st.sampled_from(sorted(props)) if props else st.nothing()),
            st.booleans()))
    arrays = st.tuples(children, st.integers(0, 3), st.integers(0, 3)).map(
        lambda t: {"type": "array", "items": t[0], "minItems": t[1], "maxItems": t[1] + t[2]})
    unions = st.lists(children, min_size=1, max_size=3).map(lambda c: {"anyOf": c})
    return st.one_of(objects, arrays, unions)


SCHEMAS = st.recursive(_leaf(), _compound, max_leaves=12)


@settings(max_examples=150)
@given(schema=SCHEMAS, seed=st.integers(0, 2**32))
def test_generated_value_validates_against_schema(schema: dict[str, Any], seed: int) -> None:
    value = value_for(schema, random.Random(seed))
    jsonschema.validate(value, schema)


@given(seed=st.integers(0, 2**32))
def test_refs_to_defs_are_followed(seed: int) -> None:
    schema = {
        "type": "object",
        "properties": {"owner": {"$ref": "#/$defs/person"},
                       "team": {"type": "array", "items": {"$ref": "#/$defs/person"},
                                "minItems": 1}},
        "required": ["owner", "team"],
        "$defs": {"person": {"type": "object", "required": ["name", "age"],
                             "properties": {"name": {"type": "string", "minLength": 1},
                                            "age": {"type": "integer", "minimum": 0,
                                                    "maximum": 120}},
                             "additionalProperties": False}},
    }
    value = value_for(schema, random.Random(seed))
    jsonschema.validate(value, schema)
    assert value["team"]


def test_same_seed_same_value() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
              "required": ["a", "b"]}
    assert value_for(schema, random.Random(5)) == value_for(schema, random.Random(5))
