"""How the object store is written to a state file: one record per bucket, object, upload and
part, plus what a batch's derived outputs were called.

Scoping: under `--isolate-keys` a bucket belongs to the tenant that made it, and its name is
scoped by that tenant (`scope`); the name a client sees is kept beside it. A batch's outputs
are not stored: they are rendered again from the seed after a restart. Only their names and
generations are (`DERIVED`), so the re-rendered objects carry the generation a client saw,
and an output a client deleted or replaced stays so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulator.core import tenancy

BUCKET = "bucket"
OBJECT = "object"
UPLOAD = "object-upload"
PART = "object-part"
DERIVED = "object-derived"
GENERATION = "object-generation"
KINDS = (BUCKET, OBJECT, UPLOAD, PART, DERIVED, GENERATION)  # restored in this order

Path = tuple[str, str]  # (scoped bucket, key)


def scope(bucket: str) -> str:
    """The store's own name of the calling tenant's bucket: the tenant's prefix and the name
    (tenant names hold no `/`, so two tenants' names never meet); the plain name without
    isolation."""
    owner = tenancy.current()
    return bucket if owner is None else f"{owner}/{bucket}"


def object_key(path: Path) -> str:
    """A record key that no pair of (bucket, key) strings can share."""
    return json.dumps(list(path), ensure_ascii=False)


def part_key(upload_id: str, number: int) -> str:
    return f"{upload_id}/{number:05d}"


@dataclass(frozen=True)
class ObjectMeta:
    """An object's record value: everything but its bytes."""

    scoped: str
    bucket: str
    key: str
    content_type: str
    metadata: dict[str, str]
    generation: int
    created: float
    etag: str

    def value(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @staticmethod
    def of(value: Any) -> ObjectMeta:
        """A record read back (a state file or an imported snapshot): every field checked."""
        texts = [value[k] for k in ("scoped", "bucket", "key", "content_type", "etag")]
        metadata, generation, created = value["metadata"], value["generation"], value["created"]
        numbers = isinstance(generation, int) and isinstance(created, int | float)
        pairs = isinstance(metadata, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        )
        if not (all(isinstance(t, str) for t in texts) and numbers and pairs):
            raise ValueError("an object record's fields are not of their types")
        scoped, bucket, key, content_type, etag = texts
        return ObjectMeta(scoped, bucket, key, content_type, metadata, generation, created, etag)


def derived_value(paths: dict[Path, int]) -> dict[str, Any]:
    return {"objects": [[s, k, g] for (s, k), g in sorted(paths.items())]}


def derived_of(value: Any) -> dict[Path, int]:
    return {(str(s), str(k)): int(g) for s, k, g in value["objects"]}


__all__ = [
    "BUCKET",
    "DERIVED",
    "GENERATION",
    "KINDS",
    "OBJECT",
    "PART",
    "UPLOAD",
    "ObjectMeta",
    "derived_of",
    "derived_value",
    "object_key",
    "part_key",
    "scope",
]
