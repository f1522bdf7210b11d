"""Import the SDKs and the whole emulator once, before any test runs.

`pytester.runpytest()` (in-process) snapshots `sys.modules` and deletes every module first
imported during the inner session. If an SDK's transport modules were first imported there,
later tests would see two copies of `httpx2.RemoteProtocolError` and the SDK's own
`except httpx.TransportError` would stop matching. Importing everything up front keeps one copy.
"""

from __future__ import annotations

import anthropic
import google.genai
import h11
import httpcore
import httpx
import openai

import emulator.app
import emulator.pytest_plugin

PRELOADED = [
    anthropic,
    google.genai,
    h11,
    httpcore,
    httpx,
    openai,
    emulator.app,
    emulator.pytest_plugin,
]
try:  # the 3.x SDKs use the httpx2 fork
    import httpcore2
    import httpx2

    PRELOADED += [httpcore2, httpx2]
except ImportError:  # pragma: no cover - older SDK generations
    pass
