"""A batch in its provider's own words: the status word and the id its SDK hands out.

The core speaks one neutral vocabulary (`BatchState`, bare ids); a user reads the SDK's words
(`ended`, `JOB_STATE_SUCCEEDED`, `SUCCESS`) and holds the SDK's ids (Gemini's `batches/...`).
`BatchInfo.status`, the serve log, the dashboard and every lookup by id (handle, control plane,
dashboard) go through here, so all of them accept and show what the user has in hand. The words
are the dialects' own mapping tables, never a copy.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.core.states import BatchState
from emulator.providers.anthropic import dialect as anthropic
from emulator.providers.bifrost import render as bifrost
from emulator.providers.gemini import dialect as gemini
from emulator.providers.mistral import dialect as mistral
from emulator.providers.together import dialect as together

# Prefixes an SDK puts before the core id: Gemini's resource name `batches/<id>`, and the
# `batches-<id>` form Bifrost's OpenAI-compatible mount rewrites it to (bifrost.compat).
ID_PREFIXES = ("batches/", "batches-")
FILE_PREFIXES = ("files/", "files-")  # the same for Gemini's file names


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


def native_id(dialect: str, provider: str, batch_id: str) -> str:
    """The id the dialect's SDK hands out for a core id."""
    if dialect == "gemini" or (dialect == "bifrost" and provider == "gemini"):
        return "batches/" + batch_id
    return batch_id


def id_forms(batch_id: str, prefixes: tuple[str, ...] = ID_PREFIXES) -> list[str]:
    """The core ids a user-supplied id may stand for, the id itself first."""
    forms = [batch_id]
    forms += [batch_id.removeprefix(p) for p in prefixes if batch_id.startswith(p)]
    return forms


def file_id_forms(file_id: str) -> list[str]:
    return id_forms(file_id, FILE_PREFIXES)


__all__ = ["FILE_PREFIXES", "ID_PREFIXES", "file_id_forms", "id_forms", "native_id", "status_word"]
