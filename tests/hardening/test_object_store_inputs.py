"""Hostile input on the object-store and cloud-batch doors (S3, GCS, Bedrock, Vertex), over
loopback HTTP: no 5xx, no hang, and nothing stored that breaks a later read.

Found in review of the merged Bedrock/Vertex work: a negative aws-chunked size walked the
decoder backwards forever (the whole server froze); non-ASCII or 5,000-digit numbers in
`max-keys`, `partNumber`, `maxResults`, `pageSize`, `Range` and `Content-Range` answered 500;
a GCS content type with CR/LF made every later S3 GetObject of it a 500 (and the GCS download
drop the connection); an input line nested 300 deep made every Bedrock/Vertex read, list and
create a 500 until a reset.
"""

from __future__ import annotations

import contextlib
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from emulator.core.errors import EmulatorError
from emulator.handle import EmulatorHandle
from emulator.providers.s3 import chunked

HOSTILE_NUMBERS = ["²", "٣", "9" * 5000, "1_0", " 7", "-1", "0x5"]
ROLE = "arn:aws:iam::123456789012:role/BedrockBatchRole"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
GEMINI = "publishers/google/models/gemini-2.0-flash-001"
DEEP = "[" * 300 + "1" + "]" * 300  # valid JSON, deeper than the 255 levels orjson writes


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    # a bearer token: Vertex answers 401 without one, before it reads anything else
    bearer = {"authorization": "Bearer ya29.test"}
    with httpx.Client(base_url=batch_emulator.url, timeout=20, headers=bearer) as client:
        assert client.put("/s3/hostile").status_code == 200
        assert client.put("/s3/hostile/a.jsonl", content=b"hello\n").status_code == 200
        assert client.post("/storage/v1/b", json={"name": "ghostile"}).status_code == 200
        media = {"uploadType": "media", "name": "a.jsonl"}
        upload = client.post("/upload/storage/v1/b/ghostile/o", params=media, content=b"hello\n")
        assert upload.status_code == 200
        yield client


def _ok(answer: httpx.Response) -> None:
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])


def _decodes_or_refuses(body: bytes) -> str:
    """Run the decoder on a thread: a framing that loops forever fails here, not hangs."""
    outcome: list[str] = []

    def run() -> None:
        try:
            chunked.decode(body)
            outcome.append("decoded")
        except EmulatorError:
            outcome.append("refused")

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert outcome, f"aws-chunked decoding of {body[:40]!r} did not finish"
    return outcome[0]


@pytest.mark.parametrize("size", [b"-6", b"-2", b"0x5", b"1_0", b" 5", b"+5", b""])
def test_a_chunk_size_that_is_not_bare_hex_is_refused(size: bytes) -> None:
    # `-6` points back at the first chunk's CRLF: int(x, 16) read it and the loop never ended
    body = b"1\r\na\r\n" + size + b"\r\nhello\r\n0\r\n\r\n"
    assert _decodes_or_refuses(body) == "refused"


def test_a_negative_chunk_size_over_http_is_a_400_and_the_server_still_answers(
    http: httpx.Client,
) -> None:
    headers = {"content-encoding": "aws-chunked"}
    answer = http.put("/s3/hostile/c", content=b"1\r\na\r\n-6\r\n0\r\n\r\n", headers=headers)
    assert answer.status_code == 400 and b"<Code>IncompleteBody</Code>" in answer.content
    assert http.get("/_emulator/health").status_code == 200


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_numbers_in_queries_are_never_a_5xx(http: httpx.Client, value: str) -> None:
    started = http.post("/s3/hostile/big?uploads")
    upload_id = started.text.split("<UploadId>")[1].split("</UploadId>")[0]
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/s3/hostile", {"params": {"list-type": "2", "max-keys": value}}),
        ("PUT", "/s3/hostile/big", {"params": {"uploadId": upload_id, "partNumber": value}}),
        ("GET", "/storage/v1/b/ghostile/o", {"params": {"maxResults": value}}),
        ("GET", "/bedrock/model-invocation-jobs", {"params": {"maxResults": value}}),
        ("GET", "/bedrock/model-invocation-jobs", {"params": {"nextToken": value}}),
        (
            "GET",
            "/vertex/v1/projects/p/locations/l/batchPredictionJobs",
            {"params": {"pageSize": value}},
        ),
        (
            "GET",
            "/vertex/v1/projects/p/locations/l/batchPredictionJobs",
            {"params": {"pageToken": value}},
        ),
    ]
    for method, url, extra in calls:
        _ok(http.request(method, url, content=b"x" if method == "PUT" else None, **extra))


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_ranges_are_never_a_5xx(http: httpx.Client, value: str) -> None:
    raw = value.encode()  # sent as UTF-8 bytes, as a careless client would
    for url in ("/s3/hostile/a.jsonl", "/download/storage/v1/b/ghostile/o/a.jsonl"):
        for header in (b"bytes=" + raw + b"-", b"bytes=0-" + raw):
            answer = http.get(url, headers=[(b"range", header)])
            _ok(answer)
            assert answer.status_code == 200 and answer.content == b"hello\n"  # ignored
    started = http.post(
        "/upload/storage/v1/b/ghostile/o", params={"uploadType": "resumable"}, json={"name": "r"}
    )
    session = started.headers["location"]
    for header in (b"bytes 0-4/" + raw, b"bytes " + raw + b"-4/5", b"bytes 0-" + raw + b"/*"):
        answer = http.put(session, headers=[(b"content-range", header)], content=b"hello")
        assert answer.status_code == 400, (header, answer.text[:200])


