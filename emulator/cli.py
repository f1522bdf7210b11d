"""`batch-emulator serve`: the standalone server on uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import tomllib
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from emulator.api import Emulator
from emulator.app import create_app
from emulator.config import EmulatorConfig, describe_error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="batch-emulator", description="Local emulator of LLM batch APIs."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the emulator server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--timing", help="immediate | timed | timed:linear | manual | polls:N | script:a,b,c"
    )
    serve.add_argument("--seed", type=int)
    serve.add_argument("--config", help="JSON or TOML file of EmulatorConfig options")
    serve.add_argument(
        "--flavor",
        choices=("all", "bifrost"),
        default="all",
        help="'bifrost' serves the Bifrost gateway surface at the root",
    )
    serve.add_argument("--log-level", default="warning")
    return parser


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    config = EmulatorConfig.from_file(args.config) if args.config else EmulatorConfig()
    changes = {k: v for k, v in (("timing", args.timing), ("seed", args.seed)) if v is not None}
    return config.merged(**changes) if changes else config


def bind(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn so `--port 0` can print the port it really got."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP; without it every response body waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def banner(url: str, flavor: str) -> str:
    if flavor == "bifrost":
        return (
            f"batch-emulator (bifrost flavor) listening on {url}\n"
            f"  Unified:    {url}/v1/batches?provider=openai|anthropic|gemini\n"
            f'  OpenAI:     OpenAI(base_url="{url}/openai/v1", api_key="test")\n'
            f'  Anthropic:  Anthropic(base_url="{url}/anthropic", api_key="test")\n'
            f'  Gemini:     genai.Client(api_key="test", '
            f'http_options={{"base_url": "{url}/genai"}})\n'
            f"  Control:    {url}/_emulator/health\n"
        )
    return (
        f"batch-emulator listening on {url}\n"
        f'  OpenAI:     OpenAI(base_url="{url}/v1", api_key="test")\n'
        f'  Anthropic:  Anthropic(base_url="{url}", api_key="test")\n'
        f'  Gemini:     genai.Client(api_key="test", http_options={{"base_url": "{url}"}})\n'
        f"  Bifrost:    {url}/bifrost/v1/batches\n"
        f"  Control:    {url}/_emulator/health\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = build_config(args)
        emulator = Emulator(config)  # loads configured fault rules: a bad one is a config error
    except (ValidationError, ValueError, OSError, tomllib.TOMLDecodeError) as exc:
        message = describe_error(exc) if isinstance(exc, ValidationError) else str(exc)
        print(f"batch-emulator: invalid configuration: {message}", file=sys.stderr)
        return 2
    app = create_app(emulator, flavor=args.flavor)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"batch-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    url = f"http://{args.host}:{sock.getsockname()[1]}"
    print(banner(url, args.flavor), flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="off")
    )
    # uvicorn handles SIGINT itself; suppress covers a Ctrl-C before its handler is installed.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    return 0
