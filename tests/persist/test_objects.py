"""The object store (S3 and GCS) across restarts of `serve --state`, through boto3 and
google-cloud-storage against a real subprocess, and kept per key under `--isolate-keys`.

What a client compares after a restart is compared here: the bytes, S3's ETag (a multipart
upload's `md5-of-md5s-N` too), LastModified, GCS's generation, md5Hash, crc32c and etag; for a
batch's outputs, which are rendered again from the seed rather than stored, the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import httpx
import pytest
from boto3.s3.transfer import TransferConfig
from google import genai
from google.api_core import exceptions as gcs_errors
from google.cloud import storage
from google.genai import errors as genai_errors
from google.oauth2.credentials import Credentials

from emulator.core.persist.sqlite import SqliteStore
from tests.persist.serving import aws, start, stop

ROLE = "arn:aws:iam::123456789012:role/BedrockBatchRole"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
MIB = 1024 * 1024
MULTIPART = TransferConfig(multipart_threshold=MIB, multipart_chunksize=5 * MIB)  # S3's floor
DONE = ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired")


@contextlib.contextmanager
def gcs(url: str, token: str = "token-a") -> Iterator[storage.Client]:
    """google-cloud-storage on the server (`STORAGE_EMULATOR_HOST`), sending `token` as its
    bearer (the key a tenant is named by)."""
    old = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ["STORAGE_EMULATOR_HOST"] = url
    try:
        yield storage.Client(project="emulator-project", credentials=Credentials(token=token))
    finally:
        if old is None:
            del os.environ["STORAGE_EMULATOR_HOST"]
        else:
            os.environ["STORAGE_EMULATOR_HOST"] = old


def s3_view(s3: Any, bucket: str, key: str) -> tuple[bytes, str, Any, str]:
    got = s3.get_object(Bucket=bucket, Key=key)
    return got["Body"].read(), got["ETag"], got["LastModified"], got["ContentType"]


def blob_view(client: storage.Client, bucket: str, name: str) -> tuple[Any, ...]:
    blob = client.bucket(bucket).get_blob(name)
    assert blob is not None
    fields = (blob.generation, blob.md5_hash, blob.crc32c, blob.etag, blob.time_created)
    return (blob.download_as_bytes(), *fields, blob.content_type, blob.metadata)


def records(state: Path, kind: str) -> list[str]:
    reader = SqliteStore(state, read_only=True)
    try:
        return [r.key for r in reader.records(kind)]
    finally:
        reader.close()


def test_uploaded_objects_survive_kill9_byte_identical(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state)
    s3 = aws(url, "s3")
    s3.create_bucket(Bucket="keep")
    s3.put_object(Bucket="keep", Key="small.txt", Body=b"hello", Metadata={"who": "me"})
    big = os.urandom(6 * 1024 * 1024)  # two parts: 5 MiB and 1 MiB
    (tmp_path / "big.bin").write_bytes(big)
    s3.upload_file(str(tmp_path / "big.bin"), "keep", "big.bin", Config=MULTIPART)
    s3.put_object(Bucket="keep", Key="gone.txt", Body=b"bye")
    s3.delete_object(Bucket="keep", Key="gone.txt")
    s3.create_bucket(Bucket="dropped")
    s3.delete_bucket(Bucket="dropped")
    with gcs(url) as client:
        client.create_bucket("gkeep")
        client.bucket("gkeep").blob("a.jsonl").upload_from_string(b'{"a": 1}\n')
        blob = client.bucket("gkeep").blob("meta.txt")
        blob.metadata = {"k": "v"}
        blob.upload_from_string(b"with metadata", content_type="text/plain")
        before_gcs = [blob_view(client, "gkeep", n) for n in ("a.jsonl", "meta.txt")]
    before = [s3_view(s3, "keep", k) for k in ("small.txt", "big.bin")]
    assert before[1][0] == big and before[1][1].endswith('-2"')  # multipart ETag
    stop(proc)  # kill -9

    proc, url = start(state)
    s3 = aws(url, "s3")
    assert [s3_view(s3, "keep", k) for k in ("small.txt", "big.bin")] == before
    assert s3.head_object(Bucket="keep", Key="small.txt")["Metadata"] == {"who": "me"}
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="keep")["Contents"]]
    assert listed == ["big.bin", "small.txt"]  # the deleted one stays deleted
    with pytest.raises(botocore.exceptions.ClientError) as gone:
        s3.head_bucket(Bucket="dropped")
    assert gone.value.response["Error"]["Code"] == "404"
    with gcs(url) as client:
        assert [blob_view(client, "gkeep", n) for n in ("a.jsonl", "meta.txt")] == before_gcs
        newer = client.bucket("gkeep").blob("b.txt")
        newer.upload_from_string(b"after")
        newer.reload()
        assert newer.generation > max(v[1] for v in before_gcs)  # never a generation again
    stop(proc)


def test_a_multipart_upload_in_flight_carries_on_after_kill9(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state)
    s3 = aws(url, "s3")
    s3.create_bucket(Bucket="parts")
    upload = s3.create_multipart_upload(Bucket="parts", Key="joined.bin")["UploadId"]
    first = s3.upload_part(
        Bucket="parts", Key="joined.bin", UploadId=upload, PartNumber=1, Body=b"a" * 1000
    )
    stop(proc)

    proc, url = start(state)
    s3 = aws(url, "s3")
    second = s3.upload_part(
        Bucket="parts", Key="joined.bin", UploadId=upload, PartNumber=2, Body=b"b" * 10
    )
    parts = [{"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["ETag"]}]
    s3.complete_multipart_upload(
        Bucket="parts", Key="joined.bin", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    assert s3.get_object(Bucket="parts", Key="joined.bin")["Body"].read() == b"a" * 1000 + b"b" * 10
    stop(proc)
    assert records(state, "object-upload") == [] and records(state, "object-part") == []


def _bedrock_job(url: str) -> str:
    s3 = aws(url, "s3")
    for bucket in ("batch-input", "batch-output"):
        s3.create_bucket(Bucket=bucket)
    lines = [
        {
            "recordId": f"rec-{i:04d}",
            "modelInput": {
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 32,
                "messages": [{"role": "user", "content": f"item {i}"}],
            },
        }
        for i in range(120)
    ]
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    s3.put_object(Bucket="batch-input", Key="in/batch.jsonl", Body=body)
    answer = aws(url, "bedrock").create_model_invocation_job(
        jobName="across-a-restart",
        roleArn=ROLE,
        modelId=CLAUDE,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-input/in/batch.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-output/results/"}},
    )
    return str(answer["jobArn"])


def _outputs(url: str) -> dict[str, tuple[bytes, str, Any, str]]:
    s3 = aws(url, "s3")
    listed = s3.list_objects_v2(Bucket="batch-output", Prefix="results/").get("Contents", [])
    return {o["Key"]: s3_view(s3, "batch-output", o["Key"]) for o in listed}


def test_a_bedrock_job_made_before_a_restart_finishes_after_it(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state, "--timing", "polls:3")
    arn = _bedrock_job(url)
    first = aws(url, "bedrock").get_model_invocation_job(jobIdentifier=arn)["status"]
    assert first not in DONE
    stop(proc)  # kill -9 with the job under way

    proc, url = start(state, "--timing", "polls:3")
    bedrock = aws(url, "bedrock")
    seen = [first]
    while seen[-1] not in DONE and len(seen) < 40:  # `polls:3`: each poll moves it on
        seen.append(bedrock.get_model_invocation_job(jobIdentifier=arn)["status"])
    assert seen[-1] == "Completed"
    outputs = _outputs(url)
    job_id = arn.rsplit("/", 1)[-1]
    out = outputs[f"results/{job_id}/batch.jsonl.out"][0]
    assert sorted(json.loads(line)["recordId"] for line in out.splitlines()) == [
        f"rec-{i:04d}" for i in range(120)
    ]
    manifest = json.loads(outputs[f"results/{job_id}/manifest.json.out"][0])
    assert manifest["successRecordCount"] == 120
    aws(url, "s3").delete_object(Bucket="batch-output", Key=f"results/{job_id}/manifest.json.out")
    kept = {k: v for k, v in outputs.items() if not k.endswith("manifest.json.out")}
    stop(proc)
    stored = records(state, "object")  # the outputs are derived: named, never stored
    assert all(key.startswith('["batch-input"') for key in stored), stored

    proc, url = start(state, "--timing", "polls:3")
    assert _outputs(url) == kept  # rendered again: same bytes, ETag, LastModified; deleted stays
    stop(proc)


def vertex_client(url: str) -> genai.Client:
    """google-genai's Vertex client, with the same token as `gcs(url, "emulator")`."""
    return genai.Client(
        vertexai=True,
        project="emulator-project",
        location="us-central1",
        credentials=Credentials(token="emulator"),
        http_options={"base_url": f"{url}/vertex"},
    )


