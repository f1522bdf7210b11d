"""Helpers for comparing the emulator's answers with responses recorded from the real services.

A recording is compared by *shape*: the same keys (nothing missing, nothing extra), the same
JSON types, null where the recording has null; values are compared only where they are
deterministic facts (messages, constants, id and timestamp formats, arithmetic between fields).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"

OPENAI_BATCH_ID = re.compile(r"batch_[0-9a-f]{32}")
OPENAI_FILE_ID = re.compile(r"file-[A-Za-z0-9]{22}")
ANTHROPIC_BATCH_ID = re.compile(r"msgbatch_01[A-Za-z0-9]{22}")
ANTHROPIC_MESSAGE_ID = re.compile(r"msg_01[A-Za-z0-9]{22}")
GEMINI_BATCH_NAME = re.compile(r"batches/[a-z0-9]{36}")
GEMINI_FILE_NAME = re.compile(r"files/[a-z0-9]{12}")
RESPONSES_ID = re.compile(r"(resp|msg)_[0-9a-f]{50}")
ANTHROPIC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


def load(relative: str) -> Any:
    document = json.loads((RECORDED / relative).read_text())
    source = document.get("source") or {}
    assert source.get("repository") or source.get("url") or document.get("note"), relative
    return document


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively; a list is described by its first element."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def without(value: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k not in keys}


def nulls(value: dict[str, Any]) -> set[str]:
    """The top-level keys that are null: null vs set is what a client branches on."""
    return {key for key, item in value.items() if item is None}
