"""The control plane under /_emulator/: reset, clock, config, faults, batches, journal, verdict.

Plain JSON in and out, for black-box clients (any language) that cannot reach the Python API.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import __version__, bodies
from emulator.batch_info import BatchInfo
from emulator.config import describe_error
from emulator.core import jsonsafe
from emulator.core.errors import EmulatorError
from emulator.core.faults import Fault, FaultError, parse_fault as _parse_fault
from emulator.core.numbers import ascii_int
from emulator.core.states import BatchState
from emulator.http import ClientGone, json_response, shorten

if TYPE_CHECKING:
    from emulator.api import Emulator
    from emulator.core.batch import View

Handler = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("emulator")
# Options naming host paths or guarding access: over HTTP they would let any local web page or
# network peer read host files (a canned directory) or lift the guards themselves.
OWNER_ONLY = frozenset({"canned_responses", "control_token", "allowed_hosts", "responder"})


def error(status: int, message: str) -> Response:
    return json_response({"error": {"message": shorten(message), "status": status}}, status)


def _too_large() -> Exception:
    return _Problem(413, f"body is larger than {bodies.JSON_CAP} bytes")


async def _body(request: Request) -> dict[str, Any]:
    value = await _json(request)
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
        except (TypeError, ValueError, OverflowError) as e:
            return error(400, str(e))
        except ClientDisconnect:
            return ClientGone()
        except HTTPException as e:
            return error(e.status_code if 400 <= e.status_code < 500 else 400, str(e.detail))
        except RecursionError:
            return error(400, "body is nested too deeply")
        except Exception:  # still JSON, and still logged: a bug, never a plain-text page
            log.exception("unexpected error answering %s %s", request.method, request.url.path)
            return error(500, "internal error in the emulator's control plane")

    return endpoint


def _clock(emulator: Emulator) -> dict[str, Any]:
    now = emulator.now()
    return {
        "now": now,
        "iso": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
        "clock": type(emulator.clock).__name__,
    }


def summary(view: View) -> dict[str, Any]:
    """State, counts per item outcome, timing, polls and (if failed) why: see BatchInfo."""
    return BatchInfo.of(view).as_dict()


def parse_fault(body: dict[str, Any]) -> Fault:
    """`{"kind": "http"|"item"|"batch", ...fields}`; a bad rule is a 400 naming the problem."""
    try:
        return _parse_fault(body)
    except FaultError as exc:
        raise _Problem(400, str(exc)) from None


async def _json(request: Request) -> Any:
    raw = await bodies.read_body(request, bodies.JSON_CAP, _too_large)
    try:
        return jsonsafe.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise _Problem(400, f"body is not valid JSON: {shorten(str(exc), 200)}") from None


def _journal_filters(request: Request) -> dict[str, Any]:
    """Query parameters as journal filters; `status` and `retry_count` compare as numbers."""
    where: dict[str, Any] = dict(request.query_params)
    for key in ("status", "retry_count"):
        if key in where:
            value = where[key]
            number = ascii_int(value)
            where[key] = number if number is not None else None if value == "null" else value
    return where


def routes(emulator: Emulator) -> list[Route]:
    async def health(request: Request) -> Response:
        return json_response({"status": "ok", "version": __version__})

    async def reset(request: Request) -> Response:
        body = await _json(request)
        seed = body.get("seed") if isinstance(body, dict) else None
        namespace = body.get("namespace") if isinstance(body, dict) else None
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise _Problem(400, "seed must be an integer")
        if namespace is not None and not isinstance(namespace, str):
            raise _Problem(400, "namespace must be a string")
        from emulator.core.tenancy import current  # only a scoped reset asks

        tenant = current()  # `serve --isolate-keys` with ?key=: that key's own only
        if tenant is not None:
            dropped = emulator.service.drop_tenant(tenant)
            return json_response({"status": "reset", "scope": "key", **dropped})
        emulator.reset(seed=seed, namespace=namespace)  # neither: ids carry on, never repeat
        return json_response({"status": "reset", "clock": _clock(emulator)})

    async def clock(request: Request) -> Response:
        return json_response(_clock(emulator))

    async def advance(request: Request) -> Response:
        body = await _body(request)
        units = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
        unknown = sorted(set(body) - set(units))
        if unknown or not body:
            raise _Problem(400, f"give any of {', '.join(units)} (non-negative numbers)")
        total = 0.0
        for unit, value in body.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise _Problem(400, f"'{unit}' must be a non-negative number")
            total += value * units[unit]
        emulator.advance(total)
        return json_response(_clock(emulator))

    async def get_config(request: Request) -> Response:
        return json_response(emulator.config.model_dump(mode="json"))

    async def patch_config(request: Request) -> Response:
        changes = await _body(request)
        owner_only = sorted(OWNER_ONLY & set(changes))
        if owner_only:
            raise _Problem(
                403,
                f"{', '.join(owner_only)} can only be set by the process owner (the Python API, "
                "`batch-emulator serve --config FILE` or its flags), not over HTTP",
            )
        emulator.configure(**changes)
        return json_response(emulator.config.model_dump(mode="json"))

    async def list_faults(request: Request) -> Response:
        return json_response({"data": emulator.faults.describe()})

    async def add_fault(request: Request) -> Response:
        """One rule (an object) or several (a list, all refused if one is bad)."""
        body = await _json(request)
        many = body if isinstance(body, list) else [body]
        if any(isinstance(spec, dict) and "kind" not in spec for spec in many):
            # Without it a rule would default to a catch-all HTTP fault on every call.
            raise _Problem(400, "each fault rule needs 'kind': 'http', 'item' or 'batch'")
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

    async def one_batch(request: Request) -> Response:
        return json_response(summary(emulator.batch(request.path_params["batch_id"])))

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

    async def verdict(request: Request) -> Response:
        """The client verdict; `?ignore=rule,rule` silences rules (an unknown one is a 400)."""
        ignore = [r for r in request.query_params.get("ignore", "").split(",") if r.strip()]
        findings = emulator.verdict([r.strip() for r in ignore])
        return json_response({"findings": [f.as_dict() for f in findings]})

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
        ("/batches/{batch_id}", one_batch, "GET"),
        ("/batches/{batch_id}/transition", transition, "POST"),
        ("/batches/{batch_id}/advance", step, "POST"),
        ("/requests", journal, "GET"),
        ("/requests", clear_journal, "DELETE"),
        ("/verdict", verdict, "GET"),
    ]
    return [Route(path, _guard(fn), methods=[method]) for path, fn, method in table]


guard = _guard  # the dashboard's data routes (emulator.dashboard) answer errors the same way