def test_vertex_outputs_keep_their_generation_across_restarts_and_their_jobs_delete(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state, "--timing", "immediate")
    with gcs(url, "emulator") as client:
        for bucket in ("vertex-in", "vertex-out"):
            client.create_bucket(bucket)
        line = {"request": {"contents": [{"role": "user", "parts": [{"text": "q"}]}]}}
        client.bucket("vertex-in").blob("in.jsonl").upload_from_string(json.dumps(line) + "\n")
        vertex = vertex_client(url)
        job = vertex.batches.create(
            model="gemini-2.0-flash-001",
            src="gs://vertex-in/in.jsonl",
            config={"dest": "gs://vertex-out/results"},
        )
        done = vertex.batches.get(name=str(job.name))
        folder = str(done.output_info.gcs_output_directory)  # type: ignore[union-attr]
        name = folder[len("gs://vertex-out/") :] + "/predictions.jsonl"
        before = blob_view(client, "vertex-out", name)
    stop(proc)
    proc, url = start(state, "--timing", "immediate")
    with gcs(url, "emulator") as client:
        assert blob_view(client, "vertex-out", name) == before
    vertex = vertex_client(url)
    vertex.batches.delete(name=str(job.name))  # the job goes; its outputs stay, as in GCS
    stop(proc)
    proc, url = start(state, "--timing", "immediate")
    with gcs(url, "emulator") as client:
        assert blob_view(client, "vertex-out", name) == before
    stop(proc)


