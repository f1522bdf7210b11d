"""S3's profile: no batch lifecycle, only the operation names its routes serve, so fault
rules can aim at them (`HttpFault(dialect="s3", operation="s3.PutObject")`)."""

from __future__ import annotations

from emulator.core.profile import Door, Profile

OPERATIONS = frozenset(
    {
        "s3.CreateBucket",
        "s3.ListObjectsV2",
        "s3.DeleteBucket",
        "s3.PutObject",
        "s3.GetObject",
        "s3.DeleteObject",
        "s3.MultipartUpload",
    }
)
PROFILE = Profile(
    name="s3",
    operations=OPERATIONS,
    unread_fault_options=frozenset({"retry_after_ms", "should_retry"}),
    unread_hint="botocore never reads these headers; use the status or error_type",
    # Downloading a Bedrock job's output object reads its results (the client verdict).
    door=Door(results=frozenset({"s3.GetObject"})),
)
