"""Verdict rules about reading what a batch produced: results, failures, partial output.

A batch's output counts as unread only when the client *saw* the batch end (a call about it
answered with an ended state) and then never fetched what it had: a client that created a batch
and walked away, or whose test ended before the batch did, has shown no bug.
"""

from __future__ import annotations

from collections.abc import Iterator

from emulator.core import reading
from emulator.core.batch import View
from emulator.core.findings import Finding, Rule, Scene
from emulator.core.journal import JournalEntry
from emulator.core.states import BatchState

PREMATURE_TRIES = 2  # "repeated": one early try may be a guess, two are a loop


def _ended_sighting(view: View, calls: list[JournalEntry]) -> JournalEntry | None:
    return next((e for e in calls if reading.saw_ended(e, view.batch)), None)


def _has_results(scene: Scene, view: View) -> bool:
    if scene.read.keeping(view.batch).failures_apart:
        return view.batch.output_file_id is not None
    counts = view.counts
    return counts.succeeded + counts.errored > 0


def _finding(rule: str, view: View, message: str, evidence: list[JournalEntry]) -> Finding:
    return Finding(rule, view.batch.id, view.batch.dialect, message, tuple(evidence))


def error_file_unread(scene: Scene) -> Iterator[Finding]:
    """A batch with failed requests ended; the client read its output but never its error file.

    OpenAI's batch guide: the output file has "one response line for every successful request";
    "any failed requests ... error information written to an error file" (`error_file_id`), and
    expired or cancelled requests go there too. A client that reads only `output_file_id` loses
    every failure without a trace (instructor's BatchProcessor, distilabel's offline batch
    generation and autobatcher all did). Only failed requests count: the expired or cancelled
    ones a batch also lists there are the ones missing from the output, which a client can
    tell by their custom_ids. Anthropic (`errored` lines in the one results stream)
    and Gemini (per-item errors beside the responses) have no separate file to miss.
    """
    for view in scene.views:
        batch = view.batch
        failed = view.counts.errored
        if (
            not scene.read.keeping(batch).failures_apart
            or batch.error_file_id is None
            or not failed
        ):
            continue
        calls = scene.about(batch.id)
        seen = _ended_sighting(view, calls)
        if seen is None or any(scene.read.reads_failures(e, batch) for e in calls):
            continue
        read = [e for e in calls if scene.read.reads_results(e, batch)]
        if batch.output_file_id is not None and not read:
            continue  # nothing read at all: results_unread / partial_results_unread say so
        message = (
            f"{failed} request(s) of this {view.state.value} batch failed, and their "
            f"lines are only in the error file {batch.error_file_id}, which was never "
            "downloaded: read error_file_id as well as output_file_id"
        )
        yield _finding("error_file_unread", view, message, [seen, *read])


def results_unread(scene: Scene) -> Iterator[Finding]:
    """A batch completed, the client saw it complete, and never fetched its results.

    Anthropic: once `processing_status` is `ended`, "retrieve the results" from `results_url`;
    OpenAI: a completed batch's results are in `output_file_id`; Google: a succeeded job's
    responses are in `dest` (inline, or a file to download).
    """
    yield from _unread(scene, {BatchState.COMPLETED}, "results_unread")


def partial_results_unread(scene: Scene) -> Iterator[Finding]:
    """A cancelled or expired batch kept what it finished, and the client never fetched it.

    OpenAI: a cancelled batch "will have partial results (if any) available in the output
    file"; an expired one keeps its completed responses in the output file. Anthropic: a
    canceled batch ends and "may contain results". (Gemini keeps no responses for a cancelled
    or expired job, so the rule does not apply there.)
    """
    yield from _unread(scene, {BatchState.CANCELLED, BatchState.EXPIRED}, "partial_results_unread")


