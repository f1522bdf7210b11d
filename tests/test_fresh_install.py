"""A fresh environment with only this package and the SDKs (no httpx) runs in-process tests.

Our own environment has the test extra, which installs `httpx`; today's SDKs are built on the
`httpx2` fork instead, so a user's fresh install has no `httpx` at all. This test builds that
environment (`pip install -e '.[sdks]' pytest`, nothing else) and runs sync and async clients of
openai, anthropic and google-genai in process in it.

The environment is kept in `.cache/` under a name derived from pyproject.toml, so it is built
once per dependency change (about 45 s on the 2-core box) and reused after (the editable install
follows the code). pip installs from its usual index and cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INNER = textwrap.dedent(
    """
    import asyncio
    import importlib.util
    import json

    import pytest
    from openai import AsyncOpenAI, OpenAI

    LINE = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}
    REQUEST = {"custom_id": "a", "params": {"model": "claude-sonnet-4-5", "max_tokens": 16,
               "messages": [{"role": "user", "content": "hi"}]}}
    GEMINI = [{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}]


    def test_there_is_no_httpx():
        assert importlib.util.find_spec("httpx") is None


    @pytest.mark.batch_emulator(timing="immediate")
    def test_sync_openai(batch_emulator_asgi, openai_client):
        upload = openai_client.files.create(file=("in.jsonl", json.dumps(LINE).encode()),
                                            purpose="batch")
        batch = openai_client.batches.create(input_file_id=upload.id,
                                             endpoint="/v1/chat/completions",
                                             completion_window="24h")
        done = openai_client.batches.retrieve(batch.id)
        assert done.status == "completed"
        assert json.loads(openai_client.files.content(done.output_file_id).text)["custom_id"] == "a"
        assert batch_emulator_asgi.requests[1].batch_id == batch.id


    @pytest.mark.batch_emulator(timing="immediate")
    def test_async_openai_handbuilt(batch_emulator_asgi):
        client = AsyncOpenAI(base_url=batch_emulator_asgi.openai_base_url, api_key="test",
                             http_client=batch_emulator_asgi.asgi_client())

        async def main():
            upload = await client.files.create(file=("in.jsonl", json.dumps(LINE).encode()),
                                               purpose="batch")
            batch = await client.batches.create(input_file_id=upload.id,
                                                endpoint="/v1/chat/completions",
                                                completion_window="24h")
            return (await client.batches.retrieve(batch.id)).status

        assert asyncio.run(main()) == "completed"


    def test_sync_openai_handbuilt(batch_emulator_asgi):
        client = OpenAI(base_url=batch_emulator_asgi.openai_base_url, api_key="test",
                        http_client=batch_emulator_asgi.asgi_sync_client())
        assert client.batches.list().data == []
        assert [r.path for r in batch_emulator_asgi.requests] == ["/v1/batches"]


    @pytest.mark.batch_emulator(timing="immediate")
    def test_sync_and_async_anthropic(batch_emulator_asgi, anthropic_client,
                                      async_anthropic_client):
        batch = anthropic_client.messages.batches.create(requests=[REQUEST])
        assert anthropic_client.messages.batches.retrieve(batch.id).processing_status == "ended"

        async def main():
            results = await async_anthropic_client.messages.batches.results(batch.id)
            return [r.result.type async for r in results]

        assert asyncio.run(main()) == ["succeeded"]


    @pytest.mark.batch_emulator(timing="immediate")
    def test_sync_and_async_gemini(batch_emulator_asgi, gemini_client):
        job = gemini_client.batches.create(model="gemini-2.5-flash", src=GEMINI)

        async def main():
            return await gemini_client.aio.batches.get(name=job.name)

        done = asyncio.run(main())
        assert done.done and done.dest.inlined_responses[0].response.text
        assert [b.dialect for b in batch_emulator_asgi.batches] == ["gemini"]


    def test_async_openai_fixture(batch_emulator_asgi, async_openai_client):
        async def main():
            return (await async_openai_client.batches.list()).data

        assert asyncio.run(main()) == []
        assert batch_emulator_asgi.requests[0].path == "/v1/batches"
    """
)


def _fresh_env() -> Path:
    """The cached environment: `.cache/fresh-<hash of pyproject.toml>`, built under a lock so
    two xdist workers never build it at once."""
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    cache = ROOT / ".cache"
    cache.mkdir(exist_ok=True)
    env = cache / f"fresh-{key}"
    python = env / "bin" / "python"
    with open(cache / "fresh.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (env / ".ready").exists():
            venv.create(env, clear=True, with_pip=True)
            pip = [str(python), "-m", "pip", "install", "-q", "--no-compile"]
            subprocess.run([*pip, "-e", f"{ROOT}[sdks]", "pytest"], check=True, env=_clean())
            (env / ".ready").touch()
    return python


def _clean() -> dict[str, str]:
    """The environment without this venv's traces, so nothing leaks into the fresh one."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix)
    )
    return env


def test_fresh_install_without_httpx_runs_in_process_tests(tmp_path: Path) -> None:
    python = _fresh_env()
    (tmp_path / "test_inner.py").write_text(INNER)
    run = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=_clean(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "7 passed" in run.stdout, run.stdout[-2000:]


def test_quick_start_as_written_on_a_fresh_install(tmp_path: Path) -> None:
    """The README's serve command installs what its examples import: run them in the fresh
    environment against its own `batch-emulator serve`."""
    readme = (ROOT / "README.md").read_text()
    assert "pip install -e '.[sdks]' && .venv/bin/batch-emulator serve" in readme
    examples = dict(re.findall(r"<!-- example: ([\w-]+) -->\n```python\n(.*?)```", readme, re.S))
    python = _fresh_env()
    serve = subprocess.Popen(
        [str(python.parent / "batch-emulator"), "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
        env=_clean(),
    )
    try:
        assert serve.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", serve.stdout.readline())
        assert found, "no URL in the banner"
        for name in ("openai", "anthropic", "gemini"):
            code = examples[name].replace("http://127.0.0.1:8000", found.group(0))
            run = subprocess.run(
                [str(python), "-c", code],
                env=_clean(),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert run.returncode == 0 and run.stdout.strip(), (name, run.stderr[-2000:])
    finally:
        serve.terminate()
        serve.wait(10)
