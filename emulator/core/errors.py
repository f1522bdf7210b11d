"""Neutral errors. The core raises these; each dialect renders them in its provider's envelope."""

from __future__ import annotations

from enum import StrEnum


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


class EmulatorError(Exception):
    """A request the emulator refuses, described without any provider's vocabulary.

    `code` and `param` carry the provider-visible details that the core knows (OpenAI's
    `invalid_value`, a parameter name); a dialect may use or ignore them.
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
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.param = param
        self.code = code
        self.status = status if status is not None else STATUS[kind]
        self.headers = headers or {}


def not_found(message: str, *, param: str | None = None, code: str | None = None) -> EmulatorError:
    return EmulatorError(ErrorKind.NOT_FOUND, message, param=param, code=code)


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> EmulatorError:
    return EmulatorError(ErrorKind.INVALID_REQUEST, message, param=param, code=code)


def conflict(message: str) -> EmulatorError:
    return EmulatorError(ErrorKind.CONFLICT, message)