def _unread(scene: Scene, states: set[BatchState], rule: str) -> Iterator[Finding]:
    for view in scene.views:
        batch = view.batch
        if view.state not in states or not _has_results(scene, view):
            continue
        if rule == "partial_results_unread" and not scene.read.keeping(batch).partial_output:
            continue
        calls = scene.about(batch.id)
        seen = _ended_sighting(view, calls)
        if seen is None or any(scene.read.reads_results(e, batch) for e in calls):
            continue
        counts = view.counts
        message = (
            f"the client saw this batch {view.state.value} ({counts.succeeded} succeeded, "
            f"{counts.errored} errored) but never fetched its results: "
            f"{scene.read.keeping(batch).results_hint}"
        )
        yield _finding(rule, view, message, [seen])


def partial_job_read_as_complete(scene: Scene) -> Iterator[Finding]:
    """A job ran out of time with records never processed; the client saw it end, downloaded
    its output, never read the object that counts the records, and never made another job.

    Bedrock: `PartiallyCompleted` means "not all of your records could be processed in time"
    and `Expired` that the job never began; the records that did not run are simply absent from
    `<input>.jsonl.out`, and only `manifest.json.out` (`processedRecordCount` below
    `totalRecordCount`) says how many are missing (AWS batch-inference-results page). litellm
    1.110.2 maps `PartiallyCompleted` to `completed` and reads the `.jsonl.out` alone, so the
    missing half vanishes. Resubmitting the rest (any later job) clears the client. Where the
    counts come only with the status read (Vertex `completionStats`), no traffic can show
    whether the client looked, so the rule applies only where a profile names such an object.
    """
    order = {id(entry): at for at, entry in enumerate(scene.entries)}
    for view in scene.views:
        batch, counts = view.batch, view.counts
        name = scene.read.keeping(batch).counts_object
        missing = counts.total - counts.succeeded - counts.errored
        if not name or view.state is not BatchState.EXPIRED or missing <= 0:
            continue
        calls = scene.about(batch.id)
        seen = _ended_sighting(view, calls)
        # Object downloads only: through Bifrost's results route the counts come with the
        # status (its unified batch carries request_counts, and maps PartiallyCompleted to failed).
        read = [e for e in calls if e.file_id and scene.read.reads_results(e, batch)]
        if seen is None or not read or any(_names(e, name) for e in read):
            continue
        if _resubmitted(scene, view, order, order[id(seen)]):
            continue
        message = (
            f"this job ended {view.state.value} with {missing} of {counts.total} record(s) never "
            f"processed; the client read its output but never {name}, which counts them, and "
            "made no job for the rest: compare processedRecordCount with totalRecordCount"
        )
        yield _finding("partial_job_read_as_complete", view, message, [seen, *read])


def _names(entry: JournalEntry, name: str) -> bool:
    key = entry.file_id or ""
    return key == name or key.endswith("/" + name)


def _resubmitted(scene: Scene, view: View, order: dict[int, int], after: int) -> bool:
    """Another job of the same dialect first named (made) after the client saw this one end."""
    for other in scene.views:
        if other.batch.id == view.batch.id or other.batch.dialect != view.batch.dialect:
            continue
        first = scene.about(other.batch.id)
        if first and order[id(first[0])] > after:
            return True
    return False


def results_before_ready(scene: Scene) -> Iterator[Finding]:
    """Results asked for, again and again, while the batch had not ended.

    Anthropic: results are available "once processing_status is ended" (before that the
    results call is a 404); Bifrost answers an error. The documented way is to poll the batch's
    status and read the results once it has ended. (OpenAI and Gemini name their result files
    only once the batch has ended, so a client cannot ask for them early.)
    """
    for view in scene.views:
        batch = view.batch
        early = [
            e
            for e in scene.about(batch.id)
            if scene.read.asks_results(e, batch)
            and e.state is not None
            and BatchState(e.state) not in reading.ENDED
        ]
        if len(early) >= PREMATURE_TRIES:
            message = (
                f"results were requested {len(early)} times before the batch ended (it was "
                f"{early[-1].state}): poll its status until it has ended, then read the "
                "results once"
            )
            yield _finding("results_before_ready", view, message, early)


RULES: dict[str, Rule] = {
    "error_file_unread": error_file_unread,
    "results_unread": results_unread,
    "partial_results_unread": partial_results_unread,
    "partial_job_read_as_complete": partial_job_read_as_complete,
    "results_before_ready": results_before_ready,
}
