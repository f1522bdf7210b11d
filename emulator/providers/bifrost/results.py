"""`GET /v1/batches/{id}/results`: every item in one response, in the routed provider's flavour.

OpenAI items are read back from the output file, the way Bifrost downloads `output_file_id`
(it never reads `error_file_id`); Anthropic items carry `result{type, message}`; Gemini bodies
are Bifrost's simplified `{text, finish_reason, usage}`.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.core import jsonsafe
from emulator.core.batch import View
from emulator.core.outputs import ItemResult
from emulator.providers.bedrock.dialect import arn as bedrock_arn
from emulator.providers.bifrost.errors import not_ready
from emulator.providers.bifrost.render import GEMINI_NATIVE, Call

OPENAI_EMPTY = "batch results not available: output_file_id is empty (batch may not be completed)"


def _lines(call: Call, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    data = call.service.get_file(file_id).data
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def _openai_item(line: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"custom_id": line["custom_id"]}
    response = line.get("response")
    if response:
        item["response"] = {k: v for k, v in response.items() if v is not None}
    error = line.get("error")
    if error:
        item["error"] = {k: error[k] for k in ("code", "message") if error.get(k) is not None}
    return item


def _ended(call: Call, view: View) -> list[ItemResult]:
    """The core's results, in the batch's one order; it refuses an unfinished batch."""
    return call.service.ended_results(view.batch.id, {view.batch.dialect})[1]


def openai_items(call: Call, view: View) -> list[dict[str, Any]]:
    batch = view.batch
    if call.mode == "wire":  # Bifrost only looks at output_file_id, whatever the status
        if batch.output_file_id is None:
            raise not_ready(OPENAI_EMPTY, call.provider, call.request_type, 500)
        return [_openai_item(x) for x in _lines(call, batch.output_file_id)]
    _ended(call, view)
    lines = _lines(call, batch.output_file_id) + _lines(call, batch.error_file_id)
    return [_openai_item(x) for x in lines]


def anthropic_items(call: Call, view: View) -> list[dict[str, Any]]:
    items = []
    for result in _ended(call, view):
        result_data: dict[str, Any] = {"type": str(result.outcome)}
        item: dict[str, Any] = {"custom_id": result.custom_id, "result": result_data}
        if result.body is not None:
            result_data["message"] = result.body
        if result.error is not None:
            item["error"] = {"code": result.error.type, "message": result.error.message}
        items.append(item)
    return items


def simplify_gemini(body: dict[str, Any]) -> dict[str, Any]:
    """Bifrost keeps only the first candidate's text, its finish reason and the token usage."""
    candidate = (body.get("candidates") or [{}])[0]
    parts = (candidate.get("content") or {}).get("parts") or []
    usage = body.get("usageMetadata") or {}
    out = {
        "text": "".join(str(p.get("text", "")) for p in parts),
        "usage": {
            "prompt_tokens": usage.get("promptTokenCount", 0),
            "completion_tokens": usage.get("candidatesTokenCount", 0),
            "total_tokens": usage.get("totalTokenCount", 0),
        },
    }
    if candidate.get("finishReason"):
        out["finish_reason"] = candidate["finishReason"]
    return out


def gemini_items(call: Call, view: View) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for result in _ended(call, view):
        if result.body is not None:
            response = {"status_code": 200, "body": simplify_gemini(result.body)}
            items.append({"custom_id": result.custom_id, "response": response})
        elif result.error is not None:
            error = {"code": str(result.error.status), "message": result.error.message}
            items.append({"custom_id": result.custom_id, "error": error})
    if not items:  # Bifrost's stand-in when a finished job produced no output at all
        native = GEMINI_NATIVE[view.state]
        message = f"batch batches/{view.batch.id} finished in state {native} with no results"
        items.append({"custom_id": "info", "error": {"code": native, "message": message}})
    return items


def bedrock_items(call: Call, view: View) -> list[dict[str, Any]]:
    """Bifrost lists the S3 output prefix and parses every `*.jsonl.out`: `custom_id` =
    recordId, `response.body` = modelOutput, errors as `{code: "<errorCode>", message}`."""
    _ended(call, view)
    items: list[dict[str, Any]] = []
    for uri in view.batch.extra.get("output_objects", []):
        if not uri.endswith(".jsonl.out"):
            continue
        items.extend(_bedrock_item(line) for line in _object_lines(call, uri, "s3://"))
    return items


def _object_lines(call: Call, uri: str, scheme: str) -> list[dict[str, Any]]:
    """The JSON-object lines of an output object. It sits in the user's own bucket, where the
    user may have overwritten it: a line that is not an object is skipped, not a 500."""
    bucket, _, key = uri.removeprefix(scheme).partition("/")
    out = []
    for raw in call.service.objects.get(bucket, key).data.splitlines():
        try:
            line = jsonsafe.loads_strict(raw)
        except ValueError:
            continue
        if isinstance(line, dict):
            out.append(line)
    return out


def _bedrock_item(line: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"custom_id": line.get("recordId")}
    error = line.get("error")
    if isinstance(error, dict):
        code = error.get("errorCode")
        item["response"] = {"status_code": code}
        item["error"] = {"code": str(code), "message": error.get("errorMessage")}
    else:
        item["response"] = {"status_code": 200, "body": line.get("modelOutput")}
    return item


def vertex_items(call: Call, view: View) -> list[dict[str, Any]]:
    """`predictions.jsonl` parsed [I: Bifrost's Vertex results code is not recorded]: the
    custom_id from `custom_id` (Claude) or the `bifrost_custom_id` request label (Gemini)."""
    _ended(call, view)
    items: list[dict[str, Any]] = []
    for uri in view.batch.extra.get("output_objects", []):
        lines = _object_lines(call, uri, "gs://")
        items.extend(_vertex_item(line, number) for number, line in enumerate(lines))
    return items


def _vertex_item(line: dict[str, Any], number: int) -> dict[str, Any]:
    request = line.get("request")
    labels = request.get("labels") if isinstance(request, dict) else None
    labelled = labels.get("bifrost_custom_id") if isinstance(labels, dict) else None
    custom = line.get("custom_id") or labelled or f"request-{number}"
    if "response" in line:
        return {"custom_id": custom, "response": {"status_code": 200, "body": line["response"]}}
    return {"custom_id": custom, "error": {"code": "400", "message": str(line.get("status"))}}


# Azure's results are read from its output file exactly as OpenAI's (reference §5).
ITEMS = {
    "vertex": vertex_items,
    "bedrock": bedrock_items,
    "openai": openai_items,
    "anthropic": anthropic_items,
    "gemini": gemini_items,
    "azure": openai_items,
}


def results_body(call: Call, view: View) -> dict[str, Any]:
    batch_id = ("batches/" if call.provider == "gemini" else "") + view.batch.id
    if call.provider == "bedrock":  # the ARN the client knows the job by
        batch_id = bedrock_arn(view.batch.extra["region"], view.batch.id)
    if call.provider == "vertex":  # the job's resource name
        batch_id = f"{view.batch.extra['parent']}/batchPredictionJobs/{view.batch.id}"
    body: dict[str, Any] = {"batch_id": batch_id, "results": ITEMS[call.provider](call, view)}
    if call.mode == "schema":
        body["has_more"] = False
    body["extra_fields"] = call.extra()
    return body
