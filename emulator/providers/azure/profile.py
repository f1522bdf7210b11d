"""Azure OpenAI's lifecycle rules for the core: OpenAI's, with Azure's result files.

Result files in finishing order ("order differs from input", reference more-providers §1.6), a
visible `cancelling` phase ("for up to 10 minutes", §1.5), output files kept 30 days unless the
batch asked otherwise (`output_expires_after`).
"""

from __future__ import annotations

from emulator.core.ids import uuid_id
from emulator.core.profile import Profile
from emulator.providers.azure.results import file_id, render_files
from emulator.providers.openai.profile import DOOR, KEEPING, OPERATIONS


def batch_id(core: str) -> str:
    """`batch_<uuid>`, as recorded in Microsoft's batch guide
    (`batch_6caaf24d-54a5-46be-b1b7-518884fcbdde`)."""
    return "batch_" + uuid_id("azure", core)


# The same SDK method names as OpenAI's; Azure has no catch-all route.
PROFILE = Profile(
    name="azure",
    operations=OPERATIONS - {"unrouted"},
    render_files=render_files,
    file_id=file_id,
    results_operation="files.content",
    # The client verdict reads Azure as OpenAI: the same SDK, the same two result files.
    door=DOOR,
    keeping=KEEPING,
    batch_id=batch_id,
)
