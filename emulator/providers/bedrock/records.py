"""Bedrock batch input: JSONL records `{"recordId", "modelInput"}` read from the object store.

Record format per docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data: one JSON
object a line, `modelInput` the model's InvokeModel body; an omitted `recordId` is added. The
body's family follows the model id (Anthropic, Amazon Nova, Meta Llama, the families this
emulator generates results for). Validation covers what Bedrock's Validating phase checks
(format, counts), not the body itself (reference §1.2), so problems fail the job, they do not
refuse the create.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.core import jsonsafe
from emulator.core.batch import Item, LineError
from emulator.core.objects import ObjectStore, parse_uri

# The per-model quota "Minimum number of records per batch inference job" (100 by default:
# litellm-docs PR #1408, BAML PR #3036) and the 50,000 maximum records per job.
MIN_RECORDS = 100
FAMILIES = (
    ("anthropic.", "anthropic/messages"),
    ("amazon.nova", "bedrock/nova"),
    ("meta.llama", "bedrock/llama"),
)


def endpoint_for(model_id: str) -> str | None:
    """The result generator for a model id, ARN or inference profile (`us.anthropic...`)."""
    name = model_id.rsplit("/", 1)[-1]
    for marker, endpoint in FAMILIES:
        if marker in name:
            return endpoint
    return None


@dataclass
class Input:
    items: list[Item] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    files: list[tuple[str, int]] = field(default_factory=list)  # (file name, records)


def read(store: ObjectStore, uri: str, max_records: int) -> Input:
    out = Input()
    where = parse_uri(uri, "s3")
    found = [] if where is None else store.jsonl_inputs(*where)
    if not found:
        out.errors.append(LineError("invalid_input", f"No .jsonl input found at {uri}."))
        return out
    for obj in found:
        before = len(out.items)
        _parse(obj.data, out)
        out.files.append((obj.key.rsplit("/", 1)[-1], len(out.items) - before))
        if out.errors:
            return out
    _check_count(out, max_records)
    return out


def _parse(data: bytes, out: Input) -> None:
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = jsonsafe.loads_strict(line)  # depth-limited: deeper fails, not renders
        except ValueError:
            record = None
        body = record.get("modelInput") if isinstance(record, dict) else None
        if not isinstance(body, dict):
            message = f"Line {number}: each record needs a JSON object with a modelInput object."
            out.errors.append(LineError("invalid_record", message, line=number))
            return
        assert isinstance(record, dict)
        given = record.get("recordId")
        record_id = given if isinstance(given, str) and given else f"RECORD{len(out.items):010d}"
        out.items.append(Item(record_id, body))


def _check_count(out: Input, max_records: int) -> None:
    count = len(out.items)
    if count < MIN_RECORDS:
        out.errors.append(
            LineError(
                "too_few_records",
                f"The number of records in the input ({count}) is less than the minimum "
                f"number of records per batch inference job ({MIN_RECORDS}).",
            )
        )
    elif count > max_records:
        out.errors.append(
            LineError(
                "too_many_records",
                f"The number of records in the input ({count}) exceeds the maximum number of "
                f"records per batch inference job ({max_records}).",
            )
        )
