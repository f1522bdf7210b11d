"""What an error body looks like in each provider's own envelope (and the control plane's)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx

OPENAI = {"authorization": "Bearer sk-test"}
ANTHROPIC = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
GEMINI = {"x-goog-api-key": "test"}
JSON = {"content-type": "application/json"}


def dialect_of(path: str, headers: dict[str, str]) -> str:
    if path.startswith("/_emulator"):
        return "control"
    if path.startswith("/bifrost/openai"):
        return "openai"
    if path.startswith("/bifrost/anthropic"):
        return "anthropic"
    if path.startswith("/bifrost/genai"):
        return "gemini"
    if path.startswith("/bifrost/bedrock/"):
        return "bedrock"
    if path.startswith("/bifrost"):
        return "bifrost"
    if path.startswith("/v1/messages"):
        return "anthropic"
    if path.startswith("/s3/"):
        return "s3"  # XML: <Error><Code/><Message/>...</Error>
    if path.startswith("/bedrock/"):
        return "bedrock"  # rest-json: {"message"}, the class in x-amzn-errortype
    if path.startswith(("/vertex/", "/storage/")):
        return "gemini"  # Google's {"error": {"code", "message", ...}}
    if path.startswith("/mistral/"):
        return "mistral"  # flat: {"object": "error", "message", "type", "param", "code"}
    google = "x-goog-api-key" in headers or "key=" in path
    if path.startswith(("/v1beta", "/upload", "/download")) or google:
        return "gemini"
    return "openai"


def body_of(response: httpx.Response, dialect: str) -> dict[str, Any]:
    """An error body as a dict: JSON, or S3's XML `<Error>` children by tag."""
    if dialect == "s3":
        root = ElementTree.fromstring(response.content)
        assert root.tag == "Error", response.text[:300]
        return {child.tag: child.text for child in root}
    body: dict[str, Any] = response.json()
    return body


def error_message(body: dict[str, Any], dialect: str) -> Any:
    """The message of an error body, wherever the dialect's envelope keeps it."""
    if dialect == "s3":
        return body.get("Message") if body.get("Code") else None
    if dialect == "bedrock":
        return body.get("message")
    if dialect == "mistral":
        return body.get("message") if body.get("object") == "error" else None
    error = body.get("error")
    return error.get("message") if isinstance(error, dict) else None


def assert_envelope(response: httpx.Response, dialect: str) -> dict[str, Any]:
    """A 4xx error whose JSON body is the dialect's own error shape."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.text[:300]
    body: dict[str, Any] = response.json()
    error = body["error"]
    if dialect == "anthropic":
        assert body["type"] == "error" and isinstance(error["message"], str)
    elif dialect == "gemini":
        assert error["code"] == response.status_code and isinstance(error["status"], str)
    elif dialect == "bifrost":
        assert body["status_code"] == response.status_code and "is_bifrost_error" in body
    elif dialect == "control":
        assert error["status"] == response.status_code and isinstance(error["message"], str)
    else:
        assert isinstance(error["message"], str) and "type" in error
    return body