@pytest.fixture
def isolated(tmp_path: Path) -> Iterator[str]:
    proc, url = start(tmp_path / "state.sqlite", "--isolate-keys", "--timing", "immediate")
    yield url
    stop(proc)


def test_buckets_and_objects_are_per_key_through_boto3(isolated: str) -> None:
    mine, theirs = aws(isolated, "s3", "AKIDMINE"), aws(isolated, "s3", "AKIDTHEIRS")
    mine.create_bucket(Bucket="shared-name")
    mine.put_object(Bucket="shared-name", Key="secret.txt", Body=b"mine")
    for call in (
        lambda: theirs.get_object(Bucket="shared-name", Key="secret.txt"),
        lambda: theirs.list_objects_v2(Bucket="shared-name"),
        lambda: theirs.put_object(Bucket="shared-name", Key="x", Body=b"x"),
        lambda: theirs.delete_bucket(Bucket="shared-name"),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "NoSuchBucket"
    theirs.create_bucket(Bucket="shared-name")  # a name of their own, empty
    assert theirs.list_objects_v2(Bucket="shared-name").get("Contents", []) == []
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        theirs.get_object(Bucket="shared-name", Key="secret.txt")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    assert mine.get_object(Bucket="shared-name", Key="secret.txt")["Body"].read() == b"mine"
    upload = mine.create_multipart_upload(Bucket="shared-name", Key="big")["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as foreign:
        theirs.upload_part(
            Bucket="shared-name", Key="big", UploadId=upload, PartNumber=1, Body=b"x"
        )
    assert foreign.value.response["Error"]["Code"] == "NoSuchUpload"
    dropped = httpx.post(f"{isolated}/_emulator/reset", params={"key": "AKIDMINE"}).json()
    assert dropped["buckets"] == 1  # a scoped reset forgets that key's buckets, no other's
    assert theirs.list_objects_v2(Bucket="shared-name").get("Contents", []) == []
    with pytest.raises(botocore.exceptions.ClientError) as reset:
        mine.head_bucket(Bucket="shared-name")
    assert reset.value.response["Error"]["Code"] == "404"


def test_a_bedrock_jobs_outputs_are_its_keys_only(isolated: str) -> None:
    arn = _bedrock_job(isolated)  # as AKIDEXAMPLE
    assert aws(isolated, "bedrock").get_model_invocation_job(jobIdentifier=arn)["status"] in DONE
    assert _outputs(isolated)  # the owner reads them
    other = aws(isolated, "bedrock", "AKIDOTHER")
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.get_model_invocation_job(jobIdentifier=arn)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        aws(isolated, "s3", "AKIDOTHER").list_objects_v2(Bucket="batch-output")
    assert refused.value.response["Error"]["Code"] == "NoSuchBucket"


def test_buckets_and_objects_are_per_key_through_google_cloud_storage(isolated: str) -> None:
    with gcs(isolated, "token-a") as mine:
        mine.create_bucket("g-shared")
        mine.bucket("g-shared").blob("secret.txt").upload_from_string(b"mine")
    with gcs(isolated, "token-b") as theirs:
        assert theirs.lookup_bucket("g-shared") is None
        with pytest.raises(gcs_errors.NotFound):
            theirs.bucket("g-shared").blob("secret.txt").download_as_bytes()
        with pytest.raises(gcs_errors.NotFound):
            list(theirs.list_blobs("g-shared"))
        theirs.create_bucket("g-shared")
        assert list(theirs.list_blobs("g-shared")) == []
    with gcs(isolated, "token-a") as mine:
        assert mine.bucket("g-shared").blob("secret.txt").download_as_bytes() == b"mine"


def _cli(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "emulator", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


def test_export_then_import_keeps_buckets_objects_and_bedrock_outputs(tmp_path: Path) -> None:
    source, copy = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    proc, url = start(source, "--timing", "immediate")
    arn = _bedrock_job(url)
    assert aws(url, "bedrock").get_model_invocation_job(jobIdentifier=arn)["status"] in DONE
    before = _outputs(url)
    uploaded = s3_view(aws(url, "s3"), "batch-input", "in/batch.jsonl")
    stop(proc)
    status, snapshot, err = _cli(["export", "--state", str(source)])
    assert status == 0, err
    kinds = {r["kind"] for r in json.loads(snapshot)["records"]}
    assert {"bucket", "object", "object-derived"} <= kinds
    status, _, err = _cli(["import", "--state", str(copy)], snapshot)
    assert status == 0, err
    proc, url = start(copy, "--timing", "immediate")
    assert s3_view(aws(url, "s3"), "batch-input", "in/batch.jsonl") == uploaded
    assert _outputs(url) == before and before
    stop(proc)


def test_a_vertex_job_and_its_buckets_are_its_tokens_only(isolated: str) -> None:
    with gcs(isolated, "emulator") as mine:
        for bucket in ("vertex-in", "vertex-out"):
            mine.create_bucket(bucket)
        line = {"request": {"contents": [{"role": "user", "parts": [{"text": "q"}]}]}}
        mine.bucket("vertex-in").blob("in.jsonl").upload_from_string(json.dumps(line) + "\n")
    vertex = vertex_client(isolated)  # kept: a collected client closes its connection pool
    job = vertex.batches.create(
        model="gemini-2.0-flash-001",
        src="gs://vertex-in/in.jsonl",
        config={"dest": "gs://vertex-out/results"},
    )
    done = vertex.batches.get(name=str(job.name))
    assert done.state is not None and done.state.value == "JOB_STATE_SUCCEEDED"
    other = genai.Client(
        vertexai=True,
        project="emulator-project",
        location="us-central1",
        credentials=Credentials(token="someone-else"),
        http_options={"base_url": f"{isolated}/vertex"},
    )
    with pytest.raises(genai_errors.ClientError) as refused:
        other.batches.get(name=str(job.name))
    assert refused.value.code == 404
    failed = other.batches.create(  # naming the first token's buckets: as if they did not exist
        model="gemini-2.0-flash-001",
        src="gs://vertex-in/in.jsonl",
        config={"dest": "gs://vertex-out/results"},
    )
    state = other.batches.get(name=str(failed.name)).state
    assert state is not None and state.value == "JOB_STATE_FAILED"
    with gcs(isolated, "someone-else") as theirs:
        assert theirs.lookup_bucket("vertex-out") is None
