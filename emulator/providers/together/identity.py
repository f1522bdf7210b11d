"""Together's ids, and who a Together API key is: the `user_id` batch objects carry and the
`GET /v3/whoami` answer the together 3.x CLI reads before every command to find the key's
project.

Both derive from the key alone (a hash), so one key always gets the same ids and two keys never
share one; no key is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from emulator.core.ids import base62_id, digest, hex_id


def uuid4(*parts: object) -> str:
    """A seeded UUID with version 4 and the RFC variant, as every recorded Together batch and
    file id is (`1ea94710-592e-4f11-a92f-…`, `file-73585c5e-0a77-49f6-ac0c-…`)."""
    return str(uuid.UUID(bytes=digest("together", *parts), version=4))


def user_id(api_key: str) -> str:
    """24 hex digits, the shape recorded in every `BatchJob` Together printed
    (`user_id='66f0bd504fb9511df3489b9a'`, together-cookbook Batch_Inference_Evals.ipynb)."""
    return hex_id("together-user", api_key, length=24)


def _suffix(kind: str, api_key: str) -> str:
    return base62_id("together-whoami", kind, api_key, length=16).lower()


def whoami(api_key: str) -> dict[str, Any]:
    """A project API key (`type: project_api_key`, the `WhoamiProjectAPIKey` of the 3.x SDK);
    ids shaped as Together's CLI guide prints them (`proj_xxxxxxxxxxxxxxxx`, `org_…`, `key_…`,
    docs.together.ai/reference/cli/whoami). Names and slug are the emulator's own [I]."""
    project = "proj_" + _suffix("project", api_key)
    return {
        "type": "project_api_key",
        "api_key": {"id": "key_" + _suffix("key", api_key)},
        "organization": {"id": "org_" + _suffix("org", api_key), "name": "Batch Emulator"},
        "project": {"id": project, "name": "Batch Emulator", "slug": "batch-emulator"},
    }
