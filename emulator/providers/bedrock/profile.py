"""Bedrock's lifecycle rules for the core: results go to S3 objects, not result files; a
stop passes through Stopping; records come out in no promised order (the docs disagree with
each other, reference §1.3, so `shuffle_results` applies)."""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.bedrock.dialect import job_id
from emulator.providers.bedrock.results import render_objects

OPERATIONS = frozenset(
    {
        "CreateModelInvocationJob",
        "GetModelInvocationJob",
        "ListModelInvocationJobs",
        "StopModelInvocationJob",
    }
)
PROFILE = Profile(
    name="bedrock",
    operations=OPERATIONS,
    render_objects=render_objects,
    batch_id=job_id,  # `[a-z0-9]{12}` (botocore's jobArn pattern)
    result_order="input",
    shuffle_option=True,
    recancel_ok=True,
    # botocore reads neither retry-after-ms nor x-should-retry (its retry handler keys on
    # the error code and status only).
    unread_fault_options=frozenset({"retry_after_ms", "should_retry"}),
    unread_hint="botocore never reads these headers; use the status or error_type",
    door=Door(status=frozenset({"GetModelInvocationJob"})),
    keeping=Keeping(
        results_hint="read <input>.jsonl.out and manifest.json.out under the output s3Uri",
        # A PartiallyCompleted or Expired job's records that never ran are absent from
        # `.jsonl.out`; only manifest.json.out's processedRecordCount < totalRecordCount says so
        # (AWS batch-inference-results page; reference bedrock-vertex §1.2-1.3).
        counts_object="manifest.json.out",
        poll_every=60.0,
        poll_source="AWS's batch inference samples poll get_model_invocation_job every 60 s [I]",
    ),
)
