"""A batch in its provider's own words: the status word and the id its SDK hands out.

The core speaks one neutral vocabulary (`BatchState`, bare ids); a user reads the SDK's words
(`ended`, `JOB_STATE_SUCCEEDED`, `SUCCESS`) and holds the SDK's ids (Gemini's `batches/...`).
`BatchInfo.status`, the serve log, the dashboard and every lookup by id (handle, control plane,
dashboard) go through here, so all of them accept and show what the user has in hand. The words
are the dialects' own mapping tables, never a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator.core.batch import View
from emulator.core.states import BatchState
from emulator.providers.anthropic import dialect as anthropic
from emulator.providers.bedrock import dialect as bedrock, status as bedrock_status
from emulator.providers.bifrost import render as bifrost
from emulator.providers.gemini import dialect as gemini
from emulator.providers.mistral import dialect as mistral
from emulator.providers.together import dialect as together
from emulator.providers.vertex import dialect as vertex

# Prefixes an SDK puts before the core id: Gemini's resource name `batches/<id>`, and the
# `batches-<id>` form Bifrost's OpenAI-compatible mount rewrites it to (bifrost.compat).
ID_PREFIXES = ("batches/", "batches-")
FILE_PREFIXES = ("files/", "files-")  # the same for Gemini's file names
# Full resource names whose last segment is the core id: Bedrock's job ARN
# (`arn:aws:bedrock:<region>:<account>:model-invocation-job/<id>`) and Vertex's
# `projects/<p>/locations/<l>/batchPredictionJobs/<id>`.
NAMED = (":model-invocation-job/", "/batchPredictionJobs/")
# Statuses that depend on more than the state (Bedrock splits validating into Submitted and
# Validating by time): the dialect's own mapping of the whole view.
_BY_VIEW: dict[str, Callable[[View], str]] = {
    "bedrock": bedrock_status.status,
    "vertex": vertex.state,
}


def _gemini(state: BatchState) -> str:
    """google-genai turns the wire's `BATCH_STATE_X` into `JOB_STATE_X`
    (google/genai/_transformers.py, `t_job_state`): the user sees the latter."""
    return "JOB_STATE_" + gemini.STATE[state].removeprefix("BATCH_STATE_")


def _bifrost(provider: str, state: BatchState) -> str:
    """The unified API's `status`, which depends on the provider behind the batch."""
    if provider == "anthropic":
        return bifrost.ANTHROPIC_UNIFIED[bifrost.ANTHROPIC_NATIVE[state]]
    if provider == "gemini":
        return bifrost.GEMINI_UNIFIED[bifrost.GEMINI_NATIVE[state]]
    return state.value


_WORDS: dict[str, Callable[[BatchState], str]] = {
    "anthropic": lambda state: anthropic.STATUS[state],
    "gemini": _gemini,
    "mistral": lambda state: mistral.STATUS[state],
    "together": lambda state: together.STATUS[state],
}


def status_word(dialect: str, provider: str, state: BatchState) -> str:
    """The status as the dialect's SDK shows it (OpenAI, Azure and Groq use the core's words)."""
    if dialect == "bifrost":
        return _bifrost(provider, state)
    word = _WORDS.get(dialect)
    return state.value if word is None else word(state)


def status_of(view: View) -> str:
    """The status word the batch's SDK shows for it now."""
    b = view.batch
    by_view = _BY_VIEW.get(b.dialect)
    return by_view(view) if by_view is not None else status_word(b.dialect, b.provider, view.state)


def native_id(
    dialect: str, provider: str, batch_id: str, extra: Mapping[str, Any] | None = None
) -> str:
    """The id the dialect's SDK hands out for a core id (`extra`: the batch's own facts, the
    region of a Bedrock ARN and the parent of a Vertex name)."""
    if dialect == "gemini" or (dialect == "bifrost" and provider == "gemini"):
        return "batches/" + batch_id
    if dialect == "bedrock" and extra is not None and "region" in extra:
        return bedrock.arn(str(extra["region"]), batch_id)
    if dialect == "vertex" and extra is not None and "parent" in extra:
        return f"{extra['parent']}/batchPredictionJobs/{batch_id}"
    return batch_id


def id_forms(batch_id: str, prefixes: tuple[str, ...] = ID_PREFIXES) -> list[str]:
    """The core ids a user-supplied id may stand for, the id itself first."""
    forms = [batch_id]
    forms += [batch_id.removeprefix(p) for p in prefixes if batch_id.startswith(p)]
    if any(marker in batch_id for marker in NAMED):
        forms.append(batch_id.rsplit("/", 1)[-1])
    return forms


def file_id_forms(file_id: str) -> list[str]:
    return id_forms(file_id, FILE_PREFIXES)


__all__ = [
    "FILE_PREFIXES",
    "ID_PREFIXES",
    "file_id_forms",
    "id_forms",
    "native_id",
    "status_of",
    "status_word",
]
