"""EmulatorConfig: one frozen, strict value for everything a user can tune.

Strict (`extra="forbid"`) so a typo in a marker, a config file or a PATCH fails loudly with the
list of valid names instead of being ignored.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from emulator.core import scenario as scenarios
from emulator.core.errors import EmulatorError
from emulator.core.states import BatchState

Policy = Literal["immediate", "timed", "polls", "manual", "script"]


class Timing(BaseModel):
    """How batches move through their phases.

    - `immediate`: done on the first read after create.
    - `timed`: fixed phase durations plus `per_request` seconds of processing per request,
      the in_progress phase capped at `max_in_progress` seconds (default 8: any batch ends
      within about 8.3 s of wall time, a 100-request one passes every state in about a
      second). `timed:linear`, or a mapping that sets `in_progress`/`per_request` itself,
      has no cap: processing then scales with the batch without bound.
    - `polls`: one phase per `polls` reads of the batch.
    - `manual`: only `advance`/transition (and expiry) move it.
    - `script`: each read shows the next state of `script` (the last one repeats).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: Policy = "timed"
    validating: float = Field(0.2, ge=0)
    in_progress: float = Field(0.3, ge=0)
    finalizing: float = Field(0.1, ge=0)
    per_request: float = Field(0.005, ge=0)
    max_in_progress: float | None = Field(8.0, ge=0)
    polls: int = Field(1, ge=1)
    script: tuple[BatchState, ...] = ()
    cancel_delay: float | None = Field(0.1, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _immediate_cancels_at_once(cls, data: Any) -> Any:
        """`immediate` means no waiting anywhere, cancels included, however it is spelled.

        Durations written by hand are used as written: a mapping that sets `in_progress` or
        `per_request` and says nothing of `max_in_progress` gets no cap (a test that plans
        40 s of processing must see 40 s, not the default bound).
        """
        if isinstance(data, dict) and data.get("policy") == "immediate":
            data = {"cancel_delay": 0.0, **data}
        if (
            isinstance(data, dict)
            and "max_in_progress" not in data
            and ("in_progress" in data or "per_request" in data)
        ):
            data = {**data, "max_in_progress": None}
        return data

    @model_validator(mode="after")
    def _script_needs_states(self) -> Timing:
        if self.policy == "script" and not self.script:
            raise ValueError("policy 'script' needs a non-empty `script` of states")
        return self

    @classmethod
    def parse(cls, spec: str | dict[str, Any] | Timing) -> Timing:
        """Accept `immediate`, `timed`, `timed:linear`, `manual`, `polls:N`, `script:a,b,c`
        or a mapping.

        The string grammar is strict (ASCII digits, known state names, no stray arguments) so
        a typo in a header or marker is an error naming the valid forms, not a silent default.
        """
        if isinstance(spec, Timing):
            return spec
        if isinstance(spec, dict):
            return cls.model_validate(spec)
        name, colon, arg = spec.strip().partition(":")
        if name == "polls" and colon and _DIGITS.fullmatch(arg):
            if int(arg) < 1:
                raise ValueError(
                    f"timing {spec!r}: polls:N moves one phase every N reads, N >= 1;"
                    f" use {TIMING_FORMS}"
                )
            return cls(policy="polls", polls=int(arg))
        if name == "script" and colon:
            return cls(policy="script", script=_script(arg))
        if name in ("immediate", "timed", "manual") and not colon:
            return cls(policy=name)
        if name == "timed" and colon and arg == "linear":
            return cls(policy="timed", max_in_progress=None)
        raise ValueError(f"unknown timing {spec!r}; use {TIMING_FORMS}")


TIMING_FORMS = "immediate, timed, manual, polls:N (N >= 1), script:s1,s2,... or timed:linear"
_DIGITS = re.compile(r"[0-9]+")


def _script(arg: str) -> tuple[BatchState, ...]:
    names = [part.strip() for part in arg.split(",")]
    valid = {state.value for state in BatchState}
    bad = [name for name in names if name not in valid]
    if bad or not names:
        raise ValueError(
            f"unknown state(s) {', '.join(map(repr, bad))} in script timing; "
            f"states: {', '.join(sorted(valid))}"
        )
    return tuple(BatchState(name) for name in names)


class EmulatorConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = 0
    timing: Timing = Timing()
    scenario: str | None = None
    # OpenAI limits (reference: 200 MB, 50,000 requests per batch input file).
    max_file_bytes: int = Field(200 * 1024 * 1024, ge=1)
    max_batch_requests: int = Field(50_000, ge=1)
    # Anthropic: counts stay zero until the batch ends, as the real service documents.
    incremental_counts: bool = False
    # Shuffle result order (seeded) so clients that rely on input order fail their tests.
    shuffle_results: bool = False
    # Base URL to put in absolute links (results_url, upload URLs) behind a proxy.
    external_url: str | None = None
    # Fault rules loaded at every reset: HttpFault/ItemFault/BatchFault values or their JSON
    # form {"kind": "http"|"item"|"batch", ...}; stored as validated JSON (docs/faults.md).
    faults: tuple[dict[str, Any], ...] = ()
    # Bifrost: "wire" answers as the gateway really does; "schema" as its published OpenAPI.
    bifrost_mode: Literal["wire", "schema"] = "wire"
    # Where succeeded bodies come from (emulator.core.responders), in this order: a Python
    # callable (endpoint, request_body) -> body | ItemError | None (Python only: it is not
    # part of the JSON config), a directory of canned JSON responses, then the generator,
    # with `echo` replacing generated text by the request's last user message.
    responder: Callable[[str, dict[str, Any]], Any] | None = Field(None, exclude=True)
    canned_responses: str | None = None
    echo: bool = False
    # Access (emulator.guard). Owner-only: never changed over HTTP (control.OWNER_ONLY).
    # Host names besides loopback that this server answers for (`serve --allow-host`).
    allowed_hosts: tuple[str, ...] = ()
    # When set, /_emulator/* requires it (`Authorization: Bearer` or `X-Emulator-Token`).
    # Excluded from dumps so GET /_emulator/config never shows it.
    control_token: str | None = Field(None, exclude=True, repr=False, min_length=1)

    @field_validator("timing", mode="before")
    @classmethod
    def _timing_shorthand(cls, value: Any) -> Any:
        """A string spec is parsed here; a mapping is validated as a nested `Timing`."""
        return Timing.parse(value) if isinstance(value, str) else value

    @field_validator("control_token")
    @classmethod
    def _real_token(cls, value: str | None) -> str | None:
        """A blank token would guard nothing anyone cannot send: refused, as an empty one."""
        if value is not None and not value.strip():
            raise ValueError("control_token is blank: give a token, or leave it unset")
        return value

    @field_validator("scenario")
    @classmethod
    def _known_scenario(cls, value: str | None) -> str | None:
        """Checked now, not at the first create: a typo must fail where it was written."""
        try:
            scenarios.parse(value)
        except EmulatorError as exc:
            raise ValueError(exc.message) from None
        return value

    @field_validator("faults", mode="before")
    @classmethod
    def _fault_specs(cls, value: Any) -> Any:
        from emulator.core.fault_rules import MAX_RULES, as_spec  # core imports this module

        if not isinstance(value, list | tuple):
            raise ValueError("faults must be a list of fault rules")
        if len(value) > MAX_RULES:
            raise ValueError(f"faults: at most {MAX_RULES} rules, got {len(value)}")
        return tuple(as_spec(rule) for rule in value)

    def merged(self, **changes: Any) -> EmulatorConfig:
        """A new config with `changes` applied, validated as strictly as a fresh one."""
        current = {  # excluded from dumps, so carried over by hand
            **self.model_dump(),
            "responder": self.responder,
            "control_token": self.control_token,
        }
        return EmulatorConfig.model_validate({**current, **changes})

    @classmethod
    def from_file(cls, path: str | Path) -> EmulatorConfig:
        """JSON, or TOML when the name ends in .toml (stdlib tomllib: no extra dependency)."""
        path = Path(path)
        text = path.read_text()
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        return cls.model_validate(data)


def describe_error(exc: ValidationError) -> str:
    """One readable line per problem, naming the valid keys on an unknown one."""
    lines = []
    for err in exc.errors():
        loc = err["loc"]
        where = ".".join(str(p) for p in loc) or "config"
        hint = ""
        if err["type"] == "extra_forbidden":
            model = Timing if len(loc) > 1 and loc[0] == "timing" else EmulatorConfig
            hint = f" (valid options: {', '.join(sorted(model.model_fields))})"
        lines.append(f"{where}: {err['msg']}{hint}")
    return "; ".join(lines)
