"""Bifrost's profiles: operation names only. Every batch made through Bifrost is stored under
the routed provider's own profile, so its lifecycle is that provider's, whatever the door."""

from __future__ import annotations

from emulator.core.profile import Door, Profile
from emulator.providers.openai.profile import DOOR as OPENAI_DOOR, OPERATIONS as OPENAI_OPERATIONS

UNIFIED = Profile(
    name="bifrost",
    operations=frozenset(
        {
            "batches.create",
            "batches.list",
            "batches.retrieve",
            "batches.cancel",
            "batches.results",
            "files.create",
            "files.list",
            "files.retrieve",
            "files.delete",
            "files.content",
        }
    ),
    results_operation="files.content",
    # The unified results call: in its default `wire` mode an OpenAI batch's answer leaves the
    # error file out (the gateway never reads it), in `schema` mode it has both; the journal
    # cannot tell the modes apart, so it counts as reading both (no finding without evidence).
    door=Door(
        status=frozenset({"batches.retrieve"}),
        results=frozenset({"batches.results"}),
        files=frozenset({"files.content"}),
    ),
)
# The OpenAI-compatible routes (`/bifrost/openai/v1/...`), journalled as their own dialect.
OPENAI_COMPAT = Profile(
    name="bifrost-openai",
    operations=OPENAI_OPERATIONS - {"unrouted"},  # OpenAI's own handlers, no catch-alls
    door=OPENAI_DOOR,
)
PROFILES = (UNIFIED, OPENAI_COMPAT)