def test_a_content_type_that_cannot_be_a_header_is_refused_at_upload(http: httpx.Client) -> None:
    meta = b'{"name": "q", "contentType": "text/plain\\r\\nX-Evil: 1"}'
    body = b"--B\r\n\r\n" + meta + b"\r\n--B\r\n\r\nx\r\n--B--"
    answer = http.post(
        "/upload/storage/v1/b/ghostile/o?uploadType=multipart",
        headers={"content-type": "multipart/related; boundary=B"},
        content=body,
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 400
    assert http.get("/storage/v1/b/ghostile/o/q").status_code == 404  # nothing stored


def test_gcs_metadata_s3_cannot_send_is_counted_in_x_amz_missing_meta(
    http: httpx.Client,
) -> None:
    """GCS metadata is any JSON string; S3 answers what a header cannot carry by counting it
    in `x-amz-missing-meta` (S3 API reference, GetObject response headers)."""
    meta = {"name": "m", "metadata": {"team": "ml", "a\r\nb": "x", "note": "Ā\r\n"}}
    answer = http.post(
        "/upload/storage/v1/b/ghostile/o?uploadType=multipart",
        headers={"content-type": "multipart/related; boundary=B"},
        content=b"--B\r\n\r\n"
        + httpx.Request("POST", "/", json=meta).content
        + b"\r\n--B\r\n\r\nx\r\n--B--",
    )
    assert answer.status_code == 200, answer.text[:200]
    for method in ("GET", "HEAD"):
        got = http.request(method, "/s3/ghostile/m")
        assert got.status_code == 200
        assert got.headers["x-amz-meta-team"] == "ml"
        assert got.headers["x-amz-missing-meta"] == "2"
    assert http.get("/storage/v1/b/ghostile/o/m").json()["metadata"] == meta["metadata"]
    assert http.get("/download/storage/v1/b/ghostile/o/m").content == b"x"


def _bedrock(http: httpx.Client, uri: str, name: str) -> httpx.Response:
    return http.post(
        "/bedrock/model-invocation-job",
        json={
            "jobName": name,
            "roleArn": ROLE,
            "modelId": CLAUDE,
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": uri}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://hostile/out/"}},
        },
    )


