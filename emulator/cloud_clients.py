"""The SDK clients of the cloud doors (boto3 `s3` and `bedrock`, google-cloud-storage), built
with every setting passed explicitly, so nothing in the caller's environment or AWS profile
decides where they go. The handle gives them the URL to use.

boto3 and google-cloud-storage are untyped and optional: reached through `Any`, imported lazily.
"""

from __future__ import annotations

import importlib
from typing import Any

REGION = "us-east-1"
PROJECT = "emulator-project"
LOCATION = "us-central1"
AWS_KEY = "testing"  # any key: the emulator checks no signature


def _module(name: str) -> Any:
    return importlib.import_module(name)


def boto3_client(service: str, endpoint_url: str, **kwargs: Any) -> Any:
    """boto3 `service` on `endpoint_url` (botocore keeps the URL's path); S3 path-style, since a
    `localhost` endpoint would otherwise go virtual-host. Keys and region are passed, so real
    ones in the environment are never sent here, and `AWS_PROFILE` is not read (a profile
    missing on this machine would otherwise fail the client before it is built)."""
    core = _module("botocore.session").Session(session_vars={"profile": (None, None, None, None)})
    session = _module("boto3.session").Session(
        botocore_session=core,
        aws_access_key_id=AWS_KEY,
        aws_secret_access_key=AWS_KEY,
        aws_session_token=None,
        region_name=REGION,
    )
    kwargs.setdefault("config", _module("botocore.config").Config(s3={"addressing_style": "path"}))
    return session.client(service, endpoint_url=endpoint_url, **kwargs)


def gcs_client(api_endpoint: str, **kwargs: Any) -> Any:
    """`google.cloud.storage.Client` on `api_endpoint` (what `STORAGE_EMULATOR_HOST` would set),
    anonymous: the emulator takes no token."""
    kwargs.setdefault("project", PROJECT)
    kwargs.setdefault("credentials", _module("google.auth.credentials").AnonymousCredentials())
    kwargs.setdefault("client_options", {"api_endpoint": api_endpoint})
    return _module("google.cloud.storage").Client(**kwargs)
