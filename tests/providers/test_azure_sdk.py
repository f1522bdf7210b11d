"""Azure OpenAI through `openai.AzureOpenAI`, unmodified, over loopback (reference
more-providers §1). Expected values come from the reference (Microsoft's REST spec and batch
guide) and the SDK's behaviour, not from the emulator's tables."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from openai import AzureOpenAI, OpenAI

from emulator import HttpFault
from emulator.handle import EmulatorHandle
from tests.providers.conftest import parse_jsonl

VERSION = "2024-10-21"
MANUAL = {"timing": {"policy": "manual"}}


def azure(handle: EmulatorHandle, **kw: Any) -> AzureOpenAI:
    return AzureOpenAI(azure_endpoint=handle.url, api_key="azure-key", api_version=VERSION, **kw)


def line(
    custom_id: str, deployment: str = "contoso-gpt4o-global-batch", url: str = "/chat/completions"
) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": url,
        "body": {"model": deployment, "messages": [{"role": "user", "content": "hello"}]},
    }


def wait_processed(handle: EmulatorHandle, sdk: AzureOpenAI | OpenAI, file_id: str) -> None:
    """Microsoft's guide: poll `files.retrieve` until the upload is `processed` (here the
    emulator's clock moves between polls instead of a sleep)."""
    for _ in range(30):
        if sdk.files.retrieve(file_id).status == "processed":
            return
        handle.advance(1)
    raise AssertionError(f"{file_id} never became processed")


def upload(handle: EmulatorHandle, sdk: AzureOpenAI | OpenAI, lines: list[dict[str, Any]]) -> str:
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    file_id = sdk.files.create(file=("requests.jsonl", data), purpose="batch").id
    wait_processed(handle, sdk, file_id)
    return file_id


def start(
    handle: EmulatorHandle,
    sdk: AzureOpenAI,
    n: int = 3,
    endpoint: Any = "/chat/completions",
    **kw: Any,
) -> Any:
    file_id = upload(handle, sdk, [line(f"task-{i}") for i in range(n)])
    return sdk.batches.create(
        input_file_id=file_id, endpoint=endpoint, completion_window="24h", **kw
    )


