"""Anthropic Message Batches response bodies.

`extra="forbid"` keeps our output from drifting, and every optional field is declared without a
default so it is always emitted: the SDK builds its objects without validation, so a missing
key would only surface as an `AttributeError` in the user's code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestCounts(Wire):
    processing: int
    succeeded: int
    errored: int
    canceled: int
    expired: int


ProcessingStatus = Literal["in_progress", "canceling", "ended"]


class MessageBatch(Wire):
    id: str
    type: Literal["message_batch"] = "message_batch"
    processing_status: ProcessingStatus
    request_counts: RequestCounts
    ended_at: str | None
    created_at: str
    expires_at: str
    archived_at: str | None
    cancel_initiated_at: str | None
    results_url: str | None


class BatchList(Wire):
    data: list[dict[str, Any]]
    has_more: bool
    first_id: str | None
    last_id: str | None


class DeletedMessageBatch(Wire):
    id: str
    type: Literal["message_batch_deleted"] = "message_batch_deleted"


class ErrorObject(Wire):
    type: str
    message: str


class ErrorResponse(Wire):
    type: Literal["error"] = "error"
    error: ErrorObject
    request_id: str | None


class ErroredResult(Wire):
    type: Literal["errored"] = "errored"
    error: ErrorResponse
