"""A fresh environment with only this package and the SDKs (no httpx) runs in-process tests.

Our own environment has the test extra, which installs `httpx`; today's SDKs are built on the
`httpx2` fork instead, so a user's fresh install has no `httpx` at all. This test builds that
environment (this package and the openai, anthropic and google-genai SDKs, nothing else) and
runs sync and async clients of each in process in it.

A second environment is what a user makes: `pip install '<path>[sdks]' pytest`, not editable.
In it, the README's quick start runs as written, and a downstream project (its own directory,
`verdict = strict` in its ini file) runs the README's and docs/pytest.md's pytest examples and
checks of its own: the `batch_emulator` import name, emulated sleeps, every client fixture in
process, the environment variables.

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


BARE = ["openai>=1.50", "anthropic>=0.40", "google-genai>=1.0", "pytest"]


def _venv(name: str, install: list[str]) -> Path:
    """A cached environment, `.cache/<name>-<hash of pyproject.toml>`, built under a lock so
    two xdist workers never build it at once; `install` is what pip installs into it."""
    wanted = (ROOT / "pyproject.toml").read_bytes() + repr(install).encode()
    key = hashlib.sha256(wanted).hexdigest()[:12]
    cache = ROOT / ".cache"
    cache.mkdir(exist_ok=True)
    env = cache / f"{name}-{key}"
    python = env / "bin" / "python"
    with open(cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (env / ".ready").exists():
            venv.create(env, clear=True, with_pip=True)
            pip = [str(python), "-m", "pip", "install", "-q", "--no-compile"]
            subprocess.run([*pip, *install], check=True, env=_clean())
            (env / ".ready").touch()
    return python


def _fresh_env() -> Path:
    """This package (editable) and the three first SDKs only: today that means no httpx."""
    return _venv("fresh", ["-e", str(ROOT), *BARE])


def _source_key() -> str:
    digest = hashlib.sha256()
    for package in ("emulator", "batch_emulator"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _user_env() -> Path:
    """What a user gets: `pip install '<path>[sdks]' pytest`, a regular (non-editable)
    install. The dependencies are cached; the package itself is reinstalled, without touching
    them, whenever its source changed."""
    # freezegun and time-machine: docs/pytest.md shows both working with the emulator.
    python = _venv("user", [f"{ROOT}[sdks]", "pytest", "freezegun", "time-machine"])
    stamp = python.parent.parent / ".source"
    key = _source_key()
    with open(ROOT / ".cache" / "user.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != key:
            pip = [str(python), "-m", "pip", "install", "-q", "--no-compile", "--no-deps"]
            subprocess.run([*pip, "--force-reinstall", str(ROOT)], check=True, env=_clean())
            stamp.write_text(key)
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
    python = _user_env()
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
        for name in ("openai", "anthropic", "gemini"):  # bifrost-*: httpx, in the sdks extra
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


DOWNSTREAM = textwrap.dedent(
    """
    import asyncio
    import json
    import os
    import time

    import pytest

    from batch_emulator import EmulatedSleeps, EmulatorHandle, HttpFault

    LINE = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}


    def test_both_import_names_give_the_same_objects():
        import emulator

        assert HttpFault is emulator.HttpFault and EmulatorHandle is emulator.EmulatorHandle


    @pytest.mark.parametrize("name", ["azure_client", "groq_client", "mistral_client",
                                      "together_client", "openai_client", "gemini_client"])
    def test_client_fixtures_follow_the_in_process_emulator(name, batch_emulator_asgi, request):
        client = request.getfixturevalue(name)
        listing = client.batch.jobs.list() if name == "mistral_client" else client.batches.list()
        list(listing) if name == "gemini_client" else None
        assert len(batch_emulator_asgi.requests) == 1


    @pytest.mark.batch_emulator(timing={"in_progress": 3600})
    def test_async_polling_sleeps_are_emulated(batch_emulator_asgi, async_openai_client,
                                               batch_emulator_sleep):
        async def job():
            client = async_openai_client
            upload = await client.files.create(file=("in.jsonl", json.dumps(LINE).encode()),
                                               purpose="batch")
            batch = await client.batches.create(input_file_id=upload.id,
                                                endpoint="/v1/chat/completions",
                                                completion_window="24h")
            while (batch := await client.batches.retrieve(batch.id)).status != "completed":
                await asyncio.sleep(60)
            return (await client.files.content(batch.output_file_id)).text

        assert json.loads(asyncio.run(job()))["custom_id"] == "a"
        assert isinstance(batch_emulator_sleep, EmulatedSleeps)
        assert batch_emulator_sleep.total >= 3600


    def test_environment_names_every_provider(batch_emulator_env):
        for name in ("AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "GROQ_BASE_URL",
                     "TOGETHER_BASE_URL", "MISTRAL_API_KEY"):
            assert os.environ[name]
        import groq

        groq.Groq().batches.list()
        assert batch_emulator_env.requests[0].dialect == "groq"
    """
)


def _pytest_examples() -> dict[str, str]:
    """Every pytest example of the README and docs/ as a test module: the tagged blocks, and
    every block of the pages that are test suites (pytest, faults, bifrost)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    tagged = r"<!-- pytest-example -->\n```python\n(.*?)```"
    blocks = [code for page in pages for code in re.findall(tagged, page.read_text(), re.S)]
    for name in ("pytest", "faults", "bifrost"):
        guide = (ROOT / "docs" / f"{name}.md").read_text()
        blocks += re.findall(r"^```python\n(.*?)^```", guide, re.S | re.M)
    return {f"test_example_{i}.py": code for i, code in enumerate(blocks)}


def test_a_downstream_project_on_a_regular_install(tmp_path: Path) -> None:
    """A project of its own, strict about the client verdict, runs the documented examples and
    the issue-24 promises against an installed (not editable) package: zero warnings."""
    python = _user_env()
    project = tmp_path / "downstream"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text("[pytest]\nbatch_emulator_verdict = strict\n")
    (project / "tests" / "test_promises.py").write_text(DOWNSTREAM)
    for name, code in _pytest_examples().items():
        (project / "tests" / name).write_text(code)
    run = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=_clean(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "warning" not in summary, run.stdout[-3000:]
    installed = subprocess.run(
        [str(python), "-c", "import emulator; print(emulator.__file__)"],
        cwd=project,
        env=_clean(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "site-packages" in installed.stdout  # the installed copy, not this checkout
