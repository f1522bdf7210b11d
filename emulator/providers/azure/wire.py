"""Azure OpenAI's own wire pieces: its error envelope and the content-filter annotations.

Everything else on Azure's batch wire is OpenAI's (reference more-providers §1.5), so the
OpenAI dialect's models are reused for it. `extra="forbid"` so our output cannot drift.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Wire):
    """Microsoft REST guidelines: `code` + `message`; no `type`/`param` (reference §1.8)."""

    code: str
    message: str


class ErrorEnvelope(Wire):
    error: ErrorBody


class FileObject(Wire):
    """Keys as recorded in Microsoft's batch guide; an upload is `pending` until processed."""

    id: str
    bytes: int
    created_at: int
    filename: str
    object: Literal["file"] = "file"
    purpose: str
    status: Literal["pending", "processed", "error"]
    expires_at: int | None = None
    status_details: str | None = None


class Severity(Wire):
    filtered: bool = False
    severity: str = "safe"


class Detected(Wire):
    filtered: bool = False
    detected: bool = False


class PromptFilters(Wire):
    hate: Severity = Severity()
    self_harm: Severity = Severity()
    sexual: Severity = Severity()
    violence: Severity = Severity()
    jailbreak: Detected = Detected()


class PromptFilterResult(Wire):
    prompt_index: int
    content_filter_results: PromptFilters


class ChoiceFilters(Wire):
    hate: Severity = Severity()
    self_harm: Severity = Severity()
    sexual: Severity = Severity()
    violence: Severity = Severity()
    protected_material_code: Detected = Detected()
    protected_material_text: Detected = Detected()
