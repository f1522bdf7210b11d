"""Pure mapping between the core and Azure OpenAI's wire format. No I/O, no store access.

Azure's batch objects, statuses and result lines are OpenAI's (reference more-providers §1.5,
§1.6), so this module adds only what differs: the error envelope, endpoint spellings without
`/v1`, deployments instead of model ids, content-filter fields, and generated-file ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from starlette.responses import Response

from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, Reason, Wording, invalid, reworded
from emulator.core.files import StoredFile
from emulator.core.models import is_known_model, snapshot
from emulator.http import json_response
from emulator.providers.azure import wire
from emulator.providers.openai import dialect as openai
from emulator.providers.openai.validation import LineRules

# Endpoints an Azure global-batch deployment serves, both spellings (reference §1.4): the dated
# API's examples use `/chat/completions`, the v1 surface `/v1/chat/completions`.
ENDPOINTS = (
    "/chat/completions",
    "/embeddings",
    "/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/responses",
)
MAX_REQUESTS = 100_000  # per input file (reference §1.4, global-batch limits)
# Camel-case codes of the Azure OpenAI data-plane spec (reference §1.8), plus the bare-status
# codes its gateway answers with; any other core code is replaced by the kind's.
CODES: dict[ErrorKind, str] = {
    ErrorKind.INVALID_REQUEST: "invalidPayload",
    ErrorKind.AUTHENTICATION: "401",
    ErrorKind.PERMISSION: "forbidden",
    ErrorKind.NOT_FOUND: "notFound",
    ErrorKind.METHOD_NOT_ALLOWED: "invalidPayload",
    ErrorKind.CONFLICT: "conflict",
    ErrorKind.TOO_LARGE: "invalidPayload",
    ErrorKind.UNPROCESSABLE: "invalidPayload",
    ErrorKind.RATE_LIMITED: "tooManyRequests",
    ErrorKind.SERVER: "internalFailure",
    ErrorKind.UNAVAILABLE: "serviceUnavailable",
    ErrorKind.OVERLOADED: "serviceUnavailable",
}
KNOWN_CODES = frozenset(
    {
        *CODES.values(),
        "unexpectedEntityState",
        "itemDoesAlreadyExist",
        "quotaExceeded",
        "jsonlValidationFailed",
        "fileImportFailed",
        "unauthorized",
        "contentFilter",
        "content_filter",
        "token_limit_exceeded",
        "404",
        "BadRequest",
    }
)
# The underlying model a deployment of unknown name reports in result bodies [I].
DEFAULT_MODELS = {
    "/v1/embeddings": "text-embedding-3-small",
    "/v1/chat/completions": "gpt-4o-mini-2024-07-18",
    "/v1/responses": "gpt-4o-mini-2024-07-18",
}


# The core's reasons in Azure's words [I: Azure documents codes, not these messages].
WORDING: dict[Reason, Callable[[dict[str, Any]], Wording]] = {
    Reason.BATCH_NOT_FOUND: lambda f: Wording(f"Batch {f['batch_id']} not found.", code="notFound"),
    Reason.FILE_NOT_FOUND: lambda f: Wording(f"File {f['file_id']} not found.", code="notFound"),
    Reason.NOT_CANCELLABLE: lambda f: Wording(
        f"Cannot cancel a batch with status '{f['state']}'.", code="unexpectedEntityState"
    ),
}


def render_error(err: EmulatorError, request_id: str) -> Response:
    err = reworded(err, WORDING)
    code = err.code if err.code in KNOWN_CODES else CODES[err.kind]
    body = wire.ErrorEnvelope(error=wire.ErrorBody(code=code, message=err.message))
    return json_response(body.model_dump(), err.status)


def canonical(endpoint: str) -> str:
    """The core's (OpenAI's) spelling of an Azure endpoint: always with `/v1`."""
    return endpoint if endpoint.startswith("/v1/") else "/v1" + endpoint


def line_rules(endpoint: str) -> LineRules:
    """Any deployment name is a model; a line's url may be spelt with or without `/v1`."""
    core = canonical(endpoint)
    return LineRules(model_ok=lambda _name: True, urls=frozenset({core, core[3:]}))


def underlying_model(deployment: str | None, endpoint: str) -> str | None:
    """What a deployment runs: a deployment named after a model runs its dated snapshot."""
    if deployment is None:
        return None
    if is_known_model(deployment):
        return snapshot(deployment)
    return DEFAULT_MODELS.get(endpoint, DEFAULT_MODELS["/v1/chat/completions"])


def batch_to_wire(view: View, tokens: tuple[int, int] | None = None) -> dict[str, Any]:
    """OpenAI's Batch, with the endpoint echoed as the client spelt it, without OpenAI's
    later `model` and `usage` (absent from every batch Microsoft's guide printed)."""
    body = openai.batch_to_wire(view, tokens)
    body["endpoint"] = view.batch.extra.get("wire_endpoint", body["endpoint"])
    body.pop("model", None)
    body.pop("usage", None)
    return body


# When an upload becomes `processed`, in `StoredFile.extra` (emulator clock seconds).
PROCESSED_AT = "processed_at"


def file_status(stored: StoredFile, now: float) -> Literal["pending", "processed"]:
    """`pending` until the upload is processed: recorded in Microsoft's guide, whose upload
    answers `"status": "pending"` and which polls `files.retrieve` until `processed`."""
    ready = stored.extra.get(PROCESSED_AT)
    return "pending" if isinstance(ready, float | int) and now < ready else "processed"


def file_to_wire(stored: StoredFile, now: float) -> dict[str, Any]:
    """Recorded keys; `expires_at` only when the file expires (absent in the guide's upload
    without `expires_after`)."""
    body = wire.FileObject(
        id=stored.id,
        bytes=stored.size,
        created_at=int(stored.created_at),
        filename=stored.filename,
        purpose=stored.purpose,
        status=file_status(stored, now),
        expires_at=None if stored.expires_at is None else int(stored.expires_at),
    ).model_dump()
    if body["expires_at"] is None:
        del body["expires_at"]
    return body


def not_processed(file_id: str) -> EmulatorError:
    """A batch from a file still `pending` is refused (openai/openai-dotnet#312: on Azure
    "batch requests require files to be processed", creating one at once "fails")
    [I: the status and wording; the issue quotes neither]."""
    return invalid(
        f"The input file {file_id} is not processed yet; wait until its status is "
        "'processed' before creating a batch.",
        code="invalidPayload",
    )
