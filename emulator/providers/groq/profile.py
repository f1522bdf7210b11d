"""Groq's lifecycle rules for the core: OpenAI's (the API is OpenAI-compatible), with Groq's
result bodies; states and transitions as OpenAI's [S for the strings, I for the transitions]."""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.groq.results import file_id, render_files, ulid_id

OPERATIONS = frozenset(
    {
        "files.create",
        "files.list",
        "files.info",
        "files.delete",
        "files.content",
        "batches.create",
        "batches.list",
        "batches.retrieve",
        "batches.cancel",
    }
)
PROFILE = Profile(
    name="groq",
    operations=OPERATIONS,
    render_files=render_files,
    file_id=file_id,
    batch_id=lambda core: ulid_id("batch_", core),  # recorded: batch_01jh6xa7reempvjyh6n3yst2zw
    results_operation="files.content",
    door=Door(status=frozenset({"batches.retrieve"}), files=frozenset({"files.content"})),
    keeping=Keeping(
        results_hint="download output_file_id with files.content",
        failures_apart=True,
        poll_source="[I] no Groq polling example read; OpenAI's 5 s",
    ),
)
