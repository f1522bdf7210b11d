"""Pure mapping between the core and Groq's wire format. No I/O, no store access.

Groq's batch, file and error objects are OpenAI's (reference more-providers §2.2, from the
`groq` SDK types), so OpenAI's mapping is reused; what differs is the completion window
(24h..7d, echoed), the model catalogue, and Groq's additions to chat bodies (`x_groq`,
timing fields in `usage`).
"""

from __future__ import annotations

import re
from typing import Any

from emulator.core.batch import View
from emulator.providers.openai import dialect as openai
from emulator.providers.openai.validation import LineRules

ENDPOINTS = ("/v1/chat/completions",)  # the SDK's `endpoint` Literal
MIN_WINDOW, MAX_WINDOW = 86_400, 7 * 86_400  # "Durations from `24h` to `7d`" (SDK docstring)
MAX_FILE_BYTES = 100 * 1024 * 1024  # ".jsonl file up to 100 MB" (SDK docstring)
WINDOW = re.compile(r"^(\d+)([hd])$")
# Model families Groq serves for batch (console.groq.com/docs/batch; the list changes) [I].
MODEL_PREFIXES = (
    "llama",
    "meta-llama/",
    "openai/gpt-oss",
    "qwen",
    "moonshotai/",
    "deepseek",
    "gemma",
    "mistral-saba",
    "allam",
    "groq/",
    "compound",
)
RULES = LineRules(model_ok=lambda name: name.startswith(MODEL_PREFIXES))


def window_seconds(window: str) -> int | None:
    """`24h`, `36h`, `7d`... in seconds, or None if it is not a window Groq accepts."""
    found = WINDOW.match(window)
    if found is None:
        return None
    seconds = int(found.group(1)) * (3600 if found.group(2) == "h" else 86_400)
    return seconds if MIN_WINDOW <= seconds <= MAX_WINDOW else None


def batch_to_wire(view: View, tokens: tuple[int, int] | None = None) -> dict[str, Any]:
    body = openai.batch_to_wire(view, tokens)
    body.pop("usage", None)  # not in Groq's Batch type
    body.pop("model", None)
    return body
