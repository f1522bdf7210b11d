"""Azure OpenAI against what Microsoft's batch guide printed from the real service
(fixtures/recorded/azure/batch_guide.json) and answers quoted in issue threads: through
`openai.AzureOpenAI` over loopback and raw HTTP, compared by shape, nulls, id formats and the
values that are facts (status, counts, envelope)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import httpx
import openai
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openai import AzureOpenAI

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import load, shape

VERSION = "2024-10-21"
GUIDE = load("azure/batch_guide.json")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"  # v4, as recorded
AZURE_BATCH_ID = re.compile("batch_" + UUID)
AZURE_UPLOAD_ID = re.compile(r"file-[0-9a-f]{32}")
AZURE_RESULT_FILE_ID = re.compile("file-" + UUID)
MANUAL = {"timing": "manual"}


def azure(handle: EmulatorHandle) -> AzureOpenAI:
    return AzureOpenAI(azure_endpoint=handle.url, api_key="k", api_version=VERSION)


def guide_lines(n: int) -> bytes:
    lines = [
        {
            "custom_id": f"task-{i}",
            "method": "POST",
            "url": "/chat/completions",
            "body": {
                "model": "REPLACE-WITH-MODEL-DEPLOYMENT-NAME",
                "messages": [{"role": "user", "content": "When was Microsoft founded?"}],
            },
        }
        for i in range(n)
    ]
    return "".join(json.dumps(x) + "\n" for x in lines).encode()


def processed_upload(handle: EmulatorHandle, sdk: AzureOpenAI, data: bytes) -> str:
    """The guide's flow: upload, then poll `files.retrieve` until `processed`."""
    file_id = sdk.files.create(file=("test.jsonl", data), purpose="batch").id
    while sdk.files.retrieve(file_id).status != "processed":
        handle.advance(1)
    return file_id


def keys(value: dict[str, Any]) -> set[str]:
    return set(value)


@pytest.mark.batch_emulator(**MANUAL)
def test_upload_is_pending_with_the_recorded_keys_then_processed(
    batch_emulator: EmulatorHandle,
) -> None:
    want = GUIDE["upload"]
    sdk = azure(batch_emulator)
    raw = sdk.files.with_raw_response.create(file=("test.jsonl", guide_lines(3)), purpose="batch")
    body = raw.http_response.json()
    assert shape(body) == shape(want)  # no `expires_at` without `expires_after`, as recorded
    assert (body["status"], body["status_details"]) == (want["status"], None) == ("pending", None)
    assert AZURE_UPLOAD_ID.fullmatch(body["id"]) and AZURE_UPLOAD_ID.fullmatch(want["id"])
    assert sdk.files.retrieve(body["id"]).status == "pending"
    assert [f.status for f in sdk.files.list()] == ["pending"]
    batch_emulator.advance(GUIDE_POLL := 15)  # the guide's first poll, 15 s on: processed
    assert GUIDE["upload_poll"]["status_after_15s"] == "processed"
    assert sdk.files.retrieve(body["id"]).status == "processed", GUIDE_POLL


@pytest.mark.parametrize("policy", ["immediate", "polls:2", "script:in_progress,completed"])
def test_upload_is_processed_at_once_unless_the_clock_drives(
    batch_emulator: EmulatorHandle, policy: str
) -> None:
    batch_emulator.configure(timing=policy)
    sdk = azure(batch_emulator)
    assert sdk.files.create(file=("t.jsonl", guide_lines(1)), purpose="batch").status == (
        "processed"
    )


@pytest.mark.batch_emulator(**MANUAL)
def test_a_batch_from_a_pending_file_is_refused_and_nothing_is_stored(
    batch_emulator: EmulatorHandle,
) -> None:
    """openai-dotnet#312: creating a batch right after the upload fails on Azure."""
    assert load("azure/create_from_pending_file.json")["create_from_pending_file"] == "fails"
    sdk = azure(batch_emulator)
    file_id = sdk.files.create(file=("t.jsonl", guide_lines(1)), purpose="batch").id
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.batches.create(
            input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
        )
    assert caught.value.code == "invalidPayload"
    assert list(sdk.batches.list()) == []
    batch_emulator.advance(5)
    made = sdk.batches.create(
        input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
    )
    assert made.status == "validating"


def test_completed_batch_without_failures_still_has_an_error_file(
    batch_emulator: EmulatorHandle,
) -> None:
    want = GUIDE["completed"]
    assert want["request_counts"]["failed"] == 0 and want["error_file_id"]
    sdk = azure(batch_emulator)
    file_id = processed_upload(batch_emulator, sdk, guide_lines(3))
    made = sdk.batches.create(
        input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
    )
    assert AZURE_BATCH_ID.fullmatch(made.id) and AZURE_BATCH_ID.fullmatch(want["id"])
    assert made.status == GUIDE["created"]["status"] == "validating"
    created = made.model_dump(exclude_unset=True)
    assert set(created) == set(GUIDE["created"])  # no `model`, no `usage`, as recorded
    assert made.request_counts is not None
    assert made.request_counts.model_dump() == GUIDE["created"]["request_counts"]
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(made.id)
    assert (done.status, done.request_counts and done.request_counts.model_dump()) == (
        want["status"],
        want["request_counts"],
    )
    assert done.output_file_id and done.error_file_id
    for got, recorded in (
        (done.output_file_id, want["output_file_id"]),
        (done.error_file_id, want["error_file_id"]),
    ):
        assert AZURE_RESULT_FILE_ID.fullmatch(got) and AZURE_RESULT_FILE_ID.fullmatch(recorded)
    assert sdk.files.content(done.error_file_id).content == b""  # nothing failed
    assert len(sdk.files.content(done.output_file_id).text.splitlines()) == 3


