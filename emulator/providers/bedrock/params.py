"""CreateModelInvocationJob and ListModelInvocationJobs parameters, checked as botocore's
model constrains them (reference §1.1): jobName 1-63 characters of its pattern, an IAM role
ARN, `s3://` input and output URIs, timeoutDurationInHours 24-168, maxResults 1-1000.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.core.batch import View
from emulator.core.errors import invalid
from emulator.core.numbers import ascii_int
from emulator.core.objects import parse_uri
from emulator.providers.bedrock.records import endpoint_for
from emulator.providers.bedrock.status import ALL

JOB_NAME = re.compile(r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}")
ROLE_ARN = re.compile(r"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+")
KEPT = (
    "jobName",
    "roleArn",
    "modelId",
    "clientRequestToken",
    "inputDataConfig",
    "outputDataConfig",
    "timeoutDurationInHours",
    "vpcConfig",
    "modelInvocationType",
)
SCENARIO_TAG = "emulator_scenario"
# A Converse answer is `{output: {message}, stopReason, usage{inputTokens, outputTokens,
# totalTokens}}` (Bedrock Converse API reference), the shape Nova's InvokeModel also answers in.
CONVERSE = "bedrock/nova"


@dataclass(frozen=True)
class CreateParams:
    request: dict[str, Any]  # the fields a Get echoes
    endpoint: str
    input_uri: str
    output_uri: str
    output_bucket: str
    timeout_hours: int
    tag_metadata: dict[str, str]


def _need(body: dict[str, Any], name: str) -> Any:
    value = body.get(name)
    if value is None:
        raise invalid(
            f"1 validation error detected: Value null at '{name}' failed to satisfy "
            "constraint: Member must not be null"
        )
    return value


def _uri(body: dict[str, Any], config: str, inner: str) -> str:
    block = _need(body, config)
    inside = block.get(inner) if isinstance(block, dict) else None
    uri = inside.get("s3Uri") if isinstance(inside, dict) else None
    if not isinstance(uri, str) or parse_uri(uri, "s3") is None:
        raise invalid(
            f"1 validation error detected: Value at '{config}.{inner}.s3Uri' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?"
        )
    return uri


def _text(body: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = _need(body, name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise invalid(
            f"1 validation error detected: Value '{str(value)[:200]}' at '{name}' "
            "failed to satisfy constraint: Member must satisfy regular expression "
            f"pattern: {pattern.pattern}"
        )
    return value


def parse_create(body: Any) -> CreateParams:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    name = _text(body, "jobName", JOB_NAME)
    if len(name) > 63:
        raise invalid(
            "1 validation error detected: Value at 'jobName' failed to satisfy "
            "constraint: Member must have length less than or equal to 63"
        )
    _text(body, "roleArn", ROLE_ARN)
    model = _need(body, "modelId")
    endpoint = endpoint_for(model) if isinstance(model, str) else None
    if endpoint is None:
        raise invalid(f"The provided model identifier is invalid: {str(model)[:200]}.")
    kind = body.get("modelInvocationType", "InvokeModel")
    if kind not in ("InvokeModel", "Converse"):
        raise invalid(
            f"1 validation error detected: Value '{str(kind)[:100]}' at 'modelInvocationType' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[InvokeModel, Converse]"
        )
    if kind == "Converse":  # Converse bodies and answers, whatever the model family
        endpoint = CONVERSE
    input_uri = _uri(body, "inputDataConfig", "s3InputDataConfig")
    output_uri = _uri(body, "outputDataConfig", "s3OutputDataConfig")
    hours = body.get("timeoutDurationInHours", 168)
    if not isinstance(hours, int) or isinstance(hours, bool) or not 24 <= hours <= 168:
        raise invalid(
            "1 validation error detected: Value at 'timeoutDurationInHours' failed "
            "to satisfy constraint: Member must have value between 24 and 168"
        )
    bucket = parse_uri(output_uri, "s3")
    assert bucket is not None
    return CreateParams(
        request={k: body[k] for k in KEPT if k in body} | {"timeoutDurationInHours": hours},
        endpoint=endpoint,
        input_uri=input_uri,
        output_uri=output_uri,
        output_bucket=bucket[0],
        timeout_hours=hours,
        tag_metadata=_tags(body.get("tags")),
    )


def _tags(tags: Any) -> dict[str, str]:
    """Tags as metadata; the `emulator_scenario` tag picks a scenario (boto3 sends no custom
    headers without an event hook, so a tag is the black-box way to choose one)."""
    if not isinstance(tags, list):
        return {}
    out = {}
    for tag in tags[:200]:
        if isinstance(tag, dict) and isinstance(tag.get("key"), str):
            out[tag["key"]] = str(tag.get("value", ""))
    return out


def _time(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid(f"Invalid timestamp: {raw[:100]}") from None


def _int(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    if raw is None:
        return default
    number = ascii_int(raw)  # not str.isdigit(): '²' passes it and int() then raises
    if number is None or not low <= number <= high:
        raise invalid(
            f"1 validation error detected: Value at '{name}' failed to satisfy "
            f"constraint: Member must have value between {low} and {high}"
        )
    return number


def list_filter(q: Mapping[str, str]) -> tuple[Callable[[View, str], bool], str, int, int]:
    """(keep(view, status), sort order, page size, offset) from the list query."""
    wanted = q.get("statusEquals")
    if wanted is not None and wanted not in ALL:
        raise invalid(
            f"1 validation error detected: Value '{wanted[:100]}' at 'statusEquals' "
            f"failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(ALL)}]"
        )
    after, before = _time(q.get("submitTimeAfter")), _time(q.get("submitTimeBefore"))
    name = q.get("nameContains")
    order = q.get("sortOrder", "Descending")
    if order not in ("Ascending", "Descending"):
        raise invalid("sortOrder must be Ascending or Descending.")
    limit = _int(q.get("maxResults"), "maxResults", 1, 1000, 1000)
    start = _int(q.get("nextToken"), "nextToken", 0, 10**9, 0)

    def keep(view: View, word: str) -> bool:
        created = view.batch.plan.created_at
        return (
            (wanted is None or word == wanted)
            and (name is None or name in view.batch.extra["request"]["jobName"])
            and (after is None or created > after)
            and (before is None or created < before)
        )

    return keep, order, limit, start
