"""Neutral errors. The core raises these; each dialect renders them in its provider's envelope.

A core error says *what* went wrong as data (`reason` and `facts`: the batch or file id, its
state, a limit); its `message` is a plain neutral default for the control plane and Python
users. Each dialect words the reasons it knows in its own renderer, so no route has to catch a
core error to reword it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    INVALID_REQUEST = "invalid_request"
    AUTHENTICATION = "authentication"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    UNPROCESSABLE = "unprocessable"
    RATE_LIMITED = "rate_limited"
    SERVER = "server"
    UNAVAILABLE = "unavailable"
    OVERLOADED = "overloaded"


STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID_REQUEST: 400,
    ErrorKind.AUTHENTICATION: 401,
    ErrorKind.PERMISSION: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.METHOD_NOT_ALLOWED: 405,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNPROCESSABLE: 422,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.SERVER: 500,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.OVERLOADED: 529,
}

_KIND_BY_STATUS = {status: kind for kind, status in STATUS.items()}


def kind_for_status(status: int) -> ErrorKind:
    if status in _KIND_BY_STATUS:
        return _KIND_BY_STATUS[status]
    return ErrorKind.SERVER if status >= 500 else ErrorKind.INVALID_REQUEST


class Reason(StrEnum):
    """Why the core refused, for dialects to word in their provider's voice."""

    BATCH_NOT_FOUND = "batch_not_found"
    FILE_NOT_FOUND = "file_not_found"
    NOT_CANCELLABLE = "not_cancellable"  # facts: batch_id, state
    NOT_DELETABLE = "not_deletable"  # facts: batch_id, state
    RESULTS_NOT_READY = "results_not_ready"  # facts: batch_id, state
    CANCEL_FAILED = "cancel_failed"  # a batch fault's 500 on cancel while validating
    BAD_LIMIT = "bad_limit"  # facts: param, raw, value, problem (type|low|high), maximum


MAX_MESSAGE = 2_000  # characters of an error message: a huge echoed value (an id) is cut


def shorten(message: str, limit: int = MAX_MESSAGE) -> str:
    return message if len(message) <= limit else message[:limit] + "... (truncated)"


class EmulatorError(Exception):
    """A request the emulator refuses, described without any provider's vocabulary.

    `code` and `param` carry the provider-visible details that the core knows (OpenAI's
    `invalid_value`, a parameter name); a dialect may use or ignore them. The message is cut
    to MAX_MESSAGE here, where every error (a dialect's rewording too) is made, so no door
    echoes more of a value than that.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        reason: Reason | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> None:
        message = shorten(message)
        super().__init__(message)
        self.reason = reason
        self.facts: dict[str, Any] = dict(facts or {})
        self.kind = kind
        self.message = message
        self.param = param
        self.code = code
        self.status = status if status is not None else STATUS[kind]
        self.headers = headers or {}


@dataclass(frozen=True)
class Wording:
    """How one dialect says a core reason: the message, and where it differs, kind/status/code."""

    message: str
    kind: ErrorKind | None = None
    status: int | None = None
    code: str | None = None
    param: str | None = None


def reworded(err: EmulatorError, table: Mapping[Reason, Any]) -> EmulatorError:
    """`err` in a dialect's words: `table[reason](facts) -> Wording`; unknown reasons unchanged.

    Dialect renderers call this first, so a core error reaches the client in the provider's
    own voice without any route catching it.
    """
    word = table.get(err.reason) if err.reason is not None else None
    if word is None:
        return err
    said: Wording = word(err.facts)
    kind = said.kind or err.kind
    out = EmulatorError(
        kind,
        said.message,
        param=said.param if said.param is not None else err.param,
        code=said.code if said.code is not None else err.code,
        status=said.status or (STATUS[kind] if said.kind else err.status),
        headers=err.headers,
        reason=err.reason,
        facts=err.facts,
    )
    return out


def batch_not_found(batch_id: str) -> EmulatorError:
    return EmulatorError(
        ErrorKind.NOT_FOUND,
        f"Batch {batch_id} not found.",
        reason=Reason.BATCH_NOT_FOUND,
        facts={"batch_id": batch_id},
    )


def file_not_found(file_id: str) -> EmulatorError:
    return EmulatorError(
        ErrorKind.NOT_FOUND,
        f"File {file_id} not found.",
        reason=Reason.FILE_NOT_FOUND,
        facts={"file_id": file_id},
    )


def refused_in_state(reason: Reason, batch_id: str, state: str) -> EmulatorError:
    """Cancel, delete or a results read that the batch's state does not allow."""
    verb = {
        Reason.NOT_CANCELLABLE: "cancelled",
        Reason.NOT_DELETABLE: "deleted",
        Reason.RESULTS_NOT_READY: "read for results",
    }[reason]
    return EmulatorError(
        ErrorKind.CONFLICT,
        f"Batch {batch_id} is {state} and cannot be {verb}.",
        reason=reason,
        facts={"batch_id": batch_id, "state": state},
    )


def not_found(message: str, *, param: str | None = None, code: str | None = None) -> EmulatorError:
    return EmulatorError(ErrorKind.NOT_FOUND, message, param=param, code=code)


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> EmulatorError:
    return EmulatorError(ErrorKind.INVALID_REQUEST, message, param=param, code=code)


def conflict(message: str) -> EmulatorError:
    return EmulatorError(ErrorKind.CONFLICT, message)
