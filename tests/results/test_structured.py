"""Structured output: for generated JSON Schemas within the documented subset, the generated
value validates against the schema (checked by `jsonschema`, an independent implementation)."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
from hypothesis import given, settings, strategies as st

from emulator.core.results import GenContext
from emulator.core.results.structured import from_openapi, value_for

NAMES = st.text("abcdefghij_", min_size=1, max_size=8)


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    ints = st.tuples(st.integers(-50, 50), st.integers(0, 50)).map(
        lambda t: {"type": "integer", "minimum": t[0], "maximum": t[0] + t[1]}
    )
    nums = st.tuples(st.floats(-10, 10), st.floats(0.01, 10)).map(
        lambda t: {"type": "number", "exclusiveMinimum": t[0], "maximum": t[0] + t[1]}
    )
    strs = st.tuples(st.integers(0, 20), st.integers(0, 30)).map(
        lambda t: {"type": "string", "minLength": t[0], "maxLength": t[0] + t[1]}
    )
    enums = st.lists(
        st.one_of(st.text(max_size=5), st.integers()), min_size=1, max_size=4, unique=True
    ).map(lambda v: {"enum": v})
    fmts = st.sampled_from(["date", "date-time", "email", "uuid"]).map(
        lambda f: {"type": "string", "format": f}
    )
    plain = st.sampled_from(
        [
            {"type": "boolean"},
            {"type": "null"},
            {"type": "string"},
            {"type": ["string", "null"]},
            {"const": "fixed"},
        ]
    )
    return st.one_of(ints, nums, strs, enums, fmts, plain)


def _compound(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    objects = st.dictionaries(NAMES, children, max_size=4).flatmap(
        lambda props: st.builds(
            lambda req, strict: {
                "type": "object",
                "properties": props,
                "required": sorted(req),
                **({"additionalProperties": False} if strict else {}),
            },
            st.sets(st.sampled_from(sorted(props)) if props else st.nothing()),
            st.booleans(),
        )
    )
    arrays = st.tuples(children, st.integers(0, 3), st.integers(0, 3)).map(
        lambda t: {"type": "array", "items": t[0], "minItems": t[1], "maxItems": t[1] + t[2]}
    )
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
        "properties": {
            "owner": {"$ref": "#/$defs/person"},
            "team": {"type": "array", "items": {"$ref": "#/$defs/person"}, "minItems": 1},
        },
        "required": ["owner", "team"],
        "$defs": {
            "person": {
                "type": "object",
                "required": ["name", "age"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "age": {"type": "integer", "minimum": 0, "maximum": 120},
                },
                "additionalProperties": False,
            }
        },
    }
    value = value_for(schema, random.Random(seed))
    jsonschema.validate(value, schema)
    assert value["team"]


def test_same_seed_same_value() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
        "required": ["a", "b"],
    }
    assert value_for(schema, random.Random(5)) == value_for(schema, random.Random(5))


# -- shared with the request-driven tests ------------------------------------------------------

TOOL_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
OBJECT_SCHEMAS = st.dictionaries(NAMES, SCHEMAS, max_size=4).flatmap(
    lambda props: st.builds(
        lambda req: {
            "type": "object",
            "properties": props,
            "required": sorted(req),
            "additionalProperties": False,
        },
        st.sets(st.sampled_from(sorted(props)) if props else st.nothing()),
    )
)


def gen_ctx(endpoint: str, body: dict[str, Any], seed: int, model: str = "m") -> GenContext:
    """A GenContext as the service builds one, with the item's rng seeded from `seed`."""
    return GenContext(
        endpoint=endpoint,
        body=body,
        rng=random.Random(seed),
        custom_id="c1",
        batch_id="batch_1",
        model=model,
        created=1_767_225_600,
        seed=seed,
    )


