"""Mistral's lifecycle rules for the core.

A visible CANCELLATION_REQUESTED phase before CANCELLED (the SDK's batch helper treats it as in
flight, reference more-providers §3.3); a job is deleted only once it has ended [I]; result
files in finishing order [I: no order is documented].
"""

from __future__ import annotations

from emulator.core.ids import uuid_id
from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.mistral.results import file_id, render_files

OPERATIONS = frozenset(
    {
        "files.upload",
        "files.list",
        "files.retrieve",
        "files.delete",
        "files.download",
        "files.get_signed_url",
        "batch.jobs.create",
        "batch.jobs.list",
        "batch.jobs.get",
        "batch.jobs.delete",
        "batch.jobs.cancel",
    }
)
PROFILE = Profile(
    name="mistral",
    operations=OPERATIONS,
    render_files=render_files,
    file_id=file_id,
    delete_needs_end=True,
    batch_id=uuid_id,  # job ids are UUIDs (docs.mistral.ai)
    results_operation="files.download",
    # mistralai (Speakeasy) honours Retry-After and retry-after-ms when retries are configured
    # (client/utils/retries.py), never x-should-retry.
    unread_fault_options=frozenset({"should_retry"}),
    unread_hint="mistralai never reads x-should-retry; use retry_after or retry_after_ms",
    door=Door(status=frozenset({"batch.jobs.get"}), files=frozenset({"files.download"})),
    keeping=Keeping(
        results_hint="download output_file with files.download",
        failures_apart=True,
        poll_every=30.0,
        poll_source="mistralai's BatchClient.wait polls every 30 s (poll_interval_seconds)",
    ),
)