def test_a_deep_bedrock_record_fails_its_job_and_breaks_nothing(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    line = '{"recordId": "r%d", "modelInput": {"messages": [], "x": %s}}\n'
    records = "".join(line % (i, DEEP) for i in range(100)).encode()
    http.put("/s3/hostile/deep.jsonl", content=records)
    created = _bedrock(http, "s3://hostile/deep.jsonl", "deep")
    assert created.status_code == 200, created.text[:200]
    batch_emulator.advance(hours=1)
    job = http.get("/bedrock/model-invocation-job/" + created.json()["jobArn"].rsplit("/")[-1])
    assert job.status_code == 200 and job.json()["status"] == "Failed"
    assert http.get("/bedrock/model-invocation-jobs").status_code == 200
    good = '{"recordId": "g%d", "modelInput": {"messages": []}}\n'
    http.put("/s3/hostile/good.jsonl", content="".join(good % i for i in range(100)).encode())
    assert _bedrock(http, "s3://hostile/good.jsonl", "after").status_code == 200


def test_a_deep_vertex_line_fails_its_job_and_breaks_nothing(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    line = '{"request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}, "k": %s}\n'
    media = {"uploadType": "media", "name": "deep.jsonl"}
    http.post("/upload/storage/v1/b/ghostile/o", params=media, content=(line % DEEP).encode())
    jobs = "/vertex/v1/projects/p/locations/us-central1/batchPredictionJobs"
    body = {
        "displayName": "deep",
        "model": GEMINI,
        "inputConfig": {
            "instancesFormat": "jsonl",
            "gcsSource": {"uris": ["gs://ghostile/deep.jsonl"]},
        },
        "outputConfig": {
            "predictionsFormat": "jsonl",
            "gcsDestination": {"outputUriPrefix": "gs://ghostile/out"},
        },
    }
    created = http.post(jobs, json=body)
    assert created.status_code == 200, created.text[:200]
    batch_emulator.advance(hours=1)
    job = http.get("/vertex/v1/" + created.json()["name"])
    assert job.status_code == 200 and job.json()["state"] == "JOB_STATE_FAILED"
    assert http.get(jobs).status_code == 200


@pytest.mark.parametrize("wrong", ["x", ["x"], 1, None])
def test_nested_configs_of_the_wrong_type_are_400s(http: httpx.Client, wrong: Any) -> None:
    bedrock = {
        "jobName": "j",
        "roleArn": ROLE,
        "modelId": CLAUDE,
        "inputDataConfig": {"s3InputDataConfig": wrong},
        "outputDataConfig": {"s3OutputDataConfig": wrong},
    }
    answer = http.post("/bedrock/model-invocation-job", json=bedrock)
    assert answer.status_code == 400 and "s3Uri" in answer.json()["message"]
    vertex = {
        "model": GEMINI,
        "inputConfig": {"gcsSource": wrong},
        "outputConfig": {"gcsDestination": wrong},
    }
    jobs = "/vertex/v1/projects/p/locations/l/batchPredictionJobs"
    answer = http.post(jobs, json=vertex)
    assert answer.status_code == 400 and answer.json()["error"]["status"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize("labels", ["x", 5, [1, 2], True])
def test_bifrost_vertex_labels_of_the_wrong_type_are_a_400(http: httpx.Client, labels: Any) -> None:
    """Inline Gemini bodies keep their labels beside Bifrost's custom-id label: a label value
    that is not an object answered 500 (`dict("x")`)."""
    assert http.post("/storage/v1/b", json={"name": "bif-labels"}).status_code == 200
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "labels": labels}
    answer = http.post(
        "/bifrost/v1/batches",
        params={"provider": "vertex"},
        json={
            "model": "gemini-2.0-flash-001",
            "output_gcs_uri": "gs://bif-labels/out/",
            "requests": [{"custom_id": "a", "body": body}],
        },
    )
    assert answer.status_code == 400, answer.text[:200]
    assert answer.json()["status_code"] == 400 and "labels" in answer.json()["error"]["message"]


@pytest.mark.parametrize("garbage", [b"garbage\n[1]\n", b'{"errorRecordCount": "x"}\n', b""])
def test_bifrost_reads_output_objects_the_user_overwrote_without_a_500(
    batch_emulator: EmulatorHandle, http: httpx.Client, garbage: bytes
) -> None:
    """Bedrock's outputs live in the user's own bucket; one overwritten there made Bifrost's
    get and results a 500 for good."""
    http.put("/s3/bif-out")
    created = http.post(
        "/bifrost/v1/batches",
        params={"provider": "bedrock"},
        json={
            "model": f"bedrock/{CLAUDE}",
            "role_arn": ROLE,
            "output_s3_uri": "s3://bif-out/out/",
            "requests": [
                {"custom_id": f"r{i}", "body": {"max_tokens": 5, "messages": []}}
                for i in range(100)
            ],
        },
    )
    assert created.status_code == 200, created.text[:200]
    job = quote(created.json()["id"], safe="")
    batch_emulator.advance(hours=1)
    assert http.get(f"/bifrost/v1/batches/{job}", params={"provider": "bedrock"}).status_code == 200
    listed = http.get("/s3/bif-out", params={"list-type": "2", "prefix": "out/"}).text
    outputs = [k for k in listed.split("<Key>")[1:] if ".out</Key>" in k]
    assert outputs  # the .jsonl.out and manifest.json.out Bifrost reads
    for key in outputs:
        http.put(f"/s3/bif-out/{key.split('</Key>')[0]}", content=garbage)
    for path in (f"/bifrost/v1/batches/{job}", f"/bifrost/v1/batches/{job}/results"):
        answer = http.get(path, params={"provider": "bedrock"})
        assert answer.status_code == 200, (path, answer.text[:200])


def test_a_stored_integer_past_64_bits_does_not_break_the_bedrock_list(
    http: httpx.Client,
) -> None:
    """JSON numbers have no size limit; a create keeping one (here in `vpcConfig`) made every
    later list and get a 500 (orjson writes 64-bit integers only)."""
    created = http.post(
        "/bedrock/model-invocation-job",
        json={
            "jobName": "big",
            "roleArn": ROLE,
            "modelId": CLAUDE,
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://hostile/a.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://hostile/out/"}},
            "vpcConfig": {"subnetIds": [10**30]},
        },
    )
    assert created.status_code == 200, created.text[:200]
    job = created.json()["jobArn"].rsplit("/")[-1]
    assert http.get("/bedrock/model-invocation-jobs").status_code == 200
    got = http.get(f"/bedrock/model-invocation-job/{job}")
    assert got.status_code == 200 and got.json()["vpcConfig"]["subnetIds"] == [10**30]


@pytest.mark.parametrize("field", [{"displayName": 10**30}, {"labels": "x"}, {"labels": {"a": 1}}])
def test_vertex_display_name_and_labels_of_the_wrong_type_are_400s(
    http: httpx.Client, field: dict[str, Any]
) -> None:
    body = {
        "model": GEMINI,
        "inputConfig": {
            "instancesFormat": "jsonl",
            "gcsSource": {"uris": ["gs://ghostile/a.jsonl"]},
        },
        "outputConfig": {"gcsDestination": {"outputUriPrefix": "gs://ghostile/out"}},
        **field,
    }
    answer = http.post("/vertex/v1/projects/p/locations/l/batchPredictionJobs", json=body)
    assert answer.status_code == 400, answer.text[:200]
    assert "Invalid value at 'batch_prediction_job." in answer.json()["error"]["message"]


@pytest.mark.parametrize("provider", ["openai", "bedrock", "vertex", "mistral"])
def test_an_integer_past_64_bits_inside_an_inline_request_is_no_500(
    http: httpx.Client, provider: str
) -> None:
    """Inline requests are written out as JSONL by orjson, which takes 64-bit integers only:
    Mistral's inline create and Bifrost's OpenAI, Bedrock and Vertex creates answered 500."""
    big: dict[str, Any] = {"messages": [{"role": "user", "content": "hi"}], "x": 10**30}
    if provider == "vertex":  # a Gemini body passes through as sent (messages are converted)
        big = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "x": 10**30}
    if provider == "mistral":
        answer = http.post(
            "/mistral/v1/batch/jobs",
            json={
                "requests": [{"custom_id": "a", "body": big}],
                "endpoint": "/v1/chat/completions",
                "model": "mistral-small-latest",
            },
        )
    else:
        http.put("/s3/big-out")
        http.post("/storage/v1/b", json={"name": "big-out-gcs"})
        answer = http.post(
            "/bifrost/v1/batches",
            params={"provider": provider},
            json={
                "model": {"openai": "gpt-4o-mini", "bedrock": f"bedrock/{CLAUDE}"}.get(
                    provider, "gemini-2.0-flash-001"
                ),
                "endpoint": "/v1/chat/completions",
                "role_arn": ROLE,
                "output_s3_uri": "s3://big-out/o/",
                "output_gcs_uri": "gs://big-out-gcs/o/",
                "requests": [{"custom_id": "a", "body": big}],
            },
        )
    assert answer.status_code == 200, answer.text[:200]


def test_a_multipart_related_body_of_tiny_parts_costs_no_more_than_a_copy() -> None:
    """GCS multipart uploads split the body at the boundary: splitting all of it made one
    bytes object per tiny part (a 20 MB body peaked at 199 MB; 200 MB would be ~2 GB)."""
    from emulator.providers.gcs.routes import _split_related

    body = b"--xab" * 4_000_000  # 20 MB of 4 million two-byte parts
    tracemalloc.start()
    try:
        with pytest.raises(EmulatorError):
            _split_related("multipart/related; boundary=x", body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(body), f"{peak / 2**20:.0f} MB for a {len(body) / 2**20:.0f} MB body"


@pytest.mark.parametrize(
    "body",
    [
        b"2\r\nab\r\n" * 300_000 + b"0\r\n\r\n",  # 2 MB of 2-byte chunks
        b"0\r\n" + b"\r\n" * 1_000_000 + b"\r\n\r\n",  # 2 MB of empty trailer lines
    ],
    ids=["tiny-chunks", "endless-trailers"],
)
def test_aws_chunked_decoding_costs_no_more_than_a_copy(body: bytes) -> None:
    """Decoded into one buffer, not a list of chunks (2-byte chunks made ~6x the body), and a
    trailer section is a few lines, not megabytes split into millions."""
    tracemalloc.start()
    try:
        with contextlib.suppress(EmulatorError):
            chunked.decode(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(body), f"{peak / 2**20:.0f} MB for a {len(body) / 2**20:.0f} MB body"


def test_a_5000_digit_content_length_in_process_is_no_500(batch_emulator: EmulatorHandle) -> None:
    """In process (ASGI, no HTTP parser in front) a Content-Length of 5,000 ASCII digits
    reached the offload check, whose int() raised: a 500 on every route."""
    from starlette.testclient import TestClient

    client = TestClient(batch_emulator.emulator.app, raise_server_exceptions=False)
    headers = {"authorization": "Bearer k", "content-length": "9" * 5000}
    answer = client.post("/v1/batches", headers=headers, content=b"{}")
    assert answer.status_code < 500, answer.text[:200]
