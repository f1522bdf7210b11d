"""Azure's create-batch and upload parameters, checked with OpenAI's own validators.

Differences from OpenAI (reference more-providers §1.4): endpoints without `/v1` are valid,
a `completion_window` other than `24h` does not answer 400 but fails the batch when
validation ends ("any other value and your job will fail"), upload purposes are Azure's, and
a file expiry is at least 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.core.batch import LineError
from emulator.core.errors import invalid
from emulator.providers.azure.dialect import ENDPOINTS, canonical
from emulator.providers.openai import params as openai

PURPOSES = ("fine-tune", "fine-tune-results", "assistants", "assistants_output", "batch")
MIN_FILE_EXPIRY = 1_209_600  # 14 days (reference §1.4)
BAD_WINDOW = "invalid_completion_window"


@dataclass(frozen=True)
class CreateParams:
    core: openai.CreateParams  # endpoint in the core's `/v1` spelling
    wire_endpoint: str  # as the client spelt it, echoed back
    window_error: LineError | None


def parse_create(body: Any) -> CreateParams:
    if isinstance(body, dict) and isinstance(body.get("endpoint"), str):
        endpoint = body["endpoint"]
        if endpoint not in ENDPOINTS:
            raise openai.invalid_value("endpoint", endpoint, ENDPOINTS)
        window = body.get("completion_window")
        checked = {**body, "endpoint": canonical(endpoint)}
        if isinstance(window, str):
            checked["completion_window"] = "24h"  # checked asynchronously below
        core = openai.parse_create(checked)
        problem = None
        if window != "24h":
            problem = LineError(
                BAD_WINDOW,
                f"The completion window '{window}' is not supported; it must be '24h'.",
                "completion_window",
            )
        return CreateParams(
            openai.CreateParams(
                core.input_file_id,
                core.endpoint,
                str(window),
                core.metadata,
                core.output_expires_after,
            ),
            endpoint,
            problem,
        )
    core = openai.parse_create(body)  # raises OpenAI's own type or missing-key error
    return CreateParams(core, core.endpoint, None)


def check_purpose(purpose: Any) -> str:
    if not isinstance(purpose, str):
        raise invalid(
            "Missing required parameter: 'purpose'.",
            param="purpose",
            code="missing_required_parameter",
        )
    if purpose not in PURPOSES:
        # Recorded (BerriAI/litellm#6582 quotes Azure's 400 body):
        # {"error": {"code": "invalidPayload", "message": "Invalid value for purpose."}}
        raise invalid("Invalid value for purpose.", param="purpose", code="invalidPayload")
    return purpose


def check_expiry(seconds: int | None) -> int | None:
    if seconds is not None and seconds < MIN_FILE_EXPIRY:
        raise invalid(
            f"Invalid 'expires_after.seconds': expected a value between {MIN_FILE_EXPIRY} and "
            f"{openai.MAX_EXPIRY}, but got {seconds} instead.",
            param="expires_after.seconds",
        )
    return seconds
