"""The Node SDKs of Anthropic, Gemini, Azure OpenAI, Groq, Mistral and Together (exact versions
pinned in package.json), each through its provider's documented batch flow, unmodified, over
loopback (the `openai` package has its own module, test_openai_node.py).

Each driver in tests/node/ asserts every step as the docs describe it; these tests check the
summary it prints against the same docs and against the emulator's record of what the SDK did.
Timing "polls:1" moves a batch one phase per read, so no step waits on wall time.
"""

from __future__ import annotations

import pytest

from emulator import ItemFault
from emulator.handle import EmulatorHandle
from tests.providers.node_sdk import pinned, run_node

POLLS = pytest.mark.batch_emulator(timing="polls:1")


def calls(handle: EmulatorHandle, dialect: str) -> list[tuple[str, str, int | None]]:
    return [(e.method, e.operation, e.status) for e in handle.requests if e.dialect == dialect]


def states(handle: EmulatorHandle) -> dict[str, str]:
    return {info.id: info.state.value for info in handle.batches}


@POLLS
def test_anthropic_sdk_create_poll_results_list_cancel(batch_emulator: EmulatorHandle) -> None:
    version = pinned("@anthropic-ai/sdk")
    out = run_node("anthropic_batch_flow.mjs", batch_emulator)

    assert out["sdk_version"] == version
    # processing_status is in_progress until every request is done, then ended (batch docs).
    assert out["statuses"] == ["in_progress", "in_progress", "ended"]
    assert out["counts"] == {
        "processing": 0,
        "succeeded": 3,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    assert out["results"] == dict.fromkeys(
        ["my-first-request", "my-second-request", "my-third-request"], "succeeded"
    )
    assert out["listed"] == [out["pending_id"], out["batch_id"]]
    assert out["cancel"] == {"id": out["pending_id"], "status": "canceling"}
    assert states(batch_emulator)[out["batch_id"]] == "completed"
    assert all(status == 200 for *_, status in calls(batch_emulator, "anthropic"))


@POLLS
def test_gemini_sdk_inline_and_file_jobs_list_cancel(batch_emulator: EmulatorHandle) -> None:
    pinned("@google/genai")
    out = run_node("gemini_batch_flow.mjs", batch_emulator)

    running = ["JOB_STATE_RUNNING", "JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"]
    assert out["inline"]["states"] == running
    assert out["inline"]["responses"] == 2
    assert out["file"]["states"] == running
    assert out["file"]["keys"] == ["request-1", "request-2"]
    pending = out["cancel"]["name"]
    assert out["listed"] == [pending, out["file"]["name"], out["inline"]["name"]]
    assert out["cancel"]["state"] == "JOB_STATE_CANCELLED"
    by_name = {f"batches/{bid}": state for bid, state in states(batch_emulator).items()}
    assert by_name == {
        out["inline"]["name"]: "completed",
        out["file"]["name"]: "completed",
        pending: "cancelled",
    }


@POLLS
def test_azure_openai_sdk_global_batch_flow_with_a_failed_request(
    batch_emulator: EmulatorHandle,
) -> None:
    version = pinned("openai")
    batch_emulator.faults.add(ItemFault(custom_id="task-1", status=500))
    out = run_node("azure_batch_flow.mjs", batch_emulator)

    assert out["sdk_version"] == version
    assert out["file_statuses"][-1] == "processed"
    assert out["statuses"] == ["in_progress", "finalizing", "completed"]
    assert out["counts"] == {"total": 3, "completed": 2, "failed": 1}
    assert out["output_custom_ids"] == ["task-0", "task-2"]
    assert out["error_custom_ids"] == ["task-1"]
    second = out["cancel"]["id"]
    assert out["listed"] == [second, out["batch_id"]]
    assert out["cancel"]["status"] in ("cancelling", "cancelled")
    azure = calls(batch_emulator, "azure")
    assert azure and all(status is not None and status < 400 for *_, status in azure), azure
    assert [info.dialect for info in batch_emulator.batches] == ["azure", "azure"]


@POLLS
def test_groq_sdk_upload_create_poll_download_errors_list_cancel(
    batch_emulator: EmulatorHandle,
) -> None:
    version = pinned("groq-sdk")
    batch_emulator.faults.add(ItemFault(custom_id="request-2", status=500))
    out = run_node("groq_batch_flow.mjs", batch_emulator)

    assert out["sdk_version"] == version
    assert out["statuses"] == ["in_progress", "finalizing", "completed"]
    assert out["counts"] == {"total": 3, "completed": 2, "failed": 1}
    assert out["output_custom_ids"] == ["request-1", "request-3"]
    assert out["error_custom_ids"] == ["request-2"]
    second = out["cancel"]["id"]
    assert out["listed"] == [second, out["batch_id"]]
    assert out["cancel"]["status"] in ("cancelling", "cancelled")
    assert states(batch_emulator)[out["batch_id"]] == "completed"
    assert states(batch_emulator)[second] in ("cancelling", "cancelled")


@POLLS
def test_mistral_sdk_file_and_inline_jobs_list_cancel(batch_emulator: EmulatorHandle) -> None:
    version = pinned("@mistralai/mistralai")
    out = run_node("mistral_batch_flow.mjs", batch_emulator)

    assert out["sdk_version"] == version
    # QUEUED -> RUNNING -> SUCCESS (reference more-providers §3.3); RUNNING covers two phases.
    for flow in (out["file"], out["inline"]):
        assert flow["statuses"] == ["RUNNING", "RUNNING", "SUCCESS"]
    assert out["file"]["output_custom_ids"] == ["0", "1", "2"]
    assert (out["file"]["total_requests"], out["file"]["succeeded_requests"]) == (3, 3)
    assert out["inline"]["output_custom_ids"] == ["0", "1", "2", "3", "4"]  # from `outputs`
    assert out["inline"]["outputs_before_inline"] is None  # polls without `inline` carry none
    pending = out["cancel"]["id"]
    assert out["listed"] == [pending, out["inline"]["job_id"], out["file"]["job_id"]]
    assert out["listed_total"] == 3
    assert out["cancel"]["status"] in ("CANCELLATION_REQUESTED", "CANCELLED")


@POLLS
def test_together_sdk_upload_without_preprocess_create_poll_download(
    batch_emulator: EmulatorHandle,
) -> None:
    version = pinned("together-ai")
    out = run_node(
        "together_batch_flow.mjs",
        batch_emulator,
        # The SDK's upload reads its base URL from this variable, not from the client.
        TOGETHER_API_BASE_URL=f"{batch_emulator.together_base_url}/v1",
    )

    assert out["sdk_version"] == version
    upload = calls(batch_emulator, "together")[:3]
    # src/lib/upload.ts: a form POST answered 302, a PUT to the Location, a GET of the file,
    # and no POST /files/{id}/preprocess anywhere in the flow.
    assert upload == [
        ("POST", "files.upload", 302),
        ("PUT", "files.put", 200),
        ("GET", "files.retrieve", 200),
    ]
    assert all(op != "files.preprocess" for _, op, _ in calls(batch_emulator, "together"))
    assert out["statuses"][-1] == "COMPLETED"
    assert out["output_custom_ids"] == ["request-1", "request-2", "request-3"]
    second = out["cancel"]["id"]
    assert sorted(out["listed"]) == sorted([second, out["batch_id"]])
    assert states(batch_emulator)[out["batch_id"]] == "completed"
    assert states(batch_emulator)[second] in ("cancelling", "cancelled")
