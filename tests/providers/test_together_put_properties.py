"""Property: whatever sequence of PUTs reaches a Together upload URL (right or wrong signature,
right or wrong checksum, sizes around the cap, a second write), the file ends holding exactly
the first body that was accepted, or nothing, and no answer is a 5xx. Over real loopback HTTP."""

from __future__ import annotations

import hashlib

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator.handle import EmulatorHandle

CAP = 2_000  # the marker's max_file_bytes, so bodies around it stay small
AUTH = {"Authorization": "Bearer tg-prop"}
ATTEMPT = st.tuples(
    st.sampled_from(["own", "forged", "bare"]),  # which signature the URL carries
    st.binary(min_size=0, max_size=CAP + 200),
    st.booleans(),  # chunked (no Content-Length)
)


def _url(location: str, how: str) -> str:
    url = httpx.URL(location)
    if how == "forged":
        return str(url.copy_set_param("signature", "A" * 32))
    if how == "bare":
        return str(url.copy_remove_param("signature"))
    return location


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    attempts=st.lists(ATTEMPT, min_size=1, max_size=5),
    checksum_of=st.one_of(st.none(), st.binary(max_size=64)),
)
def test_a_file_holds_the_first_accepted_body_or_nothing(
    batch_emulator: EmulatorHandle,
    attempts: list[tuple[str, bytes, bool]],
    checksum_of: bytes | None,
) -> None:
    batch_emulator.configure(max_file_bytes=CAP)
    base = batch_emulator.together_base_url + "/v1"
    fields = {"purpose": "batch-api", "file_name": "p.jsonl", "file_type": "jsonl"}
    if checksum_of is not None:
        fields["checksum"] = hashlib.sha256(checksum_of).hexdigest()
    started = httpx.post(base + "/files", data=fields, headers=AUTH)
    location, file_id = started.headers["location"], started.headers["x-together-file-id"]
    accepted: bytes | None = None
    for how, body, chunked in attempts:
        content = iter([body]) if chunked else body
        answer = httpx.put(_url(location, how), content=content)
        assert answer.status_code < 500, answer.text
        should = (
            accepted is None
            and how == "own"
            and len(body) <= CAP
            and (checksum_of is None or body == checksum_of)
        )
        assert (answer.status_code == 200) == should, (how, len(body), answer.text)
        if should:
            accepted = body
    stored = httpx.get(f"{base}/files/{file_id}", headers=AUTH).json()
    data = httpx.get(f"{base}/files/{file_id}/content", headers=AUTH).content
    assert data == (accepted or b"")
    assert stored["Processed"] is (accepted is not None) and stored["bytes"] == len(data)
