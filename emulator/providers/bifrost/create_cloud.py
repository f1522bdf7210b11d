"""Bifrost's unified create for the cloud providers: Bedrock (and Vertex, newer upstream).

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
from emulator.providers.bifrost.errors import BifrostError
from emulator.providers.bifrost.providers import split_model

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
