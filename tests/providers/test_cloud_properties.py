"""Status mappings are total and monotone (hypothesis): whatever the clock does and whether the
client stops/cancels, every Bedrock status boto3 reads is in botocore's
`ModelInvocationJobStatus` enum and every Vertex state in google-genai's `JobState`, and once a
job reads as ended it never reads otherwise."""

from __future__ import annotations

import itertools
import json
from typing import Any

import botocore.session
from google.genai import types
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator.handle import EmulatorHandle

BEDROCK = set(
    botocore.session.get_session()
    .get_service_model("bedrock")
    .shape_for("ModelInvocationJobStatus")
    .enum
)
BEDROCK_ENDED = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
VERTEX = {s.value for s in types.JobState}
VERTEX_ENDED = {
    "JOB_STATE_SUCCEEDED",
    "JOB_STATE_PARTIALLY_SUCCEEDED",
    "JOB_STATE_FAILED",
    "JOB_STATE_CANCELLED",
    "JOB_STATE_EXPIRED",
}
STEPS = st.lists(st.tuples(st.floats(0, 3 * 86_400), st.booleans()), min_size=1, max_size=6)
SCENARIOS = st.sampled_from(["success", "expire", "errors:0.3", "fail", "stall"])
SLOW = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RECORD = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hi"}],
}


def _ended_stays_ended(seen: list[str], ended: set[str]) -> None:
    for before, after in itertools.pairwise(seen):
        if before in ended:
            assert after == before, seen


@SLOW
@given(steps=STEPS, scenario=SCENARIOS)
def test_bedrock_statuses(
    batch_emulator: EmulatorHandle,
    s3_client: Any,
    bedrock_client: Any,
    steps: list[tuple[float, bool]],
    scenario: str,
) -> None:
    batch_emulator.reset()
    for bucket in ("prop-in", "prop-out"):
        s3_client.create_bucket(Bucket=bucket)
    lines = "".join(
        json.dumps({"recordId": f"r{i}", "modelInput": RECORD}) + "\n" for i in range(100)
    )
    s3_client.put_object(Bucket="prop-in", Key="in.jsonl", Body=lines.encode())
    arn = bedrock_client.create_model_invocation_job(
        jobName="prop",
        roleArn="arn:aws:iam::123456789012:role/R",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://prop-in/in.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://prop-out/o/"}},
        tags=[{"key": "emulator_scenario", "value": scenario}],
    )["jobArn"]
    seen = []
    for seconds, stop in steps:
        batch_emulator.advance(seconds=seconds)
        status = bedrock_client.get_model_invocation_job(jobIdentifier=arn)["status"]
        seen.append(status)
        if stop and status not in BEDROCK_ENDED and status != "Stopping":
            bedrock_client.stop_model_invocation_job(jobIdentifier=arn)
    assert set(seen) <= BEDROCK
    _ended_stays_ended(seen, BEDROCK_ENDED)


@SLOW
@given(steps=STEPS, scenario=SCENARIOS)
def test_vertex_states(
    batch_emulator: EmulatorHandle,
    gcs_client: Any,
    vertex_client: Any,
    steps: list[tuple[float, bool]],
    scenario: str,
) -> None:
    batch_emulator.reset()
    for bucket in ("prop-vin", "prop-vout"):
        gcs_client.create_bucket(bucket)
    line = {"request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}
    gcs_client.bucket("prop-vin").blob("in.jsonl").upload_from_string(json.dumps(line))
    job = vertex_client.batches.create(
        model="gemini-2.0-flash-001",
        src="gs://prop-vin/in.jsonl",
        config={
            "dest": "gs://prop-vout/o",
            "http_options": {"headers": {"x-emulator-scenario": scenario}},
        },
    )
    seen = []
    for seconds, cancel in steps:
        batch_emulator.advance(seconds=seconds)
        state = vertex_client.batches.get(name=job.name).state.value
        seen.append(state)
        if cancel and state not in VERTEX_ENDED and state != "JOB_STATE_CANCELLING":
            vertex_client.batches.cancel(name=job.name)
    assert set(seen) <= VERTEX
    _ended_stays_ended(seen, VERTEX_ENDED)
