"""EmulatorConfig: one frozen, strict value for everything a user can tune.

Strict (`extra="forbid"`) so a typo in a marker, a config file or a PATCH fails loudly with the
list of valid names instead of being ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emulator.core.states import BatchState

Policy = Literal["immediate", "timed", "polls", "manual", "script"]


class Timing(BaseModel):
    """How batches move through their phases.

    - `immediate`: done on the first read after create.
    - `timed`: fixed phase durations plus `per_request` seconds of processing per request.
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
    polls: int = Field(1, ge=1)
    script: tuple[BatchState, ...] = ()
    cancel_delay: float | None = Field(0.1, ge=0)

    @model_validator(mode="after")
    def _script_needs_states(self) -> Timing:
        if self.policy == "script" and not self.script:
            raise ValueError("policy 'script' needs a non-empty `script` of states")
        return self

    @classmethod
    def parse(cls, spec: str | dict[str, Any] | Timing) -> Timing:
        """Accept `immediate`, `timed`, `manual`, `polls:N`, `script:a,b,c` or a mapping."""
        if isinstance(spec, Timing):
            return spec
        if isinstance(spec, dict):
            return cls.model_validate(spec)
        name, _, arg = spec.partition(":")
        if name == "polls":
            return cls(policy="polls", polls=int(arg or 1))
        if name == "script":
            states = tuple(BatchState(s.strip()) for s in arg.split(",") if s.strip())
            return cls(policy="script", script=states)
        if name == "immediate":
            return cls(policy="immediate", cancel_delay=0)
        if name in ("timed", "manual"):
            return cls(policy=name)
        raise ValueError(
            f"unknown timing {spec!r}; use immediate, timed, manual, polls:N or script:s1,s2,..."
        )


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

    @model_validator(mode="before")
    @classmethod
    def _timing_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("timing"), str | dict):
            data = {**data, "timing": Timing.parse(data["timing"])}
        return data

    def merged(self, **changes: Any) -> EmulatorConfig:
        """A new config with `changes` applied, validated as strictly as a fresh one."""
        return EmulatorConfig.model_validate({**self.model_dump(), **changes})

    @classmethod
    def from_file(cls, path: str | Path) -> EmulatorConfig:
        return cls.model_validate(json.loads(Path(path).read_text()))


def describe_error(exc: ValidationError) -> str:
    """One readable line per problem, naming the valid keys on an unknown one."""
    valid = ", ".join(sorted(EmulatorConfig.model_fields))
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "config"
        hint = f" (valid options: {valid})" if err["type"] == "extra_forbidden" else ""
        lines.append(f"{where}: {err['msg']}{hint}")
    return "; ".join(lines)