def test_output_line_has_no_id_and_a_uuid_request_id(batch_emulator: EmulatorHandle) -> None:
    want = GUIDE["output_line"]
    sdk = azure(batch_emulator)
    file_id = processed_upload(batch_emulator, sdk, guide_lines(1))
    made = sdk.batches.create(
        input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
    )
    batch_emulator.advance(hours=1)
    out = sdk.batches.retrieve(made.id).output_file_id or ""
    got = json.loads(sdk.files.content(out).text)
    assert keys(got) == keys(want) == {"custom_id", "response", "error"}
    assert keys(got["response"]) == keys(want["response"])
    assert re.fullmatch(UUID, got["response"]["request_id"])
    assert re.fullmatch(UUID, want["response"]["request_id"])
    body, recorded = got["response"]["body"], want["response"]["body"]
    assert keys(body) == keys(recorded)
    assert shape(body["prompt_filter_results"]) == shape(recorded["prompt_filter_results"])
    assert keys(body["choices"][0]) == keys(recorded["choices"][0])


def test_wrong_purpose_answers_the_quoted_body(batch_emulator: EmulatorHandle) -> None:
    want = load("azure/file_bad_purpose.json")
    answer = httpx.post(
        f"{batch_emulator.url}/openai/files",
        params={"api-version": VERSION},
        headers={"api-key": "k"},
        files={"file": ("x.jsonl", b"{}\n")},
        data={"purpose": "vision"},
    )
    assert answer.status_code == want["status"]
    assert answer.json() == want["response_body"]


@pytest.mark.parametrize(
    "version",
    [
        "2024-13-01",
        "2024-02-30",
        "\uff12\uff10\uff12\uff14-10-21",
        "2024-10-2\u0661",
        "2024-10-21\n",
        "2024-10-21-beta",
    ],
)
def test_api_version_must_be_a_real_ascii_date(
    batch_emulator: EmulatorHandle, version: str
) -> None:
    """Month 13, 30 February, Unicode digits, a trailing newline: Azure's 400, never a 5xx."""
    answer = httpx.get(
        f"{batch_emulator.url}/openai/batches",
        params={"api-version": version},
        headers={"api-key": "k"},
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {"code": "BadRequest", "message": "API version not supported"}
    }


@pytest.mark.parametrize("version", ["2024-10-21", "2025-04-01-preview", "2024-02-29"])
def test_real_api_versions_are_served(batch_emulator: EmulatorHandle, version: str) -> None:
    answer = httpx.get(
        f"{batch_emulator.url}/openai/batches",
        params={"api-version": version},
        headers={"api-key": "k"},
    )
    assert answer.status_code == 200


def test_create_echoes_the_endpoint_as_the_2025_answer_does(batch_emulator: EmulatorHandle) -> None:
    """The 2024 guide printed `endpoint: null`; a 2025 answer echoes `/chat/completions`."""
    later = next(x for x in GUIDE["source"]["also"] if "created_prefix" in x)["created_prefix"]
    sdk = azure(batch_emulator)
    file_id = processed_upload(batch_emulator, sdk, guide_lines(1))
    made = sdk.batches.create(
        input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
    )
    assert made.endpoint == later["endpoint"] == "/chat/completions"
    assert AZURE_BATCH_ID.fullmatch(later["id"]) and AZURE_UPLOAD_ID.fullmatch(
        later["input_file_id"]
    )


@pytest.mark.batch_emulator(**MANUAL)
def test_the_upload_follows_its_own_timing_header(batch_emulator: EmulatorHandle) -> None:
    sdk = azure(batch_emulator)
    fast = sdk.files.create(
        file=("t.jsonl", guide_lines(1)),
        purpose="batch",
        extra_headers={"x-emulator-timing": "immediate"},
    )
    slow = sdk.files.create(file=("t.jsonl", guide_lines(1)), purpose="batch")
    assert (fast.status, slow.status) == ("processed", "pending")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    version=st.one_of(
        st.text(max_size=24),
        st.dates().map(lambda d: d.isoformat()),
        st.dates().map(lambda d: d.isoformat() + "-preview"),
        st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
    )
)
def test_any_api_version_answers_200_or_azures_4xx(
    batch_emulator: EmulatorHandle, version: str
) -> None:
    answer = httpx.get(
        f"{batch_emulator.url}/openai/batches",
        params={"api-version": version},
        headers={"api-key": "k"},
    )
    try:
        real = (
            len(version) >= 10
            and version.isascii()
            and bool(
                date.fromisoformat(version.removesuffix("-preview"))
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", version)
            )
        )
    except ValueError:
        real = False
    if real:
        assert answer.status_code == 200
    else:
        assert answer.status_code in (400, 404), (version, answer.status_code)
        assert set(answer.json()["error"]) == {"code", "message"}
