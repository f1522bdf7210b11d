"""`BatchCreateRequest` -> a core batch in the routed provider's own scope.

A batch created through Bifrost is stored exactly as the provider's own API would store it
(same dialect, id shape, result generator), so it is visible through either door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from emulator.core import jsonl
from emulator.core.batch import Item, LineError, View
from emulator.core.errors import not_found
from emulator.core.results.anthropic import ENDPOINT as ANTHROPIC_ENDPOINT
from emulator.core.results.gemini import ENDPOINT as GEMINI_ENDPOINT
from emulator.core.service import DAY, BatchService, NewBatch
from emulator.http import scenario_of, timing_of
from emulator.providers.anthropic import params as anthropic_params
from emulator.providers.azure import params as azure_params, routes as azure_routes
from emulator.providers.bifrost import convert, create_cloud
from emulator.providers.bifrost.errors import BifrostError, refused
from emulator.providers.bifrost.providers import split_model
from emulator.providers.gemini import params as gemini_params
from emulator.providers.openai import params, routes as openai_routes

CREATE = "batch_create"
BOTH = "provide either input_file_id or requests, not both"
NEITHER = "either input_file_id or requests is required"
GEMINI_DEFAULT_MODEL = "gemini-2.5-flash"


@dataclass(frozen=True)
class CreateBody:
    model: str | None
    input_file_id: str | None
    requests: list[dict[str, Any]] | None
    endpoint: str | None
    completion_window: str | None
    metadata: dict[str, str] | None
    # The raw body: Bifrost's Bedrock provider reads `role_arn` and `output_s3_uri` from it.
    raw: dict[str, Any] = field(default_factory=dict)


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise refused(f"invalid request format: {key} must be a string", CREATE)
    return value


def _requests(value: Any) -> list[dict[str, Any]] | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise refused("invalid request format: requests must be an array", CREATE)
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
            raise refused(f"requests[{index}].custom_id is required", CREATE)
    return value


def parse(body: Any) -> CreateBody:
    if not isinstance(body, dict):
        raise refused("invalid request format: the body must be a JSON object", CREATE)
    metadata = body.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        raise refused("invalid request format: metadata must map strings to strings", CREATE)
    return CreateBody(
        model=_optional_str(body, "model"),
        input_file_id=_optional_str(body, "input_file_id"),
        requests=_requests(body.get("requests")),
        endpoint=_optional_str(body, "endpoint"),
        completion_window=_optional_str(body, "completion_window"),
        metadata=metadata,
        raw=body,
    )


def check_inputs(spec: CreateBody) -> None:
    if spec.input_file_id and spec.requests:
        raise refused(BOTH, CREATE)
    if not spec.input_file_id and not spec.requests:
        raise refused(NEITHER, CREATE)


def create(service: BatchService, request: Request, provider: str, spec: CreateBody) -> View:
    check_inputs(spec)
    builder = {
        "openai": create_openai,
        "anthropic": create_anthropic,
        "gemini": create_gemini,
        "azure": create_azure,
        "bedrock": create_bedrock,
        "vertex": create_vertex,
    }
    return builder[provider](service, request, spec)


def create_bedrock(service: BatchService, request: Request, spec: CreateBody) -> View:
    return create_cloud.create_bedrock(service, request, spec, spec.raw)


def create_vertex(service: BatchService, request: Request, spec: CreateBody) -> View:
    return create_cloud.create_vertex(service, request, spec, spec.raw)


# -- OpenAI -------------------------------------------------------------------------------------
def create_openai(service: BatchService, request: Request, spec: CreateBody) -> View:
    """Inline requests become an uploaded `batch_requests.jsonl`, as Bifrost does."""
    if spec.endpoint is None:
        raise BifrostError("endpoint is required for OpenAI batch API", provider="openai")
    file_id = spec.input_file_id or _upload_inline(service, spec)
    raw: dict[str, Any] = {
        "input_file_id": file_id,
        "endpoint": spec.endpoint,
        "completion_window": spec.completion_window or "24h",
    }
    if spec.metadata is not None:
        raw["metadata"] = spec.metadata
    return openai_batch(service, request, params.parse_create(raw))


def openai_batch(service: BatchService, request: Request, p: params.CreateParams) -> View:
    """The OpenAI dialect's own create, given parameters it has already validated."""
    return openai_routes.submit(service, request, p, "openai")


def _with_model(body: Any, model: str | None) -> Any:
    """An inline Azure line without a model names the `azure/<deployment>` of the create [I]."""
    if model is None or not isinstance(body, dict):
        return body
    return {"model": model, **body}


