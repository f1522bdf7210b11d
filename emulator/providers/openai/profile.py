"""OpenAI's lifecycle rules for the core: result files in finishing order, a visible cancel."""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.openai.results import render_files

OPERATIONS = frozenset(
    {
        "files.create",
        "files.list",
        "files.retrieve",
        "files.delete",
        "files.content",
        "batches.create",
        "batches.list",
        "batches.retrieve",
        "batches.cancel",
        "unrouted",
    }
)
# Output/error files expire 30 days after they are made unless the batch asked otherwise
# (`output_expires_after`); files are made when the batch finishes (reference: openai-batch.md).
# The client verdict's reading of OpenAI: status by retrieve, results and failures as two files.
DOOR = Door(status=frozenset({"batches.retrieve"}), files=frozenset({"files.content"}))
KEEPING = Keeping(
    results_hint="download output_file_id with files.content",
    failures_apart=True,
    poll_source="openai-python's own polling helpers (files.wait_for_processing) wait 5 s",
)
PROFILE = Profile(
    name="openai",
    operations=OPERATIONS,
    render_files=render_files,
    results_operation="files.content",
    door=DOOR,
    keeping=KEEPING,
)
