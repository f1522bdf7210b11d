"""What differs between providers about a batch's lifecycle, as data the core acts on.

Each provider package exports one `Profile` (HTTP-free), and the emulator hands them all to the
core when it is built. The core then owns everything a state *causes* (result files appear the
first time anything observes a finished batch; cancel, delete and results-readiness rules; file
expiry; the one result order) so every door onto a batch (native routes, Bifrost, the control
plane, the Python handle) sees the same thing. A dialect keeps only its wire mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from emulator.core.batch import View
    from emulator.core.outputs import ItemResult

DAY = 86_400.0
# (view, results in the batch's result order) -> (output file bytes, error file bytes); None
# where that file is not made (nothing succeeded, or the provider makes no such file).
FileRenderer = Callable[["View", Iterable["ItemResult"]], tuple[bytes | None, bytes | None]]
# "finish": the order items finished in (OpenAI's output file); "input": request order.
ResultOrder = Literal["finish", "input"]
# (view, results in result order) -> [(object name under the batch's output URI, bytes,
# content type)]: where a batch's results go when it names an object-store output (Bedrock's
# `<input>.jsonl.out` + `manifest.json.out`, Vertex's `predictions.jsonl`).
ObjectRenderer = Callable[["View", Iterable["ItemResult"]], list[tuple[str, bytes, str]]]


@dataclass(frozen=True)
class Door:
    status: frozenset[str] = frozenset()  # read one batch's state (the batch id is in the path)
    results: frozenset[str] = frozenset()  # deliver one batch's results (and failures with them)
    files: frozenset[str] = frozenset()  # download one file's content (the file id is in the path)


@dataclass(frozen=True)
class Keeping:
    results_hint: str  # how a client reads the results, for messages
    failures_apart: bool = False  # failures are in a file of their own (OpenAI's error file)
    results_on_status: bool = False  # reading a finished inline batch's status gives its results
    partial_output: bool = True  # a cancelled or expired batch keeps what it finished
    # The output object that says how many records were processed (Bedrock's manifest.json.out,
    # matched as the last part of the key); "": the status read says it (the verdict's
    # `partial_job_read_as_complete` applies only where there is such an object to miss).
    counts_object: str = ""
    poll_every: float = 5.0  # seconds: what the provider's own examples wait between reads
    poll_source: str = ""


@dataclass(frozen=True)
class Profile:
    """A provider's lifecycle rules. The defaults are the neutral choice, not any provider's."""

    name: str
    # Operation names its routes serve: what a fault rule may match for this dialect.
    operations: frozenset[str]
    # How result files are rendered, and the id each gets ((batch_id, "output"|"error") -> id).
    # None: results are read through an endpoint, never stored as files (Anthropic).
    render_files: FileRenderer | None = None
    file_id: Callable[[str, str], str] | None = None
    output_ttl: float = 30 * DAY
    # Cancel ends the batch at once (Gemini has no visible cancelling phase).
    instant_cancel: bool = False
    # Cancelling a batch that is already cancelled answers with the batch (OpenAI); False:
    # refused like any other ended batch (Anthropic: "has already ended").
    recancel_ok: bool = True
    result_order: ResultOrder = "finish"
    # `shuffle_results` applies: the provider documents no result order (Anthropic).
    shuffle_option: bool = False
    # Deleting a batch needs it ended first (Anthropic: "In progress batches cannot be deleted").
    delete_needs_end: bool = False
    # The operation that downloads results (`HttpFault.results_unavailable` aims here).
    results_operation: str | None = None
    # Fault options its SDK never reads (refused, with `unread_hint` saying what to use), and
    # the status names its error envelope carries (`google_status`; empty: none).
    unread_fault_options: frozenset[str] = frozenset()
    unread_hint: str = ""
    error_status_names: tuple[str, ...] = ()
    # What reading a batch's status, results and failures means here (the client verdict).
    door: Door = Door()
    keeping: Keeping | None = None
    # The provider's batch id shape, from the core's seeded id (Mistral and Together: UUIDs).
    batch_id: Callable[[str], str] | None = None
    # Results written to object storage (`batch.extra["output_uri"]`) instead of result files.
    render_objects: ObjectRenderer | None = None


def neutral(name: str) -> Profile:
    """The profile of a dialect nobody described: no files, no special rules."""
    return Profile(name=name, operations=frozenset())


def by_name(profiles: Iterable[Profile]) -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    for profile in profiles:
        if profile.name in out:
            raise ValueError(f"two profiles named {profile.name!r}")
        out[profile.name] = profile
    return out
