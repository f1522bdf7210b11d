"""Bifrost's unified create for the cloud providers: Bedrock, and Vertex (newer upstream).

Bedrock (reference bifrost-batch §4.3, `bedrock/bedrock.go`): `role_arn` and `output_s3_uri`
come from the raw body (ExtraParams), `model` (minus its `bedrock/` prefix) is the model id,
`metadata.job_name` the job name (default `bifrost-batch-<unix>`), `completion_window` the
timeout; inline `requests` become JSONL `{recordId, modelInput}` uploaded next to the output
prefix. The job is then the same job boto3 sees at `/bedrock`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from emulator.core import jsonl
from emulator.core.batch import View
from emulator.core.objects import parse_uri
from emulator.core.service import BatchService
from emulator.providers.bedrock import params as bedrock_params, routes as bedrock_routes
from emulator.providers.bifrost import convert
from emulator.providers.bifrost.errors import BifrostError
from emulator.providers.bifrost.providers import split_model
from emulator.providers.vertex import params as vertex_params, routes as vertex_routes

if TYPE_CHECKING:
    from emulator.providers.bifrost.create import CreateBody

WINDOW = re.compile(r"(\d{1,4})h")
INLINE_NAME = "bifrost-batch-input-{n}.jsonl"  # [I] the key Bifrost gives inline input


def _hours(window: str | None) -> int:
    found = WINDOW.fullmatch(window or "")
    return max(24, min(int(found[1]), 168)) if found else 24  # Bedrock's 24-168 range


def create_bedrock(
    service: BatchService, request: Request, spec: CreateBody, raw: dict[str, Any]
) -> View:
    role, output = raw.get("role_arn"), raw.get("output_s3_uri")
    if not isinstance(role, str) or not role:
        raise BifrostError("role_arn is required for Bedrock batch API", provider="bedrock")
    if not isinstance(output, str) or parse_uri(output, "s3") is None:
        raise BifrostError("output_s3_uri is required for Bedrock batch API", provider="bedrock")
    if not spec.model:
        raise BifrostError("model is required for Bedrock batch API", provider="bedrock")
    input_uri = spec.input_file_id or _upload_inline(service, spec, output)
    name = (spec.metadata or {}).get("job_name") or f"bifrost-batch-{int(service.now())}"
    native = {
        "jobName": name,
        "roleArn": role,
        "modelId": split_model(spec.model)[1],
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": input_uri}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": output}},
        "timeoutDurationInHours": _hours(spec.completion_window),
    }
    return bedrock_routes.submit(service, request, bedrock_params.parse_create(native))


def _upload_inline(service: BatchService, spec: CreateBody, output: str) -> str:
    where = parse_uri(output, "s3")
    assert where is not None
    bucket, prefix = where
    folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    key = folder + INLINE_NAME.format(n=len(service.list_batches({"bedrock"})) + 1)
    data = jsonl.lines(
        {
            "recordId": item["custom_id"],
            "modelInput": item.get("params")
            if item.get("params") is not None
            else item.get("body"),
        }
        for item in spec.requests or []
    )
    service.objects.put_anyway(bucket, key, data, service.now(), "application/jsonl")
    return f"s3://{bucket}/{key}"


# -- Vertex (newer upstream: core/providers/vertex/batch.go) ----------------------------------
# Inline lines are `{"request": ...}`: Gemini bodies (OpenAI `messages` converted to
# `contents`) carry the custom_id in the request label `bifrost_custom_id`; Claude bodies carry
# a top-level `custom_id`, `anthropic_version: vertex-2023-10-16` and no `model`. A bare model
# name becomes `publishers/{anthropic|google}/models/<name>` (batch_conversion_test.go).
CUSTOM_ID_LABEL = "bifrost_custom_id"
VERTEX_PARENT = "projects/bifrost-project/locations/us-central1"  # [I] Bifrost's key config


def vertex_model(model: str) -> str:
    if "/" in model:
        return model
    publisher = "anthropic" if "claude" in model else "google"
    return f"publishers/{publisher}/models/{model}"


def create_vertex(
    service: BatchService, request: Request, spec: CreateBody, raw: dict[str, Any]
) -> View:
    output = raw.get("output_gcs_uri")  # [I] the key Bifrost reads the output prefix from
    if not isinstance(output, str) or parse_uri(output, "gs") is None:
        raise BifrostError("output_gcs_uri is required for Vertex batch API", provider="vertex")
    if not spec.model:
        raise BifrostError("model is required for Vertex batch API", provider="vertex")
    model = vertex_model(split_model(spec.model)[1])
    source = spec.input_file_id or _upload_vertex(service, spec, output, model)
    body = {
        "displayName": (spec.metadata or {}).get("job_name") or "bifrost-batch",
        "model": model,
        "inputConfig": {"instancesFormat": "jsonl", "gcsSource": {"uris": [source]}},
        "outputConfig": {
            "predictionsFormat": "jsonl",
            "gcsDestination": {"outputUriPrefix": output},
        },
    }
    return vertex_routes.submit(service, request, vertex_params.parse_create(body), VERTEX_PARENT)


def _vertex_line(item: dict[str, Any], claude: bool) -> dict[str, Any]:
    body = item.get("body") if item.get("body") is not None else item.get("params")
    body = dict(body) if isinstance(body, dict) else {}
    if claude:
        body.pop("model", None)
        body.setdefault("anthropic_version", vertex_params.CLAUDE_VERSION)
        return {"custom_id": item["custom_id"], "request": body}
    native = convert.to_gemini(body) if "messages" in body else body
    given = native.get("labels") or {}
    if not isinstance(given, dict):  # dict("x") raised here: a 500 [I: Bifrost's map type]
        raise BifrostError("labels must be an object of string values", provider="vertex")
    labels = dict(given)
    labels[CUSTOM_ID_LABEL] = item["custom_id"]
    return {"request": {**native, "labels": labels}}


def _upload_vertex(service: BatchService, spec: CreateBody, output: str, model: str) -> str:
    where = parse_uri(output, "gs")
    assert where is not None
    bucket, prefix = where
    folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    key = folder + INLINE_NAME.format(n=len(service.list_batches({"vertex"})) + 1)
    claude = "/anthropic/" in model
    data = jsonl.lines(_vertex_line(item, claude) for item in spec.requests or [])
    service.objects.put_anyway(bucket, key, data, service.now(), "application/jsonl")
    return f"gs://{bucket}/{key}"
