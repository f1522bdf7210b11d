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
from emulator.core.errors import EmulatorError, shorten
from emulator.core.faults import Fault, FaultError, parse_fault as _parse_fault
from emulator.core.numbers import ascii_int
from emulator.core.states import BatchState
from emulator.http import ClientGone, json_response
from emulator.offload import off_loop

if TYPE_CHECKING:
    from emulator.api import Emulator
    from emulator.core.batch import View

Handler = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("emulator")
# Options naming host paths or guarding access: over HTTP they would let any local web page or
# network peer read host files (a canned directory) or lift the guards themselves.
# `external_url` too: its host joins the accepted Host names (emulator.guard), so setting it
# over HTTP would let any caller widen the allow-list to a name of its choosing.
OWNER_ONLY = frozenset(
    {"canned_responses", "control_token", "allowed_hosts", "external_url", "responder"}
)


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


def summary(view: View | BatchInfo) -> dict[str, Any]:
    """State, counts per item outcome, timing, polls and (if failed) why: see BatchInfo."""
    return (view if isinstance(view, BatchInfo) else BatchInfo.of(view)).as_dict()


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
            if number is None and value != "null":
                raise _Problem(400, f"'{key}' must be a whole number or null, got {value[:40]!r}")
            where[key] = number
    return where


def _findings(emulator: Emulator, ignore: list[str]) -> Response:
    return json_response({"findings": [f.as_dict() for f in emulator.verdict(ignore)]})


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
        faults = [parse_fault(spec) for spec in many]
        ids = emulator.faults.add_all(faults)  # all or none; past MAX_RULES a 400 says so
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

    async def batches(request: Request) -> Response:  # every batch: off the loop
        return await off_loop(
            lambda: json_response({"data": [summary(v) for v in emulator.batches]})
        )

    # A look at one batch may be the first to see it finished and render its result files
    # (a second for 50,000 lines): these run on a worker thread too.
    async def one_batch(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        return await off_loop(lambda: json_response(summary(emulator.batch(batch_id))))

    async def transition(request: Request) -> Response:
        target = (await _body(request)).get("to")
        if target not in {s.value for s in BatchState}:
            raise _Problem(400, f"'to' must be one of {', '.join(s.value for s in BatchState)}")
        batch_id = request.path_params["batch_id"]
        return await off_loop(lambda: json_response(summary(emulator.transition(batch_id, target))))

    async def step(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        return await off_loop(lambda: json_response(summary(emulator.step(batch_id))))

    async def journal(request: Request) -> Response:
        entries = emulator.service.journal.entries(**_journal_filters(request))
        return json_response({"data": [e.as_dict() for e in entries]})

    async def verdict(request: Request) -> Response:
        """The client verdict; `?ignore=rule,rule` silences rules (an unknown one is a 400)."""
        ignore = [r for r in request.query_params.get("ignore", "").split(",") if r.strip()]
        # Reads every batch and call: 0.5 s with 10,000 batches, so never on the event loop.
        names = [r.strip() for r in ignore]
        return await off_loop(lambda: _findings(emulator, names))

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
        # `:path`: Gemini's ids as its SDK hands them out contain a slash (`batches/...`).
        ("/batches/{batch_id:path}/transition", transition, "POST"),
        ("/batches/{batch_id:path}/advance", step, "POST"),
        ("/batches/{batch_id:path}", one_batch, "GET"),
        ("/requests", journal, "GET"),
        ("/requests", clear_journal, "DELETE"),
        ("/verdict", verdict, "GET"),
    ]
    return [Route(path, _guard(fn), methods=[method]) for path, fn, method in table]


guard = _guard  # the dashboard's data routes (emulator.dashboard) answer errors the same way
