"""Together's lifecycle rules for the core: a visible CANCELING phase [I], results in
finishing order ("order not preserved", docs.together.ai), output files kept 30 days [I]."""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.together.identity import uuid4
from emulator.providers.together.results import file_id, render_files

OPERATIONS = frozenset(
    {
        "files.upload",
        "files.put",
        "files.upload_form",
        "whoami",
        "files.preprocess",
        "files.list",
        "files.retrieve",
        "files.delete",
        "files.content",
        "batches.create",
        "batches.list",
        "batches.retrieve",
        "batches.cancel",
    }
)
PROFILE = Profile(
    name="together",
    operations=OPERATIONS,
    render_files=render_files,
    file_id=file_id,
    results_operation="files.content",
    batch_id=uuid4,  # UUIDs, as the docs show and the cookbook recorded
    door=Door(status=frozenset({"batches.retrieve"}), files=frozenset({"files.content"})),
    keeping=Keeping(
        results_hint="download output_file_id with files.content",
        failures_apart=True,  # "failures only in the error file" (docs.together.ai)
        poll_source="[I] no Together polling helper; OpenAI's 5 s",
    ),
)