def _openapi_leaf() -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
    """(Gemini OpenAPI schema, the JSON Schema it means), written out by hand per case."""
    cases = [
        ({"type": "STRING"}, {"type": "string"}),
        (
            {"type": "INTEGER", "minimum": 3, "maximum": 9},
            {"type": "integer", "minimum": 3, "maximum": 9},
        ),
        ({"type": "NUMBER", "nullable": True}, {"type": ["number", "null"]}),
        ({"type": "BOOLEAN"}, {"type": "boolean"}),
        ({"type": "STRING", "format": "enum", "enum": ["a", "b"]}, {"enum": ["a", "b"]}),
        (
            {"type": "STRING", "minLength": "5", "maxLength": "9"},
            {"type": "string", "minLength": 5, "maxLength": 9},
        ),
        ({"type": "STRING", "format": "date-time"}, {"type": "string"}),
    ]
    return st.sampled_from(cases)


def _openapi_compound(
    children: st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]],
) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
    def obj(
        props: dict[str, tuple[dict[str, Any], dict[str, Any]]], snake: bool
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        names = sorted(props)
        order_key = "property_ordering" if snake else "propertyOrdering"
        api = {
            "type": "OBJECT",
            "properties": {k: v[0] for k, v in props.items()},
            "required": names,
            order_key: names[::-1],
        }
        plain = {
            "type": "object",
            "properties": {k: v[1] for k, v in props.items()},
            "required": names,
        }
        return api, plain

    objects = st.builds(
        obj, st.dictionaries(NAMES, children, min_size=1, max_size=3), st.booleans()
    )
    arrays = st.tuples(children, st.integers(0, 3), st.booleans()).map(
        lambda t: (
            {"type": "ARRAY", "items": t[0][0], ("min_items" if t[2] else "minItems"): str(t[1])},
            {"type": "array", "items": t[0][1], "minItems": t[1]},
        )
    )
    return st.one_of(objects, arrays)


OPENAPI_SCHEMAS = st.recursive(_openapi_leaf(), _openapi_compound, max_leaves=8).filter(
    lambda pair: pair[0]["type"] == "OBJECT"
) | _openapi_compound(_openapi_leaf()).filter(lambda pair: pair[0]["type"] == "OBJECT")


@given(pair=OPENAPI_SCHEMAS, seed=st.integers(0, 2**32))
def test_gemini_openapi_schemas_mean_json_schemas(
    pair: tuple[dict[str, Any], dict[str, Any]], seed: int
) -> None:
    api, plain = pair
    jsonschema.validate(value_for(from_openapi(api), random.Random(seed)), plain)


@given(seed=st.integers(0, 2**32), most=st.integers(0, 3), step=st.integers(1, 7))
def test_max_properties_multiple_of_and_unique_items(seed: int, most: int, step: int) -> None:
    schema = {
        "type": "object",
        "maxProperties": most,
        "properties": {
            n: {"type": "integer", "multipleOf": step, "minimum": -20, "maximum": 40}
            for n in "abcde"
        },
        "required": [],
    }
    jsonschema.validate(value_for(schema, random.Random(seed)), schema)
    listing = {
        "type": "array",
        "uniqueItems": True,
        "minItems": 2,
        "maxItems": 4,
        "items": {"type": "integer", "minimum": 0, "maximum": 1000},
    }
    jsonschema.validate(value_for(listing, random.Random(seed)), listing)


@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(
        ["date", "date-time", "time", "email", "uuid", "uri", "hostname", "ipv4", "ipv6"]
    ),
)
def test_formats_pass_a_format_checker(seed: int, fmt: str) -> None:
    schema = {"type": "string", "format": fmt}
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    jsonschema.validate(value_for(schema, random.Random(seed)), schema, format_checker=checker)


@given(seed=st.integers(0, 2**32))
def test_self_referencing_schema_ends(seed: int) -> None:
    schema = {
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "required": ["value", "next"],
                "additionalProperties": False,
                "properties": {
                    "value": {"type": "integer"},
                    "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]},
                },
            }
        },
    }
    jsonschema.validate(value_for(schema, random.Random(seed)), schema)


@given(seed=st.integers(0, 2**32), low=st.integers(-5, 5))
def test_draft4_boolean_exclusive_bounds(seed: int, low: int) -> None:
    schema = {
        "type": "integer",
        "minimum": low,
        "exclusiveMinimum": True,
        "maximum": low + 2,
        "exclusiveMaximum": True,
    }
    assert value_for(schema, random.Random(seed)) == low + 1
