"""Anthropic's lifecycle rules for the core.

Results are read through `/results`, never stored as files; they come back in input order unless
`shuffle_results` asks for a seeded order (the docs promise none: "Results may not be in the
same order as requests; use custom_id"); an unfinished batch cannot be deleted ("In progress
batches cannot be deleted. Consider canceling the batch instead.").
"""

from __future__ import annotations

from emulator.core.profile import Door, Keeping, Profile

OPERATIONS = frozenset(
    {
        "messages.batches.create",
        "messages.batches.list",
        "messages.batches.retrieve",
        "messages.batches.delete",
        "messages.batches.cancel",
        "messages.batches.results",
    }
)
PROFILE = Profile(
    name="anthropic",
    operations=OPERATIONS,
    result_order="input",
    shuffle_option=True,
    delete_needs_end=True,
    recancel_ok=False,
    results_operation="messages.batches.results",
    door=Door(
        status=frozenset({"messages.batches.retrieve"}),
        results=frozenset({"messages.batches.results"}),
    ),
    keeping=Keeping(
        results_hint="read messages.batches.results (succeeded and errored lines alike)",
        poll_every=60.0,
        poll_source="Anthropic's batch examples sleep 60 s between retrieves",
    ),
)
