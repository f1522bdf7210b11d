"""The service's results half: seeded bodies generated on demand, usage, result files.

A mixin of `BatchService` so dialects keep one object to call. Bodies are never stored for big
batches: they are deterministic, so regenerating them is always possible and cheaper in memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from emulator.config import EmulatorConfig
from emulator.core.batch import Batch, ItemError, View
from emulator.core.files import StoredFile
from emulator.core.ids import base62_id, digest, rng_for
from emulator.core.journal import note_results
from emulator.core.objects import ObjectStore
from emulator.core.profile import Profile
from emulator.core.responders import ResponderChain
from emulator.core.results import GenContext, generate
from emulator.core.results.shapes import token_usage
from emulator.core.states import TERMINAL, BatchState, Outcome

DAY = 86_400.0


@dataclass(frozen=True)
class ItemResult:
    index: int
    custom_id: str
    outcome: Outcome
    body: dict[str, Any] | None
    error: ItemError | None
    line_id: str
    request_id: str


CACHE_ITEMS = 10_000


class _Totals:
    """Adds up token usage while results stream past."""

    def __init__(self) -> None:
        self.value = (0, 0)

    def tap(self, endpoint: str, results: Iterable[ItemResult]) -> Iterator[ItemResult]:
        tokens_in = tokens_out = 0
        for result in results:
            if result.body is not None:
                used = token_usage(endpoint, result.body)
                tokens_in += used[0]
                tokens_out += used[1]
            yield result
        self.value = (tokens_in, tokens_out)


class ResultsMixin:
    config: EmulatorConfig
    responders: ResponderChain
    _lock: threading.RLock
    _results: dict[str, list[ItemResult]]
    _replies: dict[str, dict[int, dict[str, Any]]]
    _usage: dict[str, tuple[int, int]]
    add_file: Callable[..., StoredFile]
    profile: Callable[[str], Profile]
    objects: ObjectStore

    def iter_results(self, view: View) -> Iterator[ItemResult]:
        """Every item with an outcome at this view, generated on demand (nothing kept)."""
        batch = view.batch
        ended = view.moment.ended_at
        created = int(ended if ended is not None else view.now)
        for index, outcome in view.outcomes():
            yield self._result(batch, index, outcome, created)

    def results(self, view: View) -> list[ItemResult]:
        """As `iter_results`; kept once the batch is terminal if it is small enough.

        Big batches are regenerated on each call instead (bodies are deterministic), which
        trades CPU for not holding hundreds of MB of result dicts.
        """
        batch = view.batch
        keep = view.state in TERMINAL and len(batch.items) <= CACHE_ITEMS
        with self._lock:
            if keep and batch.id in self._results:
                return self._results[batch.id]
        out = list(self.iter_results(view))
        if keep:
            with self._lock:
                self._results[batch.id] = out
        return out

    def usage(self, view: View) -> tuple[int, int]:
        """(input, output) tokens over the succeeded items; computed once per terminal batch."""
        batch = view.batch
        with self._lock:
            known = self._usage.get(batch.id)
        if known is not None and view.state in TERMINAL:
            return known
        totals = _Totals()
        for _ in totals.tap(batch.endpoint, self.iter_results(view)):
            pass
        if view.state in TERMINAL:
            with self._lock:
                self._usage[batch.id] = totals.value
        return totals.value

    def _result(self, batch: Batch, index: int, outcome: Outcome, created: int) -> ItemResult:
        item = batch.items[index]
        seed = self.config.seed
        key = digest(seed, batch.id, item.custom_id, size=48)  # one digest: rng + two ids
        body = None
        canned = self._replies.get(batch.id, {}).get(index)
        if outcome is Outcome.SUCCEEDED and canned is not None:
            body = canned
        elif outcome is Outcome.SUCCEEDED:
            ctx = GenContext(
                endpoint=batch.endpoint,
                body=item.body,
                key=key,
                custom_id=item.custom_id,
                batch_id=batch.id,
                model=batch.model or str(item.body.get("model", "")),
                created=created,
                seed=seed,
            )
            body = generate(ctx)
            self.responders.finish(batch.endpoint, item.body, body)
        return ItemResult(
            index=index,
            custom_id=item.custom_id,
            outcome=outcome,
            body=body,
            error=item.error if outcome is Outcome.ERRORED else None,
            line_id="batch_req_" + key[16:32].hex(),
            request_id="req_" + key[32:48].hex(),
        )

    def settle_files(self, view: View, profile: Profile) -> None:
        """Create a finished batch's result files, the first time anything observes it.

        The files are stamped with the instant the batch finished, not the instant of the first
        read, so a batch nobody polled looks exactly like one a client watched. Results stream
        from the generator into the provider's renderer, and token usage is added up in the
        same pass: a 50,000-line batch is generated once and never held as dicts.
        """
        batch = view.batch
        if batch.files_ready or view.state not in TERMINAL:
            return
        if profile.render_objects is not None and batch.extra.get("output_uri"):
            self._settle_objects(view, profile)
        render = profile.render_files
        if render is None or view.state is BatchState.FAILED:
            batch.files_ready = True
            return
        totals = _Totals()
        output, errors = render(view, totals.tap(batch.endpoint, self.iter_ordered(view)))
        finished = view.moment.ended_at
        stamp = view.now if finished is None else finished
        seed = self.config.seed
        with self._lock:  # a racing reader renders the same bytes, so no second check
            self._usage[batch.id] = totals.value
            for kind, data in (("output", output), ("error", errors)):
                if data is None:
                    continue
                name = (
                    profile.file_id(batch.id, kind)
                    if profile.file_id
                    else "file-" + base62_id(seed, batch.id, kind, length=22)
                )
                self.add_file(
                    batch.dialect,
                    f"{batch.id}_{kind}.jsonl",
                    "batch_output",
                    data,
                    expires_after=batch.extra.get("output_expires_after") or profile.output_ttl,
                    file_id=name,
                    created_at=stamp,
                    derived=True,
                )
                setattr(batch, f"{kind}_file_id", name)
            batch.files_ready = True

    def _settle_objects(self, view: View, profile: Profile) -> None:
        """Write a finished batch's results into object storage under its output URI, stamped
        with the finish instant (the same rule as result files)."""
        batch = view.batch
        render = profile.render_objects
        assert render is not None
        scheme, _, rest = str(batch.extra["output_uri"]).partition("://")
        bucket, _, prefix = rest.partition("/")
        finished = view.moment.ended_at
        stamp = view.now if finished is None else finished
        totals = _Totals()
        written = render(view, totals.tap(batch.endpoint, self.iter_ordered(view)))
        folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        for name, data, ctype in written:
            self.objects.put_anyway(bucket, folder + name, data, stamp, ctype, batch.id)
        self.objects.outputs_written(batch.id)
        with self._lock:
            self._usage[batch.id] = totals.value
        batch.extra["output_objects"] = [f"{scheme}://{bucket}/{folder}{n}" for n, _, _ in written]
        batch.files_ready = True

    def result_order(self, batch: Batch, profile: Profile) -> list[int]:
        """Item indices in the batch's one result order, whichever door reads it.

        `shuffle_results` gives a seeded order that is never the input order, for providers that
        promise no order, so clients that depend on input order fail their tests.
        """
        if profile.result_order == "finish":
            return list(batch.order)
        order = list(range(len(batch.items)))
        if profile.shuffle_option and self.config.shuffle_results and len(order) > 1:
            rng_for(self.config.seed, f"{profile.name}-results", batch.id).shuffle(order)
            if order == sorted(order):
                order = order[1:] + order[:1]
        return order

    def iter_ordered(self, view: View) -> Iterator[ItemResult]:
        """`ordered_results`, generated as it is consumed: rendering a 50,000-line file then
        holds one result at a time, not 50,000 result dicts (some 80 MB)."""
        batch = view.batch
        profile = self.profile(batch.dialect)
        if profile.result_order == "finish" and not profile.shuffle_option:
            yield from self.iter_results(view)
            return
        with self._lock:
            kept = self._results.get(batch.id) if view.state in TERMINAL else None
        if kept is not None:
            yield from self.ordered_results(view)
            return
        outcomes = dict(view.outcomes())
        ended = view.moment.ended_at
        created = int(ended if ended is not None else view.now)
        for index in self.result_order(batch, profile):
            outcome = outcomes.get(index)
            if outcome is not None:
                yield self._result(batch, index, outcome, created)

    def results_in_answer(self, view: View) -> list[ItemResult]:
        """`ordered_results` for an answer that hands them back from a status read (Mistral's
        `?inline=true`): the journal notes it, so the client verdict counts the results read."""
        note_results(view.batch.id)
        return self.ordered_results(view)

    def ordered_results(self, view: View) -> list[ItemResult]:
        """Every item with an outcome, in the batch's result order."""
        results = self.results(view)
        profile = self.profile(view.batch.dialect)
        if profile.result_order == "finish" and not profile.shuffle_option:
            return results  # already in finishing order
        rank = {index: n for n, index in enumerate(self.result_order(view.batch, profile))}
        return sorted(results, key=lambda r: rank[r.index])
