"""Every provider's profile: what the emulator hands the core when it is built.

A new provider joins here (and in `app.create_app` for its routes); the core needs nothing else.
"""

from __future__ import annotations

from emulator.core.profile import Profile
from emulator.providers.anthropic.profile import PROFILE as ANTHROPIC
from emulator.providers.bifrost.profile import PROFILES as BIFROST
from emulator.providers.gemini.profile import PROFILE as GEMINI
from emulator.providers.openai.profile import PROFILE as OPENAI

PROFILES: tuple[Profile, ...] = (OPENAI, ANTHROPIC, GEMINI, *BIFROST)
