"""The floor: a bare Starlette app on uvicorn that answers every OpenAI call with a fixed body.

It does the least a server can do for each call the benchmark makes (drain the request, send
pre-built bytes), so the gap between it and the emulator is the emulator's own cost. Served the
way `python -m emulator serve` serves the emulator (uvicorn.run, h11, lifespan off, no access
log), on 127.0.0.1 port 0; the bound port is in uvicorn's startup line.

    FLOOR_OUTPUT_LINES=10 python benchmarks/floor_app.py
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

NOW = int(time.time())
JSON = "application/json"


def _file(file_id: str, purpose: str, size: int) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": NOW,
        "filename": "requests.jsonl",
        "purpose": purpose,
        "status": "processed",
        "expires_at": NOW + 30 * 86_400,
    }


def _batch(total: int) -> dict[str, Any]:
    return {
        "id": "batch_floor",
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "errors": None,
        "input_file_id": "file-floor-in",
        "completion_window": "24h",
        "status": "completed",
        "output_file_id": "file-floor-out",
        "error_file_id": None,
        "created_at": NOW,
        "in_progress_at": NOW,
        "expires_at": NOW + 86_400,
        "finalizing_at": NOW,
        "completed_at": NOW,
        "request_counts": {"total": total, "completed": total, "failed": 0},
        "metadata": None,
    }


def _output_line(i: int) -> str:
    body = {
        "id": f"chatcmpl-{i:08d}",
        "object": "chat.completion",
        "created": NOW,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "floor " * 20},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 20, "total_tokens": 40},
    }
    row = {
        "id": f"batch_req_{i:032d}",
        "custom_id": f"req-{i}",
        "response": {"status_code": 200, "request_id": f"req_{i:032d}", "body": body},
        "error": None,
    }
    return json.dumps(row, separators=(",", ":"))


def build_app(lines: int) -> Starlette:
    output = "".join(_output_line(i) + "\n" for i in range(lines)).encode()
    bodies = {
        "file": json.dumps(_file("file-floor-in", "batch", 4096)).encode(),
        "output": json.dumps(_file("file-floor-out", "batch_output", len(output))).encode(),
        "batch": json.dumps(_batch(lines)).encode(),
    }

    async def catch_all(request: Request) -> Response:
        await request.body()  # drain uploads the way any server must
        path = request.url.path
        if path.endswith("/content"):
            return Response(output, media_type="application/octet-stream")
        if path.startswith("/v1/files/file-floor-out"):
            return Response(bodies["output"], media_type=JSON)
        if path.startswith("/v1/files"):
            return Response(bodies["file"], media_type=JSON)
        return Response(bodies["batch"], media_type=JSON)

    methods = ["GET", "POST", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", catch_all, methods=methods)])


def main() -> None:
    app = build_app(int(os.environ.get("FLOOR_OUTPUT_LINES", "10")))
    uvicorn.run(app, host="127.0.0.1", port=0, log_level="info", access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
