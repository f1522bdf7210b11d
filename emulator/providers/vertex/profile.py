"""Vertex batch prediction's lifecycle rules for the core: results go to GCS objects; cancel
passes through CANCELLING; lines come out in input order [I]; only an ended job is deleted [I].
"""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.gemini.codes import RPC_CODE
from emulator.providers.vertex.dialect import job_id
from emulator.providers.vertex.results import render_objects

OPERATIONS = frozenset(
    {
        "batchPredictionJobs.create",
        "batchPredictionJobs.get",
        "batchPredictionJobs.list",
        "batchPredictionJobs.cancel",
        "batchPredictionJobs.delete",
    }
)
PROFILE = Profile(
    name="vertex",
    operations=OPERATIONS,
    render_objects=render_objects,
    batch_id=job_id,
    result_order="input",
    delete_needs_end=True,
    unread_fault_options=frozenset({"retry_after_ms", "should_retry"}),
    unread_hint="google-genai never reads these headers; use retry_after or retry_options",
    error_status_names=tuple(RPC_CODE),
    door=Door(status=frozenset({"batchPredictionJobs.get"})),
    keeping=Keeping(
        results_hint="read predictions.jsonl under outputInfo.gcsOutputDirectory",
        poll_every=30.0,
        poll_source="Google's batch prediction samples wait 30 s between gets [I]",
    ),
)
