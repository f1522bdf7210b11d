"""The S3 subset through boto3 unmodified (path-style at `<url>/s3`), and its wire where the
wire is the subject: `aws-chunked` bodies with a checksum trailer, S3's XML error envelope.

The chunked framing follows AWS's "SigV4 streaming with trailers" documentation
(docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html): `<hex size>\\r\\n
<data>\\r\\n ... 0\\r\\n<trailer>\\r\\n\\r\\n`; boto/boto3 #4435 is the bug of storing it raw.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from emulator.handle import EmulatorHandle

RECORDS = 40_000


def test_40000_record_upload_file_goes_multipart_and_round_trips(
    batch_emulator: EmulatorHandle, s3_client: Any, tmp_path: Path
) -> None:
    path = tmp_path / "records.jsonl"
    lines = (
        json.dumps({"recordId": f"r{i:05d}", "modelInput": {"prompt": "x" * 300}})
        for i in range(RECORDS)
    )
    path.write_text("\n".join(lines) + "\n")
    data = path.read_bytes()
    assert len(data) > 8 * 1024 * 1024  # over s3transfer's multipart threshold
    s3_client.create_bucket(Bucket="big-input")
    s3_client.upload_file(str(path), "big-input", "records.jsonl")
    ops = [e.operation for e in batch_emulator.requests]
    assert ops.count("s3.MultipartUpload") == 2  # create + complete
    assert ops.count("s3.PutObject") >= 2  # the parts
    got = s3_client.get_object(Bucket="big-input", Key="records.jsonl")
    assert got["ContentLength"] == len(data)
    body = got["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    assert got["ETag"].strip('"').endswith(f"-{ops.count('s3.PutObject')}")
    target = tmp_path / "back.jsonl"
    s3_client.download_file("big-input", "records.jsonl", str(target))  # ranged GETs
    assert target.read_bytes() == data


def test_put_get_head_list_delete(s3_client: Any) -> None:
    s3_client.create_bucket(Bucket="plain-bucket")
    put = s3_client.put_object(
        Bucket="plain-bucket", Key="a/b.txt", Body=b"hello", Metadata={"owner": "me"}
    )
    assert put["ETag"] == '"' + hashlib.md5(b"hello").hexdigest() + '"'
    head = s3_client.head_object(Bucket="plain-bucket", Key="a/b.txt")
    assert head["ContentLength"] == 5 and head["Metadata"] == {"owner": "me"}
    for i in range(5):
        s3_client.put_object(Bucket="plain-bucket", Key=f"p/{i}", Body=b"x")
    pages = s3_client.get_paginator("list_objects_v2").paginate(
        Bucket="plain-bucket", Prefix="p/", PaginationConfig={"PageSize": 2}
    )
    assert [[o["Key"] for o in p["Contents"]] for p in pages] == [
        ["p/0", "p/1"],
        ["p/2", "p/3"],
        ["p/4"],
    ]
    s3_client.delete_object(Bucket="plain-bucket", Key="p/0")
    s3_client.delete_object(Bucket="plain-bucket", Key="p/0")  # S3 answers 204 again
    assert s3_client.list_objects_v2(Bucket="plain-bucket", Prefix="p/")["KeyCount"] == 4


def test_missing_things_raise_boto3s_own_errors(s3_client: Any) -> None:
    with pytest.raises(s3_client.exceptions.NoSuchBucket):
        s3_client.list_objects_v2(Bucket="no-such-bucket")
    s3_client.create_bucket(Bucket="err-bucket")
    with pytest.raises(s3_client.exceptions.NoSuchKey):
        s3_client.get_object(Bucket="err-bucket", Key="missing")
    with pytest.raises(s3_client.exceptions.ClientError) as caught:
        s3_client.head_object(Bucket="err-bucket", Key="missing")
    assert caught.value.response["Error"]["Code"] == "404"  # HEAD has no body to name it
    with pytest.raises(s3_client.exceptions.BucketAlreadyOwnedByYou):
        s3_client.create_bucket(Bucket="err-bucket")
    with pytest.raises(s3_client.exceptions.ClientError) as bad:
        s3_client.create_bucket(Bucket="x")
    assert bad.value.response["Error"]["Code"] == "InvalidBucketName"


def chunked(payload: bytes, size: int, trailer: str) -> bytes:
    out = b""
    for start in range(0, len(payload), size):
        part = payload[start : start + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n" + trailer.encode() + b"\r\n\r\n"


def test_aws_chunked_body_with_trailer_stores_the_bytes_sent(
    batch_emulator: EmulatorHandle,
) -> None:
    payload = b'{"recordId": "r1"}\n' * 500
    url = f"{batch_emulator.url}/s3/chunk-bucket"
    httpx.put(url).raise_for_status()
    body = chunked(payload, 4096, "x-amz-checksum-crc32:AAAAAA==")
    headers = {
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": str(len(payload)),
    }
    httpx.put(f"{url}/obj.jsonl", content=body, headers=headers).raise_for_status()
    assert httpx.get(f"{url}/obj.jsonl").content == payload


def test_broken_chunk_framing_is_a_400_in_s3s_envelope(batch_emulator: EmulatorHandle) -> None:
    url = f"{batch_emulator.url}/s3/frame-bucket"
    httpx.put(url).raise_for_status()
    headers = {"content-encoding": "aws-chunked"}
    answer = httpx.put(f"{url}/o", content=b"zz\r\nabc", headers=headers)
    assert answer.status_code == 400
    root = ElementTree.fromstring(answer.content)
    assert root.tag == "Error" and root.findtext("Code") == "IncompleteBody"


def test_error_envelope_is_s3_xml(batch_emulator: EmulatorHandle) -> None:
    """`<Error><Code/><Message/><RequestId/></Error>` (S3 API reference, Error responses)."""
    httpx.put(f"{batch_emulator.url}/s3/env-bucket").raise_for_status()
    answer = httpx.get(f"{batch_emulator.url}/s3/env-bucket/nothing")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(answer.content)
    assert root.findtext("Code") == "NoSuchKey"
    assert root.findtext("RequestId") == answer.headers["x-amz-request-id"]


def test_a_bare_endpoint_url_reaches_s3_and_bedrock_by_their_signature(
    batch_emulator: EmulatorHandle,
) -> None:
    """moto's dispatch (reference bedrock-vertex §1.5): a SigV4 credential scope naming `s3` or
    `bedrock` routes a root-level call to that dialect, so `endpoint_url=<url>` works too."""
    import boto3

    aws = {"region_name": "us-east-1", "aws_access_key_id": "k", "aws_secret_access_key": "s"}
    s3 = boto3.client("s3", endpoint_url=batch_emulator.url, **aws)
    s3.create_bucket(Bucket="bare-bucket")
    s3.put_object(Bucket="bare-bucket", Key="v1/batches", Body=b"not openai")
    assert s3.get_object(Bucket="bare-bucket", Key="v1/batches")["Body"].read() == b"not openai"
    bedrock = boto3.client("bedrock", endpoint_url=batch_emulator.url, **aws)
    assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []
    ops = {e.operation for e in batch_emulator.requests}
    assert {"s3.CreateBucket", "s3.PutObject", "s3.GetObject", "ListModelInvocationJobs"} <= ops


def test_delimiter_folds_folders_into_common_prefixes(s3_client: Any) -> None:
    s3_client.create_bucket(Bucket="folder-bucket")
    for key in ("top.txt", "a/1", "a/2", "b/x/1", "b/y", "c"):
        s3_client.put_object(Bucket="folder-bucket", Key=key, Body=b"x")
    pages = list(
        s3_client.get_paginator("list_objects_v2").paginate(
            Bucket="folder-bucket", Delimiter="/", PaginationConfig={"PageSize": 2}
        )
    )
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    folders = [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])]
    assert (keys, folders) == (["c", "top.txt"], ["a/", "b/"])
    inner = s3_client.list_objects_v2(Bucket="folder-bucket", Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in inner["Contents"]] == ["b/y"]
    assert [c["Prefix"] for c in inner["CommonPrefixes"]] == ["b/x/"]


def test_a_wrong_method_at_the_root_is_answered_in_s3s_envelope(
    batch_emulator: EmulatorHandle,
) -> None:
    signed = {
        "authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0"
    }
    answer = httpx.post(f"{batch_emulator.url}/some-bucket", headers=signed)
    assert answer.status_code == 405
    assert ElementTree.fromstring(answer.content).findtext("Code") == "MethodNotAllowed"
