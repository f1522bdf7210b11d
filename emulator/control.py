"""The control plane under /_emulator/: reset, clock, config, faults, batches, journal.

Plain JSON in and out, for black-box clients (any language) that cannot reach the Python API.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import __version__
from emulator.config import describe_error
from emulator.core.errors import EmulatorError
from emulator.core.faults import Fault, FaultError, parse_fault as _parse_fault
from emulator.core.states import BatchState
from emulator.http import json_response

if TYPE_CHECKING:
    from emulator.api import Emulator
    from emulator.core.batch import View

Handler = Callable[[Request], Awaitable[Response]]


def error(status: int, message: str) -> Response:
    return json_response({"error": {"message": message, "status": status}}, status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise _Problem(400, "body is not valid JSON") from None
    if not isinstance(value, dict):
        raise _Problem(400, "body must be a JSON object")
    return value


class _Problem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _guard(handler: Handler) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except _Problem as p:
            return error(p.status, p.message)
        except EmulatorError as e:
            return error(e.status, e.message)
        except ValidationError as e:
            return error(400, describe_error(e))
        except (TypeError, ValueError) as e:
            return error(400, str(e))

    return endpoint


def _clock(emulator: Emulator) -> dict[str, Any]:
    now = emulator.now()
    return {
        "now": now,
        "iso": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
        "clock": type(emulator.clock).__name__,
    }


def summary(view: View) -> dict[str, Any]:
    b, c = view.batch, view.counts
    return {
        "id": b.id,
        "dialect": b.dialect,
        "provider": b.provider,
        "endpoint": b.endpoint,
        "model": b.model,
        "state": view.state.value,
        "created_at": b.plan.created_at,
        "expires_at": b.plan.expires_at,
        "polls": b.polls,
        "timing": b.timing.policy,
        "ended_at": view.moment.ended_at,
        # Made by the core when the batch finished, whether or not any client has read it.
        "output_file_id": b.output_file_id,
        "error_file_id": b.error_file_id,
        "counts": {
            "total": c.total,
            "processing": c.processing,
            "succeeded": c.succeeded,
            "errored": c.errored,
            "canceled": c.canceled,
            "expired": c.expired,
        },
    }


def parse_fault(body: dict[str, Any]) -> Fault:
    """`{"kind": "http"|"item"|"batch", ...fields}`; a bad rule is a 400 naming the problem."""
    try:
        return _parse_fault(body)
    except FaultError as exc:
        raise _Problem(400, str(exc)) from None


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise _Problem(400, "body is not valid JSON") from None


def _journal_filters(request: Request) -> dict[str, Any]:
    """Query parameters as journal filters; `status` and `retry_count` compare as numbers."""
    where: dict[str, Any] = dict(request.query_params)
    for key in ("status", "retry_count"):
        if key in where:
            value = where[key]
            where[key] = int(value) if value.isdigit() else None if value == "null" else value
    return where


def routes(emulator: Emulator) -> list[Route]:
    async def health(request: Request) -> Response:
        return json_response({"status": "ok", "version": __version__})

    async def reset(request: Request) -> Response:
        emulator.reset()
        return json_response({"status": "reset", "clock": _clock(emulator)})

    async def clock(request: Request) -> Response:
        return json_response(_clock(emulator))

    async def advance(request: Request) -> Response:
        body = await _body(request)
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise _Problem(400, "'seconds' must be a non-negative number")
        emulator.advance(seconds)
        return json_response(_clock(emulator))

    async def get_config(request: Request) -> Response:
        return json_response(emulator.config.model_dump(mode="json"))

    async def patch_config(request: Request) -> Response:
        emulator.configure(**await _body(request))
        return json_response(emulator.config.model_dump(mode="json"))

    async def list_faults(request: Request) -> Response:
        return json_response({"data": emulator.faults.describe()})

    async def add_fault(request: Request) -> Response:
        """One rule (an object) or several (a list, all refused if one is bad)."""
        body = await _json(request)
        many = body if isinstance(body, list) else [body]
        faults = [parse_fault(spec) for spec in many]
        for fault in faults:
            emulator.faults.check(fault)
        ids = [emulator.faults.add(fault) for fault in faults]
        return json_response({"ids": ids} if isinstance(body, list) else {"id": ids[0]}, 201)

    async def clear_faults(request: Request) -> Response:
        emulator.faults.clear()
        return json_response({"deleted": True})

    async def operations(request: Request) -> Response:
        """What `operation` and `dialect` may name: the served routes."""
        known = emulator.faults.operations()
        return json_response({"data": {d: sorted(ops) for d, ops in sorted(known.items())}})

    async def delete_fault(request: Request) -> Response:
        rule = request.path_params["rule_id"]
        if not emulator.faults.remove(rule):
            raise _Problem(404, f"no fault rule {rule!r}")
        return json_response({"id": rule, "deleted": True})

    async def batches(request: Request) -> Response:
        return json_response({"data": [summary(v) for v in emulator.batches]})

    async def transition(request: Request) -> Response:
        target = (await _body(request)).get("to")
        if target not in {s.value for s in BatchState}:
            raise _Problem(400, f"'to' must be one of {', '.join(s.value for s in BatchState)}")
        view = emulator.transition(request.path_params["batch_id"], target)
        return json_response(summary(view))

    async def step(request: Request) -> Response:
        return json_response(summary(emulator.step(request.path_params["batch_id"])))

    async def journal(request: Request) -> Response:
        entries = emulator.service.journal.entries(**_journal_filters(request))
        return json_response({"data": [e.as_dict() for e in entries]})

    async def clear_journal(request: Request) -> Response:
        emulator.service.journal.clear()
        return json_response({"deleted": True})

    table: list[tuple[str, Handler, str]] = [
        ("/health", health, "GET"),
        ("/reset", reset, "POST"),
        ("/clock", clock, "GET"),
        ("/clock/advance", advance, "POST"),
        ("/config", get_config, "GET"),
        ("/config", patch_config, "PATCH"),
        ("/faults", list_faults, "GET"),
        ("/faults", add_fault, "POST"),
        ("/faults", clear_faults, "DELETE"),
        ("/faults/operations", operations, "GET"),
        ("/faults/{rule_id}", delete_fault, "DELETE"),
        ("/batches", batches, "GET"),
        ("/batches/{batch_id}/transition", transition, "POST"),
        ("/batches/{batch_id}/advance", step, "POST"),
        ("/requests", journal, "GET"),
        ("/requests", clear_journal, "DELETE"),
    ]
    return [Route(path, _guard(fn), methods=[method]) for path, fn, method in table]
