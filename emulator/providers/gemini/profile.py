"""Gemini's lifecycle rules for the core.

Cancel is immediate (the batch API has no visible cancelling state: a cancelled job reads
BATCH_STATE_CANCELLED on the next get); responses come in request order (inline responses and
the responses file both follow the input); a file batch's responses file is named
`files/batch-<id>`; files live 48 hours ("Files are stored for 48 hours").
"""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile
from emulator.providers.gemini.codes import RPC_CODE
from emulator.providers.gemini.results import output_file_id, render_files

OPERATIONS = frozenset(
    {
        "batches.create",
        "batches.cancel",
        "batches.list",
        "batches.get",
        "batches.delete",
        "files.upload",
        "files.download",
        "files.list",
        "files.get",
        "files.delete",
    }
)
FILE_TTL = 48 * 3600.0


def _file_id(batch_id: str, kind: str) -> str:
    return output_file_id(batch_id)


PROFILE = Profile(
    name="gemini",
    operations=OPERATIONS,
    render_files=render_files,
    file_id=_file_id,
    output_ttl=FILE_TTL,
    instant_cancel=True,
    result_order="input",
    results_operation="files.download",
    # Only the Stainless-generated SDKs (openai, anthropic) read these headers.
    unread_fault_options=frozenset({"retry_after_ms", "should_retry"}),
    unread_hint="google-genai never reads these headers, so they cannot apply to the gemini "
    "dialect; use retry_after or the SDK's retry_options",
    error_status_names=tuple(RPC_CODE),
    # A file job's responses file (`files/batch-<id>`) is its output file.
    door=Door(status=frozenset({"batches.get"}), files=frozenset({"files.download"})),
    keeping=Keeping(
        results_hint="read dest.inlined_responses of the finished job, or download its "
        "dest.file_name",
        results_on_status=True,
        partial_output=False,  # a cancelled or expired Gemini job has no responses to read
        poll_every=30.0,
        poll_source="Google's batch mode guide waits 30 s between batches.get calls",
    ),
)