def test_upload_create_poll_download_with_deployment_names(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    raw = sdk.files.with_raw_response.create(
        file=("requests.jsonl", json.dumps(line("task-0")).encode() + b"\n"), purpose="batch"
    )
    assert raw.http_response.status_code == 201  # REST spec: Files_Upload answers 201 Created
    uploaded = raw.parse()
    assert raw.headers["location"].endswith(uploaded.id)
    assert (uploaded.purpose, uploaded.object) == ("batch", "file")

    batch = start(batch_emulator, sdk, 3, metadata={"run": "nightly"})
    assert batch.status == "validating"
    assert batch.endpoint == "/chat/completions"  # echoed as sent, without /v1
    assert batch.completion_window == "24h"
    assert batch.expires_at == batch.created_at + 86_400
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (3, 3)
    assert done.output_file_id is not None and done.output_file_id.startswith("file-")
    lines = parse_jsonl(sdk.files.content(done.output_file_id).content)
    assert sorted(x["custom_id"] for x in lines) == ["task-0", "task-1", "task-2"]
    for result in lines:
        assert result["error"] is None
        assert result["response"]["status_code"] == 200
        body = result["response"]["body"]
        assert body["object"] == "chat.completion"
        # Azure reports the underlying model, not the deployment name (reference §1.6).
        assert body["model"] != "contoso-gpt4o-global-batch"
        assert body["prompt_filter_results"][0]["content_filter_results"]["hate"] == {
            "filtered": False,
            "severity": "safe",
        }
        assert body["choices"][0]["content_filter_results"]["violence"]["filtered"] is False


def test_v1_endpoint_spelling_and_lines_are_accepted(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    file_id = upload(batch_emulator, sdk, [line("a", url="/v1/chat/completions"), line("b")])
    batch = sdk.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert (done.status, done.endpoint) == ("completed", "/v1/chat/completions")


def test_other_completion_window_fails_the_job_not_the_call(batch_emulator: EmulatorHandle) -> None:
    """ "Any other value and your job will fail" (batch guide): created, then `failed`."""
    sdk = azure(batch_emulator)
    file_id = upload(batch_emulator, sdk, [line("a")])
    batch = sdk.batches.create(
        input_file_id=file_id,
        endpoint="/chat/completions",
        completion_window="48h",  # type: ignore[arg-type]
    )
    batch_emulator.advance(hours=1)
    failed = sdk.batches.retrieve(batch.id)
    assert failed.status == "failed"
    assert failed.errors is not None and failed.errors.data
    assert failed.errors.data[0].param == "completion_window"


def test_two_deployments_in_one_file_fail_validation(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    file_id = upload(batch_emulator, sdk, [line("a", "dep-one"), line("b", "dep-two")])
    batch = sdk.batches.create(
        input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
    )
    batch_emulator.advance(hours=1)
    failed = sdk.batches.retrieve(batch.id)
    assert failed.status == "failed"
    assert failed.errors is not None and failed.errors.data[0].line == 2


@pytest.mark.batch_emulator(**MANUAL)
def test_cancel_goes_through_cancelling_to_cancelled(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    batch = start(batch_emulator, sdk, 2)
    cancelling = sdk.batches.cancel(batch.id)
    assert cancelling.status in ("cancelling", "cancelled")
    batch_emulator.advance(minutes=10)  # "cancelling for up to 10 minutes"
    assert sdk.batches.retrieve(batch.id).status == "cancelled"


def test_list_pages_with_after_until_has_more_is_false(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    made = [start(batch_emulator, sdk, 1).id for _ in range(3)]
    first = sdk.batches.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    assert sorted(b.id for b in sdk.batches.list(limit=2)) == sorted(made)  # auto-paging


def test_not_found_is_azure_envelope_and_sdk_class(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.batches.retrieve("batch_does_not_exist")
    assert caught.value.code == "notFound"
    body = caught.value.body
    assert isinstance(body, dict) and set(body) == {"code", "message"}  # no type/param on Azure
    assert caught.value.type is None


def test_missing_api_version_is_an_unknown_route(batch_emulator: EmulatorHandle) -> None:
    answer = httpx.get(f"{batch_emulator.url}/openai/batches", headers={"api-key": "k"})
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "404", "message": "Resource not found"}}


def test_unknown_api_version_and_missing_key(batch_emulator: EmulatorHandle) -> None:
    bad = httpx.get(f"{batch_emulator.url}/openai/batches?api-version=v9", headers={"api-key": "k"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "BadRequest")
    anonymous = httpx.get(f"{batch_emulator.url}/openai/batches?api-version={VERSION}")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "401"


def test_entra_bearer_token_is_accepted(batch_emulator: EmulatorHandle) -> None:
    sdk = AzureOpenAI(
        azure_endpoint=batch_emulator.url, api_version=VERSION, azure_ad_token="entra-token"
    )
    assert sdk.batches.list().data == []


def test_rate_limit_fault_is_retried_in_azure_envelope(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator, max_retries=0)
    batch_emulator.faults.add(HttpFault(status=429, dialect="azure", operation="batches.list"))
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.batches.list()
    assert caught.value.code == "tooManyRequests"


def test_v1_surface_shares_the_resource(batch_emulator: EmulatorHandle) -> None:
    """`OpenAI(base_url=<endpoint>/openai/v1)`: no api-version, same batches (reference §1.2)."""
    dated = azure(batch_emulator)
    made = start(batch_emulator, dated, 1)
    v1 = OpenAI(base_url=batch_emulator.url + "/openai/v1", api_key="azure-key")
    assert [b.id for b in v1.batches.list()] == [made.id]
    file_id = upload(batch_emulator, v1, [line("x", url="/v1/chat/completions")])
    other = v1.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert dated.batches.retrieve(other.id).id == other.id


def test_azure_batches_are_not_openai_batches(batch_emulator: EmulatorHandle) -> None:
    made = start(batch_emulator, azure(batch_emulator), 1)
    native = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk")
    with pytest.raises(openai.NotFoundError):
        native.batches.retrieve(made.id)
    control = httpx.get(f"{batch_emulator.url}/_emulator/batches").json()
    rows = control["data"] if isinstance(control, dict) else control
    assert [r["dialect"] for r in rows if r["id"] == made.id] == ["azure"]


@pytest.mark.parametrize(
    ("scenario", "status"),
    [("fail", "failed"), ("expire", "expired"), ("success", "completed")],
)
def test_scenarios_reach_their_status(
    batch_emulator: EmulatorHandle, scenario: str, status: str
) -> None:
    sdk = azure(batch_emulator)
    batch = start(batch_emulator, sdk, 4, extra_headers={"x-emulator-scenario": scenario})
    batch_emulator.advance(hours=25)
    assert sdk.batches.retrieve(batch.id).status == status


def test_errors_scenario_gives_both_files(batch_emulator: EmulatorHandle) -> None:
    """ "A completed batch with failures has both output_file_id and error_file_id"."""
    sdk = azure(batch_emulator)
    batch = start(batch_emulator, sdk, 10, metadata={"emulator_scenario": "errors:0.5"})
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.output_file_id and done.error_file_id
    errors = parse_jsonl(sdk.files.content(done.error_file_id).content)
    assert done.request_counts is not None and done.request_counts.failed == len(errors) == 5


@pytest.mark.batch_emulator(timing={"policy": "polls", "polls": 1})
def test_polls_policy_advances_on_reads(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    batch = start(batch_emulator, sdk, 1)
    seen = [sdk.batches.retrieve(batch.id).status for _ in range(4)]
    assert seen[-1] == "completed"
    assert seen[0] != "completed"


def test_purposes_are_azures(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.files.create(file=("x.txt", b"hi"), purpose="vision")  # OpenAI's, not Azure's
    assert caught.value.code == "invalidPayload"
    kept = sdk.files.create(file=("x.jsonl", b"{}\n"), purpose="fine-tune-results")  # type: ignore[arg-type]
    assert kept.purpose == "fine-tune-results"


def test_cancel_after_completion_is_a_conflict(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    batch = start(batch_emulator, sdk, 1)
    batch_emulator.advance(hours=1)
    with pytest.raises(openai.ConflictError) as caught:
        sdk.batches.cancel(batch.id)
    assert caught.value.code == "unexpectedEntityState"


def test_token_quota_fault_speaks_azures_code(batch_emulator: EmulatorHandle) -> None:
    """Fail-fast quota (reference §1.4): create answers 400 `token_limit_exceeded`."""
    sdk = azure(batch_emulator)
    file_id = upload(batch_emulator, sdk, [line("a")])
    batch_emulator.faults.add(
        HttpFault(
            status=400,
            dialect="azure",
            operation="batches.create",
            error_type="token_limit_exceeded",
            message="Enqueued token limit reached for this deployment.",
        )
    )
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.batches.create(
            input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
        )
    assert caught.value.code == "token_limit_exceeded"
