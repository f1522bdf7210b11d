"""Result bodies of the non-Anthropic model families Bedrock batch runs (InvokeModel bodies).

Anthropic models on Bedrock answer with the Messages API body (the `anthropic/messages`
generator serves them). Amazon Nova answers `{output: {message}, stopReason, usage}` and Meta
Llama `{generation, prompt_token_count, generation_token_count, stop_reason}` (AWS Bedrock
model-parameters pages for Nova and Llama). Content is request-driven: the token limit the
body names cuts the reply, and input tokens are estimated from the body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.results.context import GenContext, estimate_tokens, quick_reply

NOVA = "bedrock/nova"
LLAMA = "bedrock/llama"


def _positive(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return value if ok else None


def nova(ctx: GenContext) -> dict[str, Any]:
    config = ctx.body.get("inferenceConfig")
    limit = (
        _positive(config.get("maxTokens") or config.get("max_new_tokens"))
        if isinstance(config, dict)
        else None
    )
    text, tokens, truncated = quick_reply(ctx, limit)
    used_in = estimate_tokens(ctx.body.get("messages"))
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "max_tokens" if truncated else "end_turn",
        "usage": {"inputTokens": used_in, "outputTokens": tokens, "totalTokens": used_in + tokens},
    }


def llama(ctx: GenContext) -> dict[str, Any]:
    text, tokens, truncated = quick_reply(ctx, _positive(ctx.body.get("max_gen_len")))
    return {
        "generation": text,
        "prompt_token_count": estimate_tokens(ctx.body.get("prompt")),
        "generation_token_count": tokens,
        "stop_reason": "length" if truncated else "stop",
    }


BEDROCK_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {NOVA: nova, LLAMA: llama}
