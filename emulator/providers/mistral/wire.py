"""Mistral response bodies, with exactly the fields the `mistralai` SDK's models require.

The SDK validates every answer with pydantic (reference more-providers §3.1), so a missing
required field is a `ResponseValidationError` in the user's code; `extra="forbid"` here keeps
our own output from drifting. Field lists: `mistralai.client.models` 3.7 (`BatchJob`,
`CreateFileResponse`, `GetFileResponse`, `ListBatchJobsResponse`, ...).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileObject(Wire):
    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: str
    sample_type: str
    source: str
    num_lines: int | None
    mimetype: str | None
    signature: str | None = None
    expires_at: int | None
    visibility: str | None


class StoredFileObject(FileObject):
    """`GET /v1/files/{id}` adds a required `deleted`."""

    deleted: bool = False


class FileList(Wire):
    data: list[FileObject]
    object: Literal["list"] = "list"
    total: int


class Deleted(Wire):
    id: str
    object: str
    deleted: bool = True


class JobError(Wire):
    message: str
    count: int = 1


class Job(Wire):
    id: str
    object: Literal["batch"] = "batch"
    input_files: list[str]
    metadata: dict[str, str] | None
    endpoint: str
    model: str | None
    agent_id: str | None = None
    output_file: str | None
    error_file: str | None
    errors: list[JobError]
    outputs: list[dict[str, Any]] | None = None
    status: str
    created_at: int
    total_requests: int
    completed_requests: int
    succeeded_requests: int
    failed_requests: int
    started_at: int | None
    completed_at: int | None


class JobList(Wire):
    data: list[Job]
    object: Literal["list"] = "list"
    total: int


class ErrorBody(Wire):
    """The `{"object": "error", ...}` envelope Mistral's API answers with [I: reference §3.4]."""

    object: Literal["error"] = "error"
    message: str
    type: str
    param: str | None = None
    code: str | None = None
