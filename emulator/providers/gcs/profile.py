"""GCS's profile: no batch lifecycle, only the operation names its routes serve, so fault
rules can aim at them (`HttpFault(dialect="gcs", operation="objects.insert")`)."""

from __future__ import annotations

from emulator.core.profile import Door, Profile

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
    # Downloading a Vertex job's predictions.jsonl reads its results (the client verdict).
    door=Door(results=frozenset({"objects.get", "objects.download"})),
)
