"""A batchPredictionJobs create body, checked, and its JSONL input read from the store.

google-genai sends `{displayName, model, inputConfig{instancesFormat, gcsSource{uris}} |
{bigquerySource}, outputConfig{predictionsFormat, gcsDestination{outputUriPrefix}} |
{bigqueryDestination}}` (`_CreateBatchJobParameters_to_vertex`, reference §2.1). BigQuery is
refused with a 400: this emulator serves GCS only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.core import jsonsafe
from emulator.core.batch import Item, LineError
from emulator.core.errors import invalid
from emulator.core.objects import ObjectStore, parse_uri

# Model families this emulator generates for, by publisher (`publishers/<p>/models/<m>`).
PUBLISHERS = {"google": "gemini/generateContent", "anthropic": "anthropic/messages"}
CLAUDE_VERSION = "vertex-2023-10-16"  # cloud.google.com .../partner-models/claude-batch
BIGQUERY = (
    "BigQuery sources and destinations are not supported by batch-emulator: use a gs:// "
    "JSONL input (gcsSource.uris) and a gs:// output prefix (gcsDestination.outputUriPrefix)."
)


@dataclass
class Create:
    request: dict[str, Any]
    endpoint: str
    uris: list[str]
    output_uri: str


@dataclass
class Input:
    items: list[Item] = field(default_factory=list)
    keys: list[dict[str, Any] | None] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def endpoint_for(model: str) -> str | None:
    parts = model.split("/")
    if len(parts) >= 4 and parts[-4] == "publishers" and parts[-2] == "models":
        return PUBLISHERS.get(parts[-3])
    return None


def parse_create(body: Any) -> Create:
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received.")
    source, dest = body.get("inputConfig") or {}, body.get("outputConfig") or {}
    if not isinstance(source, dict) or not isinstance(dest, dict):
        raise invalid("inputConfig and outputConfig must be objects.")
    if "bigquerySource" in source or "bigqueryDestination" in dest:
        raise invalid(BIGQUERY)
    model = body.get("model")
    endpoint = endpoint_for(model) if isinstance(model, str) else None
    if endpoint is None:
        raise invalid(
            f"Publisher model `{str(model)[:200]}` is not supported for batch prediction."
        )
    uris = _inner(source, "gcsSource").get("uris")
    if not isinstance(uris, list) or not uris or not all(_gs(u) for u in uris):
        raise invalid("inputConfig.gcsSource.uris must name at least one gs:// object.")
    out = _inner(dest, "gcsDestination").get("outputUriPrefix")
    if not isinstance(out, str) or not _gs(out):
        raise invalid("outputConfig.gcsDestination.outputUriPrefix must be a gs:// URI.")
    _check_types(body)
    kept = ("displayName", "model", "inputConfig", "outputConfig", "labels")
    return Create({k: body[k] for k in kept if k in body}, endpoint, uris, out)


def _check_types(body: dict[str, Any]) -> None:
    """`displayName` is a string and `labels` a map of strings (BatchPredictionJob's proto
    types); Google's JSON mapping refuses anything else with this wording."""
    name, labels = body.get("displayName"), body.get("labels")
    if name is not None and not isinstance(name, str):
        raise invalid(
            f"Invalid value at 'batch_prediction_job.display_name' (TYPE_STRING), {str(name)[:100]}"
        )
    if labels is not None and not (
        isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())
    ):
        raise invalid(f"Invalid value at 'batch_prediction_job.labels', {str(labels)[:100]}")


def _inner(block: dict[str, Any], name: str) -> dict[str, Any]:
    """A nested object of the body, or {} when it is missing or not an object (a string there
    must be the 400 below, not an AttributeError)."""
    value = block.get(name)
    return value if isinstance(value, dict) else {}


def _gs(uri: Any) -> bool:
    return isinstance(uri, str) and parse_uri(uri, "gs") is not None


def read(store: ObjectStore, uris: list[str], claude: bool, max_lines: int) -> Input:
    out = Input()
    for uri in uris:
        where = parse_uri(uri, "gs")
        found = [] if where is None else store.jsonl_inputs(*where)
        if not found:
            out.errors.append(LineError("invalid_input", f"No input found at {uri}."))
            return out
        for obj in found:
            _parse(obj.data, out, claude)
            if out.errors:
                return out
    if len(out.items) > max_lines:
        out.errors.append(LineError("too_many", f"More than {max_lines} requests in one job."))
    return out


def _parse(data: bytes, out: Input, claude: bool) -> None:
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = jsonsafe.loads_strict(raw)  # depth-limited: a deeper line fails, not renders
        except ValueError:
            line = None
        request = line.get("request") if isinstance(line, dict) else None
        if not isinstance(line, dict) or not isinstance(request, dict):
            out.errors.append(
                LineError(
                    "invalid_line",
                    f"Line {number}: expected a JSON object with a `request` object.",
                    line=number,
                )
            )
            return
        others = {k: v for k, v in line.items() if k not in ("request", "response", "status")}
        custom = others.get("custom_id") or others.get("key") or f"line-{number}"
        out.items.append(Item(str(custom), request, _claude_error(request) if claude else None))
        out.keys.append(others or None)


def _claude_error(request: dict[str, Any]) -> Any:
    """A Claude line without `anthropic_version: vertex-2023-10-16` fails on its own [I]."""
    from emulator.core.batch import ItemError

    if request.get("anthropic_version") == CLAUDE_VERSION:
        return None
    return ItemError(400, "invalid_request_error", f"anthropic_version: must be {CLAUDE_VERSION}")
