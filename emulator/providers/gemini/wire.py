"""Gemini response bodies (proto-JSON: camelCase, int64 as strings, zero values left out).

`extra="forbid"` so our own output cannot drift from what the reference captured; dumped with
`by_alias=True, exclude_none=True`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class Status(Wire):
    """`google.rpc.Status` as a per-request or operation error: code and message only."""

    code: int
    message: str


class BatchStats(Wire):
    requestCount: str | None = None
    successfulRequestCount: str | None = None
    failedRequestCount: str | None = None
    pendingRequestCount: str | None = None


class InlinedResponse(Wire):
    response: dict[str, Any] | None = None
    error: Status | None = None
    metadata: dict[str, Any] | None = None


class InlinedResponses(Wire):
    inlinedResponses: list[InlinedResponse]


class Output(Wire):
    inlinedResponses: InlinedResponses | None = None
    responsesFile: str | None = None


class InputConfig(Wire):
    fileName: str


class BatchMetadata(Wire):
    type_: str = Field(BATCH_TYPE, alias="@type")
    model: str | None = None
    displayName: str | None = None
    inputConfig: InputConfig | None = None
    output: Output | None = None
    createTime: str
    updateTime: str
    endTime: str | None = None
    batchStats: BatchStats
    state: str
    name: str


class BatchOutput(Wire):
    type_: str = Field(OUTPUT_TYPE, alias="@type")
    inlinedResponses: InlinedResponses | None = None
    responsesFile: str | None = None


class Operation(Wire):
    name: str
    metadata: BatchMetadata
    done: bool | None = None
    response: BatchOutput | None = None
    error: Status | None = None


class ListOperations(Wire):
    operations: list[Operation]
    nextPageToken: str | None = None


class FileObject(Wire):
    name: str
    displayName: str | None = None
    mimeType: str
    sizeBytes: str
    createTime: str
    updateTime: str
    expirationTime: str | None = None
    sha256Hash: str
    uri: str
    downloadUri: str | None = None
    state: str = "ACTIVE"
    source: str


class ErrorBody(Wire):
    code: int
    message: str
    status: str


class ErrorEnvelope(Wire):
    error: ErrorBody


class ListFiles(Wire):
    files: list[FileObject]
    nextPageToken: str | None = None
