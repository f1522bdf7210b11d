"""Client fixtures for the cloud batch doors: `bedrock_client`, `s3_client` (boto3),
`vertex_client` (google-genai in Vertex mode) and `gcs_client` (google-cloud-storage).

Loaded by `pytest_plugin` (its `pytest_plugins`). Each fixture also points the environment at
the test's emulator (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_BEDROCK`, dummy AWS keys,
`STORAGE_EMULATOR_HOST`), so clients the code under test builds itself land there too. These
SDKs cannot ride an in-process ASGI transport, so the fixtures use the loopback server.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from google import genai

    from emulator.handle import EmulatorHandle

REGION = "us-east-1"
PROJECT = "emulator-project"
LOCATION = "us-central1"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _module(name: str) -> Any:
    return importlib.import_module(name)


def aws_env(handle: EmulatorHandle) -> dict[str, str]:
    """What boto3 reads to reach this emulator (botocore keeps an endpoint URL's path)."""
    return {
        "AWS_ENDPOINT_URL_S3": f"{handle.url}/s3",
        "AWS_ENDPOINT_URL_BEDROCK": f"{handle.url}/bedrock",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }


def _boto3(service: str, handle: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Any:
    boto3 = _module("boto3")  # untyped packages: reached through `Any`
    config = _module("botocore.config").Config(s3={"addressing_style": "path"})
    for name, value in aws_env(handle).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client(service, region_name=REGION, config=config)


if _installed("boto3"):

    @pytest.fixture
    def s3_client(batch_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Any:
        """boto3 `s3` on this test's emulator (`<url>/s3`, path-style: `localhost` would otherwise
        go virtual-host; any key)."""
        return _boto3("s3", batch_emulator, monkeypatch)

    @pytest.fixture
    def bedrock_client(batch_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Any:
        """boto3 `bedrock` on this test's emulator (`<url>/bedrock`, any key)."""
        return _boto3("bedrock", batch_emulator, monkeypatch)


if _installed("google.cloud.storage"):

    @pytest.fixture
    def gcs_client(batch_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Any:
        """`google.cloud.storage.Client` on this test's emulator (`STORAGE_EMULATOR_HOST`)."""
        anonymous = _module("google.auth.credentials").AnonymousCredentials()
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", batch_emulator.url)
        return _module("google.cloud.storage").Client(project=PROJECT, credentials=anonymous)


if _installed("google.genai") and _installed("google.oauth2"):

    @pytest.fixture
    def vertex_client(batch_emulator: EmulatorHandle) -> genai.Client:
        """`google.genai.Client(vertexai=True)` on this test's emulator (`<url>/vertex`),
        project `emulator-project`, location `us-central1`, a dummy OAuth token."""
        from google import genai

        return genai.Client(
            vertexai=True,
            project=PROJECT,
            location=LOCATION,
            credentials=_module("google.oauth2.credentials").Credentials(token="emulator"),
            http_options={"base_url": f"{batch_emulator.url}/vertex"},
        )
