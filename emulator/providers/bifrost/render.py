"""Pure mapping from a core batch view to Bifrost's unified batch object, per routed provider.

Bifrost's Go structs use `omitempty` pointers, so an unset field is absent (never null); the
published schema has no nullable fields either, so dropping `None` serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.core import jsonsafe
from emulator.core.batch import View
from emulator.core.errors import EmulatorError
from emulator.core.service import BatchService
from emulator.core.states import TERMINAL
from emulator.providers.anthropic import dialect as anthropic_dialect
from emulator.providers.azure import dialect as azure_dialect
from emulator.providers.bedrock import dialect as bedrock_dialect
from emulator.providers.bifrost.providers import Mode
from emulator.providers.gemini import dialect as gemini_dialect
from emulator.providers.openai import routes as openai_routes
from emulator.providers.vertex import dialect as vertex_dialect

CREATE_KEYS = frozenset(
    [
        "id",
        "object",
        "endpoint",
        "input_file_id",
        "completion_window",
        "status",
        "request_counts",
        "metadata",
        "created_at",
        "expires_at",
        "output_file_id",
        "error_file_id",
        "processing_status",
        "results_url",
        "operation_name",
    ]
)
CANCEL_KEYS = frozenset(
    ["id", "object", "status", "request_counts", "cancelling_at", "cancelled_at"]
)

# The native state names are the providers' own tables: one per provider, whatever the door.
ANTHROPIC_NATIVE = anthropic_dialect.STATUS
ANTHROPIC_UNIFIED = {"in_progress": "in_progress", "canceling": "cancelling", "ended": "ended"}
GEMINI_NATIVE = gemini_dialect.STATE
GEMINI_UNIFIED = {
    "BATCH_STATE_PENDING": "in_progress",
    "BATCH_STATE_RUNNING": "in_progress",
    "BATCH_STATE_SUCCEEDED": "completed",
    "BATCH_STATE_FAILED": "failed",
    "BATCH_STATE_CANCELLING": "cancelling",
    "BATCH_STATE_CANCELLED": "cancelled",
    "BATCH_STATE_EXPIRED": "expired",
}


@dataclass(frozen=True)
class Call:
    """One Bifrost call: where it is routed, what it is, and which behaviour mode applies."""

    service: BatchService
    provider: str
    request_type: str
    mode: Mode
    base: str  # absolute URL of the Bifrost surface (for results_url)

    def extra(self) -> dict[str, Any]:
        # latency is the upstream call's time in Bifrost; the emulator has no upstream, and a
        # constant keeps bodies byte-identical across runs.
        return {
            "request_type": self.request_type,
            "provider": self.provider,
            "latency": 0,
            "chunk_index": 0,
        }

    def spell(self, status: str) -> str:
        """Bifrost sends `cancelled`; the published schema's enum says `canceled`."""
        return "canceled" if self.mode == "schema" and status == "cancelled" else status


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _ts(value: float | None) -> int | None:
    return None if value is None else int(value)


def openai_fields(call: Call, view: View) -> dict[str, Any]:
    return _openai_shaped(call, openai_routes.render(call.service, view))


def azure_fields(call: Call, view: View) -> dict[str, Any]:
    """Bifrost reads Azure's batch as an OpenAI one (reference more-providers §5)."""
    return _openai_shaped(call, azure_dialect.batch_to_wire(view))


