"""Every client fixture follows the emulator the test asked for (loopback or in process), and
`batch_emulator_env` points every SDK that reads its environment at the emulator.

The fixture list comes from the plugin's own table, so a provider added later is tested here
without anyone remembering to; what each call must reach is written out by hand.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from typing import Any

import pytest

from emulator.pytest_clients import CLIENTS

# fixture -> (the dialect the emulator journals, how that SDK lists batches)
EXPECTED: dict[str, tuple[str, Any]] = {
    "openai_client": ("openai", lambda c: c.batches.list()),
    "async_openai_client": ("openai", lambda c: c.batches.list()),
    "azure_client": ("azure", lambda c: c.batches.list()),
    "anthropic_client": ("anthropic", lambda c: c.messages.batches.list()),
    "async_anthropic_client": ("anthropic", lambda c: c.messages.batches.list()),
    "gemini_client": ("gemini", lambda c: list(c.batches.list())),
    "groq_client": ("groq", lambda c: c.batches.list()),
    "mistral_client": ("mistral", lambda c: c.batch.jobs.list()),
    "together_client": ("together", lambda c: c.batches.list()),
    "vertex_client": ("vertex", lambda c: list(c.batches.list())),
    "bedrock_client": ("bedrock", lambda c: c.list_model_invocation_jobs()),
    "s3_client": ("s3", lambda c: c.create_bucket(Bucket="fixture-check")),
    "gcs_client": ("gcs", lambda c: c.create_bucket("fixture-check")),
}
NAMES = [spec.name for spec in CLIENTS]


def test_every_client_fixture_is_checked_here() -> None:
    assert set(NAMES) <= set(EXPECTED), "a new client fixture needs a row in EXPECTED"


def call(name: str, client: Any) -> None:
    result = EXPECTED[name][1](client)
    if inspect.isawaitable(result):

        async def wait() -> None:
            await result

        asyncio.run(wait())


def dialects(handle: Any) -> list[str]:
    return [entry.dialect for entry in handle.requests]


@pytest.mark.parametrize("name", NAMES)
def test_client_fixture_on_the_loopback_server(
    name: str, batch_emulator: Any, request: pytest.FixtureRequest
) -> None:
    call(name, request.getfixturevalue(name))
    assert batch_emulator.server is not None
    assert dialects(batch_emulator) == [EXPECTED[name][0]]


@pytest.mark.parametrize("name", NAMES)
def test_client_fixture_in_process(
    name: str, batch_emulator_asgi: Any, request: pytest.FixtureRequest
) -> None:
    call(name, request.getfixturevalue(name))
    assert batch_emulator_asgi.server is None  # no socket: the in-process app answered
    assert dialects(batch_emulator_asgi) == [EXPECTED[name][0]]


def test_env_points_every_sdk_here(batch_emulator_env: Any) -> None:
    import anthropic
    import groq
    import openai
    import together
    from mistralai.client import Mistral

    openai.OpenAI().batches.list()
    openai.AzureOpenAI().batches.list()  # AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION, key
    anthropic.Anthropic().messages.batches.list()
    groq.Groq().batches.list()
    together.Together().batches.list()
    # mistralai reads only its key from the environment; the URL is the caller's to pass.
    Mistral(server_url=batch_emulator_env.mistral_server_url).batch.jobs.list()
    assert os.environ["MISTRAL_API_KEY"]
    assert dialects(batch_emulator_env) == [
        "openai",
        "azure",
        "anthropic",
        "groq",
        "together",
        "mistral",
    ]


def test_env_points_the_cloud_sdks_here(batch_emulator_env: Any) -> None:
    import boto3
    from google.cloud import storage

    # Built as code under test builds them: no endpoint, key, region or project passed.
    boto3.client("s3").create_bucket(Bucket="env-bucket")
    boto3.client("s3").put_object(Bucket="env-bucket", Key="in.jsonl", Body=b"{}")
    boto3.client("bedrock").list_model_invocation_jobs()
    blob = storage.Client().bucket("env-bucket").blob("in.jsonl")
    assert blob.download_as_bytes() == b"{}"  # one object store behind S3 and GCS
    seen = dialects(batch_emulator_env)
    assert seen[:3] == ["s3", "s3", "bedrock"] and set(seen[3:]) == {"gcs"}, seen


def test_an_in_process_handle_serves_boto3_and_gcs_on_loopback_until_stopped() -> None:
    """boto3 and google-cloud-storage take no HTTP client: in process, they reach the same
    emulator through a loopback socket of its own, which `stop()` closes."""
    import botocore.exceptions

    from emulator.handle import EmulatorHandle

    handle = EmulatorHandle.in_process()
    s3 = handle.s3_client()
    s3.create_bucket(Bucket="side-door")
    assert handle.server is None and handle.loopback_url.startswith("http://127.0.0.1:")
    assert handle.gcs_client().get_bucket("side-door").name == "side-door"  # the same store
    handle.stop()
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        handle.s3_client(config=botocore.config.Config(retries={"max_attempts": 1})).head_bucket(
            Bucket="side-door"
        )


def test_boto3_clients_ignore_the_callers_aws_profile_and_keys(
    batch_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-here")  # boto3 alone: ProfileNotFound
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYNOTFORHERE")
    signed: list[str] = []
    for client, call in (
        (batch_emulator.s3_client(), lambda c: c.create_bucket(Bucket="profile-free")),
        (batch_emulator.bedrock_client(), lambda c: c.list_model_invocation_jobs()),
    ):
        client.meta.events.register(  # botocore's hook: the request as it goes on the wire
            "before-send", lambda request, **_: signed.append(str(request.headers["Authorization"]))
        )
        call(client)
    assert dialects(batch_emulator) == ["s3", "bedrock"]
    assert len(signed) == 2 and all("AKIAREAL" not in header for header in signed), signed
