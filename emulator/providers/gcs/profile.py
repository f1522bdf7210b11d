"""GCS's profile: no batch lifecycle, only the operation names its routes serve, so fault
rules can aim at them (`HttpFault(dialect="gcs", operation="objects.insert")`)."""

from __future__ import annotations

from emulator.core.profile import Profile

OPERATIONS = frozenset(
    {
        "buckets.insert",
        "buckets.get",
        "buckets.delete",
        "objects.list",
        "objects.get",
        "objects.delete",
        "objects.insert",
        "objects.resumable",
        "objects.download",
    }
)
PROFILE = Profile(
    name="gcs",
    operations=OPERATIONS,
    unread_fault_options=frozenset({"retry_after_ms", "should_retry"}),
    unread_hint="google-cloud-storage never reads these headers; use retry_after",
)
