"""`batch-emulator`: the command line. `serve` runs the standalone server on uvicorn.

Every misuse answers in one line on stderr (exit status 2), never a traceback: a bad flag value,
an unreadable or malformed config file (named), an invalid option. Subcommands register in
`SUBCOMMANDS`, each with its own `add_*` function and runner.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from emulator import __version__, state_cli, verdict_cli
from emulator.config import EmulatorConfig, describe_error
from emulator.core.persist.sqlite import StateError
from emulator.guard import TOKEN_ENV, is_loopback

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
WILDCARDS = ("0.0.0.0", "::", "")


class UsageError(Exception):
    """A one-line problem with what the user asked for (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (`prog: error: ...`) rather than usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Help(argparse.HelpFormatter):
    """Shows each option's default in `--help`, except where there is none to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0-65535; 0 picks a free one)")
    return port


def _log_level(text: str) -> str:
    level = text.lower()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r}; choose from {', '.join(LOG_LEVELS)}")
    return level


def add_serve(sub: Any) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the emulator server",
        description="Run the emulator on uvicorn; every call and batch state change is logged.",
        formatter_class=_Help,
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    serve.add_argument("--port", type=_port, default=8000, help="port; 0 picks a free one")
    serve.add_argument(
        "--timing",
        help="immediate | timed | timed:linear | manual | polls:N | script:a,b,c"
        " (default: the config's; timed)",
    )
    serve.add_argument(
        "--seed", type=int, help="seed for ids and results (default: the config's; 0)"
    )
    serve.add_argument(
        "--config", help="JSON or TOML file of EmulatorConfig options (default: none)"
    )
    serve.add_argument(
        "--flavor",
        choices=("all", "bifrost"),
        default="all",
        help="'bifrost' serves the Bifrost gateway surface at the root",
    )
    serve.add_argument(
        "--log-level",
        type=_log_level,
        default="warning",
        help=f"uvicorn's and the emulator's own log level: {', '.join(LOG_LEVELS)}",
    )
    serve.add_argument(
        "--quiet", action="store_true", help="do not log each call and batch state change"
    )
    serve.add_argument(
        "--control-token",
        default=os.environ.get(TOKEN_ENV),
        help=f"require this token on /_emulator/* (default: ${TOKEN_ENV}, else none)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (besides loopback names); repeatable",
    )
    state_cli.add_serve_options(serve)
    serve.set_defaults(run=run_serve)


# Each adds one subcommand and sets `run` (a function of the parsed args returning the status).
SUBCOMMANDS: list[Callable[[Any], None]] = [
    add_serve,
    verdict_cli.add_parser,
    state_cli.add_export,
    state_cli.add_import,
]


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="batch-emulator", description="Local emulator of LLM batch APIs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def load_config_file(name: str) -> EmulatorConfig:
    """`EmulatorConfig` from a JSON or TOML file; every problem is a `UsageError` naming it."""
    path = Path(name)
    where = f"--config {name}"
    if path.suffix.lower() in (".yaml", ".yml"):
        raise UsageError(f"{where}: YAML is not supported; write the options as JSON or TOML")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read it ({exc})") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where}: not valid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        hint = " (JSON or, with a .toml name, TOML)" if path.suffix.lower() != ".json" else ""
        raise UsageError(f"{where}: not valid JSON{hint}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{where}: must hold an object of options, not {type(data).__name__}")
    try:
        return EmulatorConfig.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{where}: invalid configuration: {describe_error(exc)}") from None


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    config = load_config_file(args.config) if args.config else EmulatorConfig()
    changes = {k: v for k, v in (("timing", args.timing), ("seed", args.seed)) if v is not None}
    if args.control_token is not None:
        changes["control_token"] = _token(args.control_token)
    hosts = [*args.allow_host, *([] if args.host in WILDCARDS else [args.host])]
    if hosts:
        changes["allowed_hosts"] = (*config.allowed_hosts, *hosts)
    try:
        return config.merged(**changes) if changes else config
    except ValidationError as exc:
        raise UsageError(f"invalid configuration: {describe_error(exc)}") from None


def _token(value: str) -> str:
    """A control token as given; an empty one is a mistake (an unset variable expanded, say)
    that would otherwise leave the control plane open, so it stops the server from starting."""
    if not value.strip():
        raise UsageError(
            f"--control-token (or ${TOKEN_ENV}) is empty: give a token, or unset the variable "
            "to run without one"
        )
    return value


def client_url(host: str, port: int) -> str:
    """The URL a client should use: a wildcard bind is reached through loopback."""
    name = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


def exposure_warning(host: str, token: bool) -> str | None:
    """What a bind beyond loopback exposes, and what to do about it."""
    if is_loopback(host.strip("[]")):
        return None
    guard = (
        "the control plane (/_emulator: reset, faults, clock) requires the control token"
        if token
        else "the control plane (/_emulator: reset, faults, clock) is OPEN to anyone who can "
        f"connect: set --control-token or ${TOKEN_ENV}"
    )
    return (
        f"batch-emulator: WARNING: listening on {host}, reachable from other machines. "
        f"Provider routes accept any API key; {guard}. Requests must name this server by a "
        "host it accepts: loopback, the --host address, --allow-host NAME or external_url."
    )


def bind(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn so `--port 0` can print the port it really got."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP; without it every response body waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening now, before the banner says so: a client that connects as soon as it reads the
    # banner is queued by the kernel instead of refused while uvicorn is still starting.
    sock.listen(2048)
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
            f"  Dashboard:  {url}/_emulator/\n"
        )
    return (
        f"batch-emulator listening on {url}\n"
        f'  OpenAI:     OpenAI(base_url="{url}/v1", api_key="test")\n'
        f'  Anthropic:  Anthropic(base_url="{url}", api_key="test")\n'
        f'  Gemini:     genai.Client(api_key="test", http_options={{"base_url": "{url}"}})\n'
        f"  Bifrost:    {url}/bifrost/v1/batches\n"
        f'  Azure:      AzureOpenAI(azure_endpoint="{url}", api_key="test", '
        f'api_version="2024-10-21")\n'
        f'  Groq:       Groq(base_url="{url}/groq", api_key="test")\n'
        f'  Mistral:    Mistral(server_url="{url}/mistral", api_key="test")\n'
        f'  Together:   Together(base_url="{url}/together", api_key="test")\n'
        f"  Bedrock:    AWS_ENDPOINT_URL_BEDROCK={url}/bedrock (boto3 'bedrock', any key)\n"
        f"  S3:         AWS_ENDPOINT_URL_S3={url}/s3 (path-style)\n"
        f"  Vertex:     genai.Client(vertexai=True, project=..., location=..., "
        f'http_options={{"base_url": "{url}/vertex"}})\n'
        f"  GCS:        STORAGE_EMULATOR_HOST={url}\n"
        f"  Control:    {url}/_emulator/health\n"
        f"  Dashboard:  {url}/_emulator/\n"
    )


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from emulator.api import Emulator
    from emulator.app import create_app
    from emulator.serve_log import CallLog

    config = build_config(args)
    try:
        emulator = Emulator(config)  # loads configured fault rules: a bad one is a config error
    except (ValidationError, ValueError) as exc:
        message = describe_error(exc) if isinstance(exc, ValidationError) else str(exc)
        raise UsageError(f"invalid configuration: {message}") from None
    app = state_cli.wrap(emulator, create_app(emulator, flavor=args.flavor), args)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"batch-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    url = client_url(args.host, sock.getsockname()[1])
    print(banner(url, args.flavor), flush=True)
    warning = exposure_warning(args.host, bool(config.control_token))
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    calls = None if args.quiet else CallLog(emulator)
    if calls is not None:
        calls.attach()
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="off")
    )
    # uvicorn handles SIGINT itself; suppress covers a Ctrl-C before its handler is installed.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    if calls is not None:
        calls.close()  # the last calls' lines are written before the process ends
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except (UsageError, StateError) as exc:
        print(f"batch-emulator: {exc}", file=sys.stderr)
        return 2
    return status
