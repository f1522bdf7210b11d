"""Bifrost's profiles: operation names only. Every batch made through Bifrost is stored under
the routed provider's own profile, so its lifecycle is that provider's, whatever the door."""

from __future__ import annotations

from emulator.core.profile import Profile

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
)
# The OpenAI-compatible routes (`/bifrost/openai/v1/...`), journalled as their own dialect.
OPENAI_COMPAT = Profile(
    name="bifrost-openai",
    operations=frozenset(
        {
            "files.create",
            "files.list",
            "files.retrieve",
            "files.delete",
            "files.content",
            "batches.create",
            "batches.list",
            "batches.retrieve",
            "batches.cancel",
        }
    ),
)
PROFILES = (UNIFIED, OPENAI_COMPAT)
