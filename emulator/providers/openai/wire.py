"""OpenAI response bodies. `extra="forbid"` so our own output cannot drift from the SDK types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileObject(Wire):
    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    expires_at: int | None
    filename: str
    purpose: str
    status: Literal["uploaded", "processed", "error"] = "processed"
    status_details: str | None = None


class FileDeleted(Wire):
    id: str
    object: Literal["file"] = "file"
    deleted: bool = True


class BatchError(Wire):
    code: str
    message: str
    param: str | None
    line: int | None


class Errors(Wire):
    object: Literal["list"] = "list"
    data: list[BatchError]


class RequestCounts(Wire):
    total: int
    completed: int
    failed: int


class InputTokensDetails(Wire):
    cached_tokens: int = 0


class OutputTokensDetails(Wire):
    reasoning_tokens: int = 0


class Usage(Wire):
    input_tokens: int
    input_tokens_details: InputTokensDetails
    output_tokens: int
    output_tokens_details: OutputTokensDetails
    total_tokens: int


class Batch(Wire):
    id: str
    object: Literal["batch"] = "batch"
    endpoint: str
    model: str | None
    errors: Errors | None
    input_file_id: str
    completion_window: str
    status: str
    output_file_id: str | None
    error_file_id: str | None
    created_at: int
    in_progress_at: int | None
    expires_at: int | None
    finalizing_at: int | None
    completed_at: int | None
    failed_at: int | None
    expired_at: int | None
    cancelling_at: int | None
    cancelled_at: int | None
    request_counts: RequestCounts
    usage: Usage
    metadata: dict[str, str] | None


class ErrorBody(Wire):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorEnvelope(Wire):
    error: ErrorBody
