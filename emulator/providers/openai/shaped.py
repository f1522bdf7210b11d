"""The OpenAI Batch surface for providers whose wire is OpenAI-shaped (Azure, Groq).

A `Shape` says how one such provider's batch routes differ: where its batches live (scope), how
its batch objects are rendered, whether its list pages. The handlers below are OpenAI's own,
parametrised by it, so Azure and Groq reuse OpenAI's mapping instead of copying it. (Their
result files are the core's business, through each provider's profile.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.core.batch import View
from emulator.core.paging import window
from emulator.core.service import BatchService
from emulator.core.states import TERMINAL
from emulator.http import json_response
from emulator.providers.openai import dialect as d, params
from emulator.providers.openai.routes import list_body

BatchMapper = Callable[[View, "tuple[int, int] | None"], dict[str, Any]]


@dataclass(frozen=True)
class Shape:
    scope: str
    batch_to_wire: BatchMapper = d.batch_to_wire
    paged: bool = True  # False: the list answers every batch at once (Groq)


def render(service: BatchService, shape: Shape, view: View) -> dict[str, Any]:
    """Map a view (the core has already made its result files if it has ended)."""
    tokens = service.usage(view) if view.state in TERMINAL else None
    return shape.batch_to_wire(view, tokens)


async def get_batch(service: BatchService, shape: Shape, request: Request) -> Response:
    view = service.get_batch(request.path_params["batch_id"], {shape.scope})
    return json_response(render(service, shape, view))


async def cancel_batch(service: BatchService, shape: Shape, request: Request) -> Response:
    view = service.cancel_batch(request.path_params["batch_id"], {shape.scope})
    return json_response(render(service, shape, view))


async def list_batches(service: BatchService, shape: Shape, request: Request) -> Response:
    views = service.list_batches({shape.scope})
    if not shape.paged:
        return json_response({"object": "list", "data": [render(service, shape, v) for v in views]})
    limit = params.parse_limit(request.query_params.get("limit"), 20, 100)
    ids = [v.batch.id for v in views]
    page, more = window(views, ids, after=request.query_params.get("after"), limit=limit)
    return json_response(list_body([render(service, shape, v) for v in page], more))
