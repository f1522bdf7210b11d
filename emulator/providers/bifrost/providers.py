"""Which provider a Bifrost call is routed to, and the per-request behaviour mode.

Resolution follows current upstream Bifrost (PR #3973): the `provider/model` prefix of `model`
(create only), then the `x-model-provider` header, then the `?provider=` query parameter.
"""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request

from emulator.providers.bifrost.errors import BifrostError, refused, unsupported

# Bifrost's ModelProvider enum as published (seed `common.yaml`).
KNOWN = (
    "openai",
    "azure",
    "anthropic",
    "bedrock",
    "cohere",
    "vertex",
    "vllm",
    "mistral",
    "ollama",
    "groq",
    "sgl",
    "parasail",
    "perplexity",
    "replicate",
    "cerebras",
    "gemini",
    "openrouter",
    "elevenlabs",
    "huggingface",
    "nebius",
    "xai",
    "runway",
)
# The providers this emulator serves, and the core dialect (storage scope) each one lives in:
# a batch created through Bifrost is the same batch the provider's own API shows.
SCOPES = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "azure": "azure",
    "bedrock": "bedrock",
    "vertex": "vertex",
}
# Bifrost implements these upstream, but the emulator has no dialect for them here.
NOT_EMULATED = ("replicate",)
MISSING = "provider query parameter or x-model-provider header is required"
HEADER = "x-model-provider"
MODE_HEADER = "x-emulator-bifrost-mode"
# Bifrost's OpenAI-compatible routes pick `azure` for an `AzureOpenAI` client (its User-Agent is
# `AzureOpenAI/Python <version>`) when no provider is named (reference more-providers §5).
AZURE_AGENT = "AzureOpenAI"

Mode = Literal["wire", "schema"]


def split_model(model: str) -> tuple[str | None, str]:
    """`openai/gpt-4o` -> (openai, gpt-4o); the prefix counts only when it is a known provider."""
    prefix, sep, rest = model.partition("/")
    if sep and prefix in KNOWN:
        return prefix, rest
    return None, model


def requested(request: Request, model: str | None = None, body: str | None = None) -> str:
    if model:
        prefix, _ = split_model(model)
        if prefix:
            return prefix
    for value in (body, request.headers.get(HEADER), request.query_params.get("provider")):
        if value:
            return value.strip().lower()
    return ""


def compat_default(request: Request) -> str:
    """The provider of an OpenAI-compatible call that names none: by its client."""
    return "azure" if AZURE_AGENT in request.headers.get("user-agent", "") else "openai"


def check(provider: str, request_type: str) -> str:
    """The provider if this emulator can serve it, else Bifrost's refusal for it."""
    if not provider:
        raise refused(MISSING, request_type)
    if provider in SCOPES:
        return provider
    if provider not in KNOWN:
        raise BifrostError(
            f"provider not found for {request_type.replace('_', ' ')} request",
            request_type=request_type,
        )
    note = " (batch-emulator does not emulate it)" if provider in NOT_EMULATED else ""
    raise unsupported(request_type, provider, note)


def resolve(request: Request, request_type: str, model: str | None = None) -> str:
    return check(requested(request, model), request_type)


def mode(request: Request, default: str = "wire") -> Mode:
    """`wire` = what Bifrost really sends; `schema` = what its published OpenAPI schema says."""
    value = request.headers.get(MODE_HEADER) or request.query_params.get("emulator_mode")
    chosen = (value or default).strip().lower()
    if chosen not in ("wire", "schema"):
        raise refused(f"invalid {MODE_HEADER}: {chosen!r}; use 'wire' or 'schema'")
    return "schema" if chosen == "schema" else "wire"
