"""Every provider's profile: what the emulator hands the core when it is built.

A new provider joins here (and in `app.create_app` for its routes); the core needs nothing else.
"""

from __future__ import annotations

from emulator.core.profile import Profile
from emulator.providers.anthropic.profile import PROFILE as ANTHROPIC
from emulator.providers.azure.profile import PROFILE as AZURE
from emulator.providers.bedrock.profile import PROFILE as BEDROCK
from emulator.providers.bifrost.profile import PROFILES as BIFROST
from emulator.providers.gcs.profile import PROFILE as GCS
from emulator.providers.gemini.profile import PROFILE as GEMINI
from emulator.providers.groq.profile import PROFILE as GROQ
from emulator.providers.mistral.profile import PROFILE as MISTRAL
from emulator.providers.openai.profile import PROFILE as OPENAI
from emulator.providers.s3.profile import PROFILE as S3
from emulator.providers.together.profile import PROFILE as TOGETHER
from emulator.providers.vertex.profile import PROFILE as VERTEX

PROFILES: tuple[Profile, ...] = (
    OPENAI,
    ANTHROPIC,
    GEMINI,
    *BIFROST,
    AZURE,
    GROQ,
    MISTRAL,
    TOGETHER,
    BEDROCK,
    VERTEX,
    S3,
    GCS,
)
