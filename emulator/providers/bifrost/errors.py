"""Bifrost's error envelope: `{is_bifrost_error, status_code, error{message, code?}, extra_fields}`.

Bifrost picks the HTTP status from the error's own `status_code` (an upstream 404 passes
through), else 400 for a request it refuses itself, else 500 when `is_bifrost_error` is true
(an operation that failed inside the gateway, e.g. "results not ready yet").
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from emulator.core.errors import EmulatorError, Reason, kind_for_status
from emulator.core.states import BatchState
from emulator.http import json_response
from emulator.providers.anthropic import dialect as anthropic_dialect
from emulator.providers.gemini import dialect as gemini_dialect
from emulator.providers.openai import dialect as openai_dialect

# Each routed provider's own answer to the core's refusals, relayed as Bifrost relays them.
AS_SENT = {
    "openai": openai_dialect.as_sent,
    "anthropic": anthropic_dialect.as_sent,
    "gemini": gemini_dialect.as_sent,
}


class BifrostError(EmulatorError):
    """An EmulatorError that also knows Bifrost's flag and the call's provider and type."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str | None = None,
        is_bifrost_error: bool = False,
        provider: str | None = None,
        request_type: str | None = None,
    ) -> None:
        super().__init__(kind_for_status(status), message, code=code, status=status)
        self.is_bifrost_error = is_bifrost_error
        self.provider = provider
        self.request_type = request_type


def refused(message: str, request_type: str | None = None) -> BifrostError:
    """A request the gateway's HTTP handler rejects before any provider is called."""
    return BifrostError(message, request_type=request_type)


def unsupported(request_type: str, provider: str, note: str = "") -> BifrostError:
    return BifrostError(
        f"{request_type} is not supported by {provider} provider{note}",
        code="unsupported_operation",
        provider=provider,
        request_type=request_type,
    )


def not_ready(message: str, provider: str, request_type: str, status: int) -> BifrostError:
    """Results asked for too early: Bifrost's operation error (500) or, in schema mode, a 400."""
    return BifrostError(
        message,
        status=status,
        code=None if status >= 500 else "results_not_ready",
        is_bifrost_error=status >= 500,
        provider=provider,
        request_type=request_type,
    )


def _not_ready(err: EmulatorError, provider: str, request_type: str, mode: str) -> BifrostError:
    """Results asked for before the batch ended: Bifrost's own words, with the native state."""
    batch_id, state = err.facts["batch_id"], BatchState(err.facts["state"])
    if provider == "gemini":
        message = (
            f"batch batches/{batch_id} is still processing (state: {gemini_dialect.STATE[state]}),"
            " results not yet available"
        )
    else:
        message = f"batch {batch_id} has not ended (status: {state}), results not yet available"
    return not_ready(message, provider, request_type, 500 if mode == "wire" else 400)


def upstream(
    err: EmulatorError, provider: str, request_type: str, mode: str = "wire"
) -> BifrostError:
    """A provider's own refusal (unknown batch, invalid value), passed through with its status
    and in that provider's words, as the gateway relays an upstream error."""
    if isinstance(err, BifrostError):
        err.provider = err.provider or provider
        err.request_type = err.request_type or request_type
        return err
    if err.reason is Reason.RESULTS_NOT_READY:
        return _not_ready(err, provider, request_type, mode)
    if err.reason is Reason.BAD_LIMIT:  # the gateway's own check, before any provider
        top = err.facts["maximum"]
        expected = f" (expected 1..{top})" if top is not None else ""
        return refused(f"invalid limit parameter: {err.facts['raw']!r}{expected}", request_type)
    if provider in AS_SENT:
        err = AS_SENT[provider](err)
    wrapped = BifrostError(
        err.message,
        status=err.status,
        code=err.code,
        is_bifrost_error=False,
        provider=provider,
        request_type=request_type,
    )
    wrapped.headers.update(err.headers)
    return wrapped


def envelope(err: EmulatorError) -> dict[str, Any]:
    is_bifrost = getattr(err, "is_bifrost_error", err.status >= 500)
    error: dict[str, Any] = {"message": err.message}
    if err.code is not None:
        error["code"] = err.code
    extra: dict[str, Any] = {}
    for key in ("provider", "request_type"):
        value = getattr(err, key, None)
        if value:
            extra[key] = value
    return {
        "is_bifrost_error": bool(is_bifrost),
        "status_code": err.status,
        "error": error,
        "extra_fields": extra,
    }


def render_error(err: EmulatorError, request_id: str) -> Response:
    return json_response(envelope(err), err.status)