def _upload_inline(
    service: BatchService, spec: CreateBody, scope: str = "openai", model: str | None = None
) -> str:
    data = jsonl.lines(
        {
            "custom_id": item["custom_id"],
            "method": item.get("method") or "POST",
            "url": item.get("url") or spec.endpoint,
            "body": _with_model(
                item.get("body") if item.get("body") is not None else item.get("params"), model
            ),
        }
        for item in spec.requests or []
    )
    stored = service.add_file(scope, "batch_requests.jsonl", "batch", data, expires_after=30 * DAY)
    return stored.id


# -- Azure --------------------------------------------------------------------------------------
def create_azure(service: BatchService, request: Request, spec: CreateBody) -> View:
    """As Bifrost's Azure provider: window defaults to `24h`, the endpoint passes through, and
    inline requests are uploaded first (purpose `batch`); `azure/<deployment>` names the
    deployment of inline lines that carry no model [I]."""
    if spec.endpoint is None:
        raise BifrostError("endpoint is required for Azure batch API", provider="azure")
    deployment = split_model(spec.model)[1] if spec.model else None
    file_id = spec.input_file_id or _upload_inline(service, spec, "azure", deployment)
    raw: dict[str, Any] = {
        "input_file_id": file_id,
        "endpoint": spec.endpoint,
        "completion_window": spec.completion_window or "24h",
    }
    if spec.metadata is not None:
        raw["metadata"] = spec.metadata
    return azure_routes.submit(service, request, azure_params.parse_create(raw))


# -- Anthropic ----------------------------------------------------------------------------------
def create_anthropic(service: BatchService, request: Request, spec: CreateBody) -> View:
    """Checked by the Anthropic dialect's own parser: same messages, same deferred item errors."""
    if not spec.requests:
        raise BifrostError(
            "requests array is required for Anthropic batch API", provider="anthropic"
        )
    native = [
        {"custom_id": r["custom_id"], "params": r.get("params", r.get("body"))}
        for r in spec.requests
    ]
    items = anthropic_params.parse_requests({"requests": native})
    return service.create_batch(
        NewBatch(
            dialect="anthropic",
            provider="anthropic",
            endpoint=ANTHROPIC_ENDPOINT,
            items=items,
            model=split_model(spec.model)[1] if spec.model else None,
            scenario=scenario_of(request, spec.metadata),
            timing=timing_of(request),
            id_prefix="msgbatch_",
        )
    )


# -- Gemini -------------------------------------------------------------------------------------
def _gemini_inline(spec: CreateBody) -> list[Item]:
    items = []
    for raw in spec.requests or []:
        body = raw.get("params") if raw.get("params") is not None else raw.get("body")
        native = convert.to_gemini(body if isinstance(body, dict) else {})
        contents = native.get("contents")
        runnable = isinstance(contents, list) and len(contents) > 0
        items.append(
            Item(raw["custom_id"], native, None if runnable else gemini_params.NO_CONTENTS)
        )
    return items


def create_gemini(service: BatchService, request: Request, spec: CreateBody) -> View:
    """Stored as the Gemini dialect stores a job: bare id, `files/<id>` input, per-item keys."""
    model = split_model(spec.model)[1] if spec.model else GEMINI_DEFAULT_MODEL
    model = model.removeprefix("models/") or GEMINI_DEFAULT_MODEL
    file_name: str | None = None
    errors: list[LineError] = []
    if spec.input_file_id:
        file_name = "files/" + spec.input_file_id.removeprefix("files/")
        stored = service.get_file(file_name.removeprefix("files/"))
        if stored.dialect != "gemini":
            raise not_found("Requested entity was not found.")
        parsed, errors = gemini_params.parse_jsonl(stored.data, service.config.max_batch_requests)
        items, keys = [r.item for r in parsed], [r.key for r in parsed]
    else:
        items = _gemini_inline(spec)
        keys = [item.custom_id for item in items]
    count = len(service.list_batches({"gemini"})) + 1
    return service.create_batch(
        NewBatch(
            dialect="gemini",
            provider="gemini",
            endpoint=GEMINI_ENDPOINT,
            items=items,
            model=f"models/{model}",
            errors=list(errors),
            input_file_id=file_name,
            scenario=scenario_of(request, spec.metadata),
            timing=timing_of(request),
            expires_after=2 * DAY,
            id_prefix="",
            extra={
                "display_name": f"bifrost-batch-{count}",
                "metadata": [None if file_name else {"key": k} for k in keys],
                "keys": keys,
            },
        )
    )
