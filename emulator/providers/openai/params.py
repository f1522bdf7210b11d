"""Synchronous parameter validation for OpenAI requests, with the live API's messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.core.errors import invalid
from emulator.core.numbers import ascii_int

ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
)
CREATE_KEYS = ("input_file_id", "endpoint", "completion_window")
OPTIONAL_KEYS = ("metadata", "output_expires_after")
FILE_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
MIN_EXPIRY, MAX_EXPIRY = 3600, 2_592_000
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    dict: "an object",
    list: "an array",
    bool: "a boolean",
    float: "a number",
    type(None): "null",
}


@dataclass(frozen=True)
class CreateParams:
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None
    output_expires_after: int | None


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), "an unknown type")


def _choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def invalid_value(param: str, value: Any, allowed: tuple[str, ...]) -> Exception:
    return invalid(
        f"Invalid value: '{value}'. Supported values are: {_choices(allowed)}.",
        param=param,
        code="invalid_value",
    )


def expect_string(param: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(
            f"Invalid type for '{param}': expected a string, but got {_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    return value


def parse_create(body: Any) -> CreateParams:
    if not isinstance(body, dict):
        raise invalid(
            f"Invalid type for body: expected an object, but got {_type_name(body)} instead.",
            code="invalid_type",
        )
    for key in body:
        if key not in CREATE_KEYS + OPTIONAL_KEYS:
            raise invalid(
                f"Unrecognized request argument supplied: {key}",
                code="unknown_parameter",
                param=key,
            )
    for key in CREATE_KEYS:
        if key not in body:
            raise invalid(
                f"Missing required parameter: '{key}'.",
                param=key,
                code="missing_required_parameter",
            )
    file_id = expect_string("input_file_id", body["input_file_id"])
    endpoint = expect_string("endpoint", body["endpoint"])
    if endpoint not in ENDPOINTS:
        raise invalid_value("endpoint", endpoint, ENDPOINTS)
    window = expect_string("completion_window", body["completion_window"])
    if window != "24h":
        raise invalid_value("completion_window", window, ("24h",))
    return CreateParams(
        file_id,
        endpoint,
        window,
        parse_metadata(body.get("metadata")),
        parse_expiry("output_expires_after", body.get("output_expires_after")),
    )


def parse_metadata(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(
            f"Invalid type for 'metadata': expected an object, but got "
            f"{_type_name(value)} instead.",
            param="metadata",
            code="invalid_type",
        )
    if len(value) > 16:
        raise invalid(
            f"Invalid 'metadata': too many properties. Expected an object with at most "
            f"16 properties, but got an object with {len(value)} properties instead.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > 64:
            raise invalid(
                f"Invalid 'metadata': string too long. Expected a string with maximum "
                f"length 64, but got a string with length {len(key)} instead.",
                param="metadata",
                code="string_above_max_length",
            )
        text = expect_string(f"metadata.{key}", item)
        if len(text) > 512:
            raise invalid(
                f"Invalid 'metadata.{key}': string too long. Expected a string with "
                f"maximum length 512, but got a string with length {len(text)} "
                "instead.",
                param=f"metadata.{key}",
                code="string_above_max_length",
            )
    return dict(value)


def parse_expiry(param: str, value: Any) -> int | None:
    """`{anchor: "created_at", seconds: 3600..2592000}`, as JSON or as bracket form fields."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(
            f"Invalid type for '{param}': expected an object, but got {_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if value.get("anchor") != "created_at":
        raise invalid_value(f"{param}.anchor", value.get("anchor"), ("created_at",))
    seconds = value.get("seconds")
    if isinstance(seconds, str) and ascii_int(seconds) is not None:
        seconds = ascii_int(seconds)
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise invalid(
            f"Invalid type for '{param}.seconds': expected an integer, but got "
            f"{_type_name(seconds)} instead.",
            param=f"{param}.seconds",
            code="invalid_type",
        )
    if not MIN_EXPIRY <= seconds <= MAX_EXPIRY:
        raise invalid(
            f"Invalid '{param}.seconds': expected a value between {MIN_EXPIRY} and "
            f"{MAX_EXPIRY}, but got {seconds} instead.",
            param=f"{param}.seconds",
            code="integer_out_of_range",
        )
    return seconds


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    value = ascii_int(raw, signed=True)
    if value is None:
        raise invalid(
            f"Invalid 'limit': expected an integer, but got '{raw[:40]}' instead.",
            param="limit",
            code="invalid_type",
        )
    if not 1 <= value <= maximum:
        raise invalid(
            f"Invalid 'limit': integer out of range. Expected a value between 1 and "
            f"{maximum}, but got {value} instead.",
            param="limit",
            code="integer_out_of_range",
        )
    return value
