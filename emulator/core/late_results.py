"""The `late_results:<seconds>` scenario: a batch reports success before its results exist.

Real Gemini batches have been seen in `BATCH_STATE_SUCCEEDED` with no `responsesFile` yet
(tidyverse/ellmer PR #926 keeps polling for exactly this), so clients need a way to exercise
that path. The batch runs like `success`; for `<seconds>` after it ended, the dialects that
support the scenario (Gemini, OpenAI) leave the result pointer out. `gemini_late_file` is
`late_results:30`.
"""

from __future__ import annotations

from emulator.core.batch import View
from emulator.core.states import BatchState

KEY = "late_results"


def results_missing(view: View) -> bool:
    """True while a finished batch still hides where its results are."""
    delay = view.batch.extra.get(KEY)
    ended = view.moment.ended_at
    if delay is None or ended is None or view.state is not BatchState.COMPLETED:
        return False
    return view.now < ended + float(delay)