def _openai_shaped(call: Call, wire: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = _compact(wire)
    out.pop("model", None)
    out.pop("usage", None)
    if not out.get("input_file_id"):
        out.pop("input_file_id", None)
    out["status"] = call.spell(out["status"])
    return out


def anthropic_counts(call: Call, view: View) -> dict[str, int]:
    c = view.counts
    hold = view.state not in TERMINAL and not call.service.config.incremental_counts
    pending = c.total if hold else c.processing
    succeeded, errored = (0, 0) if hold else (c.succeeded, c.errored)
    counts = {"total": c.total, "completed": succeeded, "failed": errored}
    optional = (("succeeded", succeeded), ("expired", c.expired), ("canceled", c.canceled))
    for key, value in (*optional, ("pending", pending)):
        if value:
            counts[key] = value
    return counts


def anthropic_fields(call: Call, view: View) -> dict[str, Any]:
    batch, m = view.batch, view.moment
    native = ANTHROPIC_NATIVE[view.state]
    out: dict[str, Any] = {
        "id": batch.id,
        "object": "batch",
        "status": ANTHROPIC_UNIFIED[native],
        "processing_status": native,
        "request_counts": anthropic_counts(call, view),
        "created_at": int(batch.plan.created_at),
        "expires_at": int(batch.plan.expires_at),
        "cancelling_at": _ts(m.cancelling_at),
    }
    if native == "ended":
        out["completed_at"] = _ts(m.ended_at)
        out["results_url"] = f"{call.base}/anthropic/v1/messages/batches/{batch.id}/results"
    return _compact(out)  # type: ignore[no-any-return]


def gemini_counts(view: View) -> dict[str, int]:
    c = view.counts
    completed = c.total - c.processing
    counts = {"total": c.total, "completed": completed, "failed": completed - c.succeeded}
    if c.succeeded:
        counts["succeeded"] = c.succeeded
    if c.processing:
        counts["pending"] = c.processing
    return counts


def gemini_fields(call: Call, view: View) -> dict[str, Any]:
    batch, name = view.batch, "batches/" + view.batch.id
    native = GEMINI_NATIVE[view.state]
    return {
        "id": name,
        "object": "batch",
        "status": call.spell(GEMINI_UNIFIED[native]),
        "created_at": int(batch.plan.created_at),
        "operation_name": name,
        "done": view.state in TERMINAL,
        "request_counts": gemini_counts(view),
    }


# Bedrock native -> unified (`core/providers/bedrock/batch.go`, reference bifrost-batch §4.2):
# PartiallyCompleted reads as `failed`.
BEDROCK_UNIFIED = {
    "Submitted": "validating",
    "Validating": "validating",
    "Scheduled": "validating",
    "InProgress": "in_progress",
    "Completed": "completed",
    "Failed": "failed",
    "PartiallyCompleted": "failed",
    "Stopping": "cancelling",
    "Stopped": "cancelled",
    "Expired": "expired",
}


def _manifest(call: Call, view: View) -> dict[str, Any]:
    """Bifrost reads the counts from `manifest.json.out` (none before the job has ended)."""
    for uri in view.batch.extra.get("output_objects", []):
        if uri.endswith("/manifest.json.out"):
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            try:  # in the user's bucket: gone or overwritten reads as no counts, not a 500
                found = jsonsafe.loads_strict(call.service.objects.get(bucket, key).data)
            except (ValueError, EmulatorError):
                return {}
            return found if isinstance(found, dict) else {}
    return {}


def _count(manifest: dict[str, Any], key: str) -> int:
    value = manifest.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def bedrock_fields(call: Call, view: View) -> dict[str, Any]:
    """id = jobArn; `completed_at` = endTime whatever the state; counts from the manifest."""
    wire = bedrock_dialect.job_to_wire(view)
    made = _manifest(call, view)
    errors = _count(made, "errorRecordCount")
    out = {
        "id": wire["jobArn"],
        "object": "batch",
        "status": call.spell(BEDROCK_UNIFIED[wire["status"]]),
        "metadata": {"job_name": wire["jobName"], "model_id": wire["modelId"]},
        "input_file_id": wire["inputDataConfig"]["s3InputDataConfig"]["s3Uri"],
        "output_file_id": wire["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"],
        "created_at": int(view.batch.plan.created_at),
        "completed_at": _ts(view.moment.ended_at),
        "expires_at": int(view.batch.plan.expires_at),
        "request_counts": {
            "total": _count(made, "totalRecordCount"),
            "completed": _count(made, "processedRecordCount") - errors,
            "failed": errors,
        },
    }
    return _compact(out)  # type: ignore[no-any-return]


# Vertex JOB_STATE_* -> unified (`vertexJobStateToBatchStatus`, newer upstream; reference
# bifrost-batch §4.2): PARTIALLY_SUCCEEDED reads `completed`.
VERTEX_UNIFIED = {
    "JOB_STATE_QUEUED": "validating",
    "JOB_STATE_PENDING": "validating",
    "JOB_STATE_RUNNING": "in_progress",
    "JOB_STATE_SUCCEEDED": "completed",
    "JOB_STATE_PARTIALLY_SUCCEEDED": "completed",
    "JOB_STATE_FAILED": "failed",
    "JOB_STATE_CANCELLING": "cancelling",
    "JOB_STATE_CANCELLED": "cancelled",
    "JOB_STATE_EXPIRED": "expired",
}
VERTEX_END_KEY = {
    "completed": "completed_at",
    "failed": "failed_at",
    "cancelled": "cancelled_at",
    "expired": "expired_at",
}


def vertex_fields(call: Call, view: View) -> dict[str, Any]:
    """`vertexBatchJobToBifrost`: id = the job's resource name; counts from completionStats
    (total = successful + failed + incomplete); the end time under the field of its status."""
    wire = vertex_dialect.job_to_wire(view)
    status = VERTEX_UNIFIED[wire["state"]]
    out: dict[str, Any] = {
        "id": wire["name"],
        "object": "batch",
        "status": call.spell(status),
        "created_at": int(view.batch.plan.created_at),
        "display_name": wire.get("displayName"),
        "input_file_id": wire["inputConfig"]["gcsSource"]["uris"][0],
        "output_file_id": wire.get("outputInfo", {}).get("gcsOutputDirectory"),
        "in_progress_at": _ts(view.moment.in_progress_at if "startTime" in wire else None),
    }
    if "endTime" in wire and status in VERTEX_END_KEY:
        out[VERTEX_END_KEY[status]] = _ts(view.moment.ended_at)
    stats = wire.get("completionStats")
    if stats:
        done, failed = int(stats["successfulCount"]), int(stats["failedCount"])
        total = done + failed + int(stats["incompleteCount"])
        out["request_counts"] = {"total": total, "completed": done, "failed": failed}
    if "error" in wire:
        error = wire["error"]
        out["errors"] = {"data": [{"code": str(error["code"]), "message": error["message"]}]}
    return _compact(out)  # type: ignore[no-any-return]


FIELDS = {
    "vertex": vertex_fields,
    "bedrock": bedrock_fields,
    "openai": openai_fields,
    "anthropic": anthropic_fields,
    "gemini": gemini_fields,
    "azure": azure_fields,
}


def batch_object(call: Call, view: View, keys: frozenset[str] | None = None) -> dict[str, Any]:
    """The unified object (retrieve shape), narrowed to `keys` for create and cancel."""
    out = FIELDS[call.provider](call, view)
    if keys is not None:
        out = {k: v for k, v in out.items() if k in keys}
    out["extra_fields"] = call.extra()
    return out
