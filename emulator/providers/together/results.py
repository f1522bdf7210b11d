"""Together's batch output and error files. Pure (no HTTP): the core calls `render_files`
through the provider's profile.

Line shape as OpenAI's `{id, custom_id, response{status_code, body}, error}`; the recorded
output (together-cookbook Batch_Inference_Evals.ipynb, 4,326 lines read back into a table) has
`id`, `custom_id`, `response{status_code, body}`, line ids `br_` + 43 base64url characters.
Successes only in the output file, failures in the error file (docs), and a COMPLETED batch
has an error file even when nothing failed (recorded three times, fixtures/recorded/together/).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable, Iterator

from emulator.core.batch import View
from emulator.core.ids import digest
from emulator.core.outputs import ItemResult
from emulator.core.states import BatchState
from emulator.providers.openai import results as openai
from emulator.providers.together.identity import uuid4


def line_id(core_id: str) -> str:
    """`br_` and 32 seeded bytes in unpadded base64url (`br_bJdmq2ZaOJVtnquDCyMUaZBX…`)."""
    return "br_" + base64.urlsafe_b64encode(digest("together", core_id, size=32)).decode()[:43]


def file_id(batch_id: str, kind: str) -> str:
    """`file-` and a UUID, like every Together file id recorded (`file-94924b8e-ac08-…`)."""
    return "file-" + uuid4(batch_id, kind)


def _together(results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    """Chat bodies carry `prompt` (a list; the SDK type requires it) [S]."""
    for result in results:
        body = result.body
        if body is not None and "choices" in body:
            body = {"prompt": [], **body}
        yield dataclasses.replace(result, body=body, line_id=line_id(result.line_id))


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    output, errors = openai.render_files(view, _together(results))
    if view.state is BatchState.COMPLETED and errors is None:
        errors = b""  # recorded: error_file_id is set on COMPLETED batches with no failures
    return output, errors
