"""Object storage, once: buckets and objects that S3 and GCS are two thin dialects over.

Bedrock and Vertex read batch input from object storage and write their results there, so the
store lives in the core beside batches: a batch naming `s3://` or `gs://` reads its input from
here and its results are written here when it is first seen finished (`outputs.settle_files`).
Sizes are bounded (object bytes, object count, pending uploads, parts per upload): a client
cannot grow the server without limit. One lock guards every read and write.

With a state file (`sink`) every acknowledged change is written before the answer, in one
transaction with what it replaces (`object_records` says how); a batch's outputs are only
named there, and rendered again after a restart. Under `--isolate-keys` buckets are the
calling tenant's: another key's bucket is the provider's own not-found.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.object_errors import (
    check_content_type,
    check_key,
    no_bucket,
    no_key,
    store_error,
    too_large,
)
from emulator.core.object_records import (
    BUCKET,
    DERIVED,
    GENERATION,
    OBJECT,
    PART,
    UPLOAD,
    ObjectMeta,
    Path,
    derived_of,
    derived_value,
    object_key,
    part_key,
    scope,
)
from emulator.core.persist import NULL, Record, Sink

MAX_BUCKETS = 1_000
MAX_OBJECTS = 100_000  # in the whole store
MAX_UPLOADS = 1_000  # multipart / resumable uploads in flight
MAX_PARTS = 10_000  # S3's own part-number ceiling
FOLDER_MARK = "\U0010ffff"  # ends a paging marker that names a folder, not a key
MAX_STORE_BYTES = 4 * 1024 * 1024 * 1024  # every object together


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    data: bytes
    content_type: str
    metadata: dict[str, str]
    generation: int  # GCS's generation; also S3's version-ish counter
    created: float
    etag: str  # MD5 hex of the bytes (S3's single-part ETag); multipart: md5-of-md5s-N

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Upload:
    """A multipart (S3) or resumable (GCS) upload in flight: its parts by number. The upload id
    is its credential (a GCS session URL is sent without a key), so it carries the scoped name
    of the bucket it was begun in."""

    bucket: str
    key: str
    content_type: str
    metadata: dict[str, str]
    scoped: str = ""
    parts: dict[int, bytes] = field(default_factory=dict)
    size: int = 0  # bytes held in its parts, kept as they come (no sum over 10,000 parts)

    def value(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "content_type": self.content_type,
            "metadata": self.metadata,
            "scoped": self.scoped,
        }


def parse_uri(uri: str, scheme: str) -> tuple[str, str] | None:
    """`s3://bucket/some/key` -> (bucket, "some/key"); None when it is not that scheme."""
    head = f"{scheme}://"
    if not uri.startswith(head):
        return None
    bucket, _, key = uri[len(head) :].partition("/")
    return (bucket, key) if bucket else None


class ObjectStore:
    """Buckets and objects in memory. Keys are plain strings; listing is lexicographic."""

    def __init__(self, max_object_bytes: int) -> None:
        self.max_object_bytes = max_object_bytes
        self.sink: Sink = NULL  # a state file's store once `serve --state` attaches one
        self._lock = threading.RLock()
        # Taken before a state file's transaction, never inside one: a caller that writes the
        # store's records in its own transaction takes this first (`lock`).
        self.lock = self._lock
        self._buckets: dict[str, tuple[str, float]] = {}  # scoped name -> (name, created)
        self._objects: dict[str, dict[str, StoredObject]] = {}  # scoped name -> key -> object
        self._uploads: dict[str, Upload] = {}
        self._generation = 0
        self._bytes = 0
        self._pending = 0  # bytes held by uploads in flight: they count toward the store cap
        self._count = 0
        self._made_by: dict[Path, str] = {}  # batch output object -> its batch id
        self._derived: dict[str, dict[Path, int]] = {}  # batch id -> its outputs' generations
        self._marks: dict[str, dict[Path, int]] = {}  # restored: the outputs to render again

    def reset(self) -> None:
        with self._lock:
            for table in (self._made_by, self._buckets, self._objects, self._uploads):
                table.clear()
            self._derived.clear()
            self._marks.clear()
            self._generation = self._bytes = self._count = self._pending = 0

    # -- buckets ----------------------------------------------------------------------------
    def create_bucket(self, name: str, now: float) -> bool:
        """True if made now, False if it already existed (each dialect words that itself)."""
        with self._lock:
            scoped = scope(name)
            if scoped in self._buckets:
                return False
            if len(self._buckets) >= MAX_BUCKETS:
                raise store_error(
                    ErrorKind.INVALID_REQUEST,
                    "TooManyBuckets",
                    "You have attempted to create more buckets than allowed",
                )
            self.sink.put(BUCKET, scoped, {"name": name, "created": now})
            self._buckets[scoped] = (name, now)
            self._objects[scoped] = {}
            return True

    def has_bucket(self, name: str) -> bool:
        with self._lock:
            return scope(name) in self._buckets

    def bucket_created(self, name: str) -> float:
        with self._lock:
            found = self._buckets.get(scope(name))
            if found is None:
                raise no_bucket(name)
            return found[1]

    def buckets(self) -> list[tuple[str, float]]:
        """The calling tenant's buckets (a bucket is its tenant's when its scoped name is)."""
        with self._lock:
            return sorted((n, c) for s, (n, c) in self._buckets.items() if s == scope(n))

    def delete_bucket(self, name: str) -> None:
        with self._lock:
            scoped = scope(name)
            if scoped not in self._buckets:
                raise no_bucket(name)
            if self._objects[scoped]:
                raise store_error(
                    ErrorKind.CONFLICT,
                    "BucketNotEmpty",
                    "The bucket you tried to delete is not empty",
                )
            self.sink.delete(BUCKET, scoped)
            del self._buckets[scoped], self._objects[scoped]

    def drop_owner(self, tenant: str) -> int:
        """Forget one tenant's buckets, objects and uploads (a scoped reset); how many buckets."""
        head = tenant + "/"
        with self._lock, self.sink.transaction():
            for upload_id in [u for u, up in self._uploads.items() if up.scoped.startswith(head)]:
                self.abort_upload(upload_id)
            mine = [s for s in self._buckets if s.startswith(head)]
            for scoped in mine:
                for key in list(self._objects[scoped]):
                    self._drop((scoped, key))
                self.sink.delete(BUCKET, scoped)
                del self._buckets[scoped], self._objects[scoped]
            return len(mine)

    # -- objects ----------------------------------------------------------------------------
    def put(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        now: float,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
        etag: str | None = None,
    ) -> StoredObject:
        return self._put(scope(bucket), bucket, key, data, now, content_type, metadata, etag)

    def _put(
        self,
        scoped: str,
        bucket: str,
        key: str,
        data: bytes,
        now: float,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
        etag: str | None = None,
        generation: int | None = None,
        derived: bool = False,
    ) -> StoredObject:
        """`derived`: a batch's output, named in the state file but not stored there;
        `generation`: the one it had before a restart."""
        check_key(key)
        check_content_type(content_type)
        if len(data) > self.max_object_bytes:
            raise too_large(self.max_object_bytes)
        with self._lock:
            objects = self._objects.get(scoped)
            if objects is None:
                raise no_bucket(bucket)
            old = objects.get(key)
            grown = len(data) - (old.size if old else 0)
            held = self._bytes + self._pending + grown
            if (old is None and self._count >= MAX_OBJECTS) or held > MAX_STORE_BYTES:
                raise store_error(
                    ErrorKind.RATE_LIMITED, "SlowDown", "The object store is full; delete some."
                )
            if generation is None:
                self._generation += 1
            stored = StoredObject(
                bucket=bucket,
                key=key,
                data=data,
                content_type=content_type,
                metadata=dict(metadata or {}),
                generation=self._generation if generation is None else generation,
                created=now,
                etag=etag or hashlib.md5(data, usedforsecurity=False).hexdigest(),
            )
            with self.sink.transaction():
                if not self._underive((scoped, key)) and old is not None and derived:
                    self.sink.delete(OBJECT, object_key((scoped, key)))
                if not derived:
                    self._write(scoped, stored)
            objects[key] = stored
            self._bytes += grown
            self._count += old is None
            return stored

    def _write(self, scoped: str, stored: StoredObject) -> None:
        """An object's record, and the generation counter (never reused after a restart)."""
        if self.sink.active:
            meta = ObjectMeta(
                scoped,
                stored.bucket,
                stored.key,
                stored.content_type,
                stored.metadata,
                stored.generation,
                stored.created,
                stored.etag,
            )
            self.sink.put(OBJECT, object_key((scoped, stored.key)), meta.value(), stored.data)
            self.sink.put(GENERATION, GENERATION, self._generation)

    def _underive(self, path: Path) -> bool:
        """The object at `path` stops being a batch's output (replaced or deleted); whether it
        was one."""
        batch_id = self._made_by.pop(path, None)
        if batch_id is None:
            return False
        paths = self._derived.get(batch_id)
        if paths is not None and paths.pop(path, None) is not None:
            self.sink.put(DERIVED, batch_id, derived_value(paths))
        return True

    def put_anyway(
        self, bucket: str, key: str, data: bytes, now: float, ctype: str, batch_id: str = ""
    ) -> None:
        """A batch's output (or Bifrost's upload of its input): its bucket is made if it has
        gone since the batch was created. `batch_id` remembers whose output it is, so a
        download counts as reading its results (the client verdict), and marks it derived."""
        with self._lock:
            path = (scope(bucket), key)
            marks = self._marks.get(batch_id) if batch_id else None
            generation = None if marks is None else marks.get(path)
            if marks is not None and generation is None:
                return  # deleted or replaced before a restart: it stays so
            if path[0] not in self._buckets:
                self.create_bucket(bucket, now)
            stored = self._put(
                path[0],
                bucket,
                key,
                data,
                now,
                ctype,
                generation=generation,
                derived=bool(batch_id),
            )
            if batch_id:
                self._made_by[path] = batch_id
                self._derived.setdefault(batch_id, {})[path] = stored.generation

    def outputs_written(self, batch_id: str) -> None:
        """A batch's outputs are all in place: their names and generations go to the state
        file together (a restart before this renders them afresh, as no answer told of them)."""
        with self._lock:
            if self._marks.pop(batch_id, None) is not None:
                return  # rendered again after a restart: the record is already there
            with self.sink.transaction():
                self.sink.put(DERIVED, batch_id, derived_value(self._derived.get(batch_id, {})))
                self.sink.put(GENERATION, GENERATION, self._generation)

    def keep_outputs(self, batch_id: str) -> None:
        """The batch is going away: its outputs stay, now stored like any upload (they could
        not be rendered again without it)."""
        with self._lock, self.sink.transaction():
            for path in self._derived.pop(batch_id, {}):
                self._made_by.pop(path, None)
                stored = self._objects.get(path[0], {}).get(path[1])
                if stored is not None:
                    self._write(path[0], stored)
            self.sink.delete(DERIVED, batch_id)

    def made_by(self, bucket: str, key: str) -> str | None:
        """The batch whose output this object is, if it is one (and was not replaced since)."""
        with self._lock:
            return self._made_by.get((scope(bucket), key))

    def get(self, bucket: str, key: str) -> StoredObject:
        with self._lock:
            objects = self._objects.get(scope(bucket))
            if objects is None:
                raise no_bucket(bucket)
            found = objects.get(key)
            if found is None:
                raise no_key(bucket, key)
            return found

    def delete(self, bucket: str, key: str) -> bool:
        """True if there was such an object (S3 answers 204 either way; GCS 404s)."""
        with self._lock:
            scoped = scope(bucket)
            if scoped not in self._objects:
                raise no_bucket(bucket)
            return self._drop((scoped, key))

    def _drop(self, path: Path) -> bool:
        with self.sink.transaction():
            if not self._underive(path):
                self.sink.delete(OBJECT, object_key(path))
        old = self._objects[path[0]].pop(path[1], None)
        if old is not None:
            self._bytes -= old.size
            self._count -= 1
        return old is not None

    def listing(
        self, bucket: str, prefix: str = "", after: str = "", limit: int = 1000
    ) -> tuple[list[StoredObject], bool]:
        """Objects under `prefix` with keys after `after`, in key order; and whether more follow."""
        with self._lock:
            objects = self._objects.get(scope(bucket))
            if objects is None:
                raise no_bucket(bucket)
            keys = sorted(k for k in objects if k.startswith(prefix) and k > after)
            return [objects[k] for k in keys[:limit]], len(keys) > limit

    def folders(
        self, bucket: str, prefix: str, delimiter: str, after: str = "", limit: int = 1000
    ) -> tuple[list[StoredObject], list[str], str | None]:
        """A listing with `delimiter` folded, as S3's CommonPrefixes and GCS's `prefixes`:
        keys with the delimiter after `prefix` collapse into one entry each. Objects and folders
        count alike toward `limit`; returns (objects, folders, the entry the page ended on when
        more follow: passed back as `after`, a folder's whole contents are skipped)."""
        found: list[StoredObject] = []
        folders: list[str] = []
        with self._lock:
            objects = self._objects.get(scope(bucket))
            if objects is None:
                raise no_bucket(bucket)
            folder = after[:-1] if after.endswith(FOLDER_MARK) else None
            start = folder if folder is not None else after
            for key in sorted(k for k in objects if k.startswith(prefix) and k > start):
                if folder is not None and key.startswith(folder):
                    continue  # inside the folder the previous page ended on
                cut = key.find(delimiter, len(prefix))
                entry = key if cut < 0 else key[: cut + len(delimiter)]
                if folders and entry == folders[-1]:
                    continue
                if len(found) + len(folders) == limit:
                    return found, folders, _last(found, folders)
                if cut < 0:
                    found.append(objects[key])
                else:
                    folders.append(entry)
        return found, folders, None

    # -- uploads in parts -------------------------------------------------------------------
    def start_upload(
        self, upload_id: str, bucket: str, key: str, content_type: str, metadata: dict[str, str]
    ) -> None:
        check_key(key)
        check_content_type(content_type)
        with self._lock:
            scoped = scope(bucket)
            if scoped not in self._buckets:
                raise no_bucket(bucket)
            if len(self._uploads) >= MAX_UPLOADS:
                raise store_error(
                    ErrorKind.RATE_LIMITED, "SlowDown", "Too many uploads in progress."
                )
            upload = Upload(bucket, key, content_type, dict(metadata), scoped)
            self.sink.put(UPLOAD, upload_id, upload.value())
            self._uploads[upload_id] = upload

    def upload(self, upload_id: str) -> Upload:
        """An upload in flight, the calling tenant's only (its id is seeded, so guessable)."""
        with self._lock:
            found = self._uploads.get(upload_id)
            if found is None or found.scoped != scope(found.bucket):
                raise store_error(
                    ErrorKind.NOT_FOUND,
                    "NoSuchUpload",
                    "The specified upload does not exist. The upload ID may be invalid, or the "
                    "upload may have been aborted or completed.",
                )
            return found

    def add_part(self, upload_id: str, number: int, data: bytes) -> str:
        """Store one part (replacing an earlier one of that number); its MD5 hex is its ETag."""
        with self._lock:
            upload = self.upload(upload_id)
            if not 1 <= number <= MAX_PARTS:
                raise store_error(
                    ErrorKind.INVALID_REQUEST,
                    "InvalidArgument",
                    f"Part number must be an integer between 1 and {MAX_PARTS}, inclusive",
                )
            grown = len(data) - len(upload.parts.get(number, b""))
            if upload.size + grown > self.max_object_bytes:
                raise too_large(self.max_object_bytes)
            if self._bytes + self._pending + grown > MAX_STORE_BYTES:
                raise store_error(
                    ErrorKind.RATE_LIMITED, "SlowDown", "The object store is full; delete some."
                )
            value = {"upload": upload_id, "number": number}
            self.sink.put(PART, part_key(upload_id, number), value, data)
            upload.parts[number] = data
            upload.size += grown
            self._pending += grown
        return hashlib.md5(data, usedforsecurity=False).hexdigest()

    def complete_upload(
        self, upload_id: str, numbers: list[int] | None, now: float
    ) -> StoredObject:
        """Join the named parts (all, in order, when `numbers` is None) into the object."""
        with self._lock:
            upload = self.upload(upload_id)
            chosen = sorted(upload.parts) if numbers is None else numbers
            missing = [n for n in chosen if n not in upload.parts]
            if missing or chosen != sorted(set(chosen)):
                raise store_error(
                    ErrorKind.INVALID_REQUEST,
                    "InvalidPart",
                    "One or more of the specified parts could not be found.",
                )
            parts = [upload.parts[n] for n in chosen]
            digests = b"".join(hashlib.md5(p, usedforsecurity=False).digest() for p in parts)
            etag = hashlib.md5(digests, usedforsecurity=False).hexdigest() + f"-{len(parts)}"
            self._pending -= upload.size  # the parts become the object (or are dropped)
            del self._uploads[upload_id]
            try:
                with self.sink.transaction():  # the object and the end of its upload, at once
                    self._forget_upload(upload_id, upload)
                    return self._put(
                        upload.scoped,
                        upload.bucket,
                        upload.key,
                        b"".join(parts),
                        now,
                        upload.content_type,
                        upload.metadata,
                        etag if numbers is not None else None,
                    )
            except EmulatorError:  # the bucket went away, say: the upload stays, as in S3
                self._uploads[upload_id] = upload
                self._pending += upload.size
                raise

    def abort_upload(self, upload_id: str) -> None:
        with self._lock:
            upload = self.upload(upload_id)
            with self.sink.transaction():
                self._forget_upload(upload_id, upload)
            self._pending -= upload.size
            del self._uploads[upload_id]

    def _forget_upload(self, upload_id: str, upload: Upload) -> None:
        self.sink.delete(UPLOAD, upload_id)
        for number in upload.parts:
            self.sink.delete(PART, part_key(upload_id, number))

    # -- what batches read ------------------------------------------------------------------
    def jsonl_inputs(self, bucket: str, key: str) -> list[StoredObject]:
        """The input a batch names: the object itself, else every `.jsonl` under that prefix."""
        with self._lock:
            objects = self._objects.get(scope(bucket), {})
            if key in objects:
                return [objects[key]]
            folder = key if not key or key.endswith("/") else key + "/"
            return [
                objects[k] for k in sorted(objects) if k.startswith(folder) and k.endswith(".jsonl")
            ]

    # -- a restart --------------------------------------------------------------------------
    def restorers(self) -> dict[str, Callable[[list[Record]], None]]:
        """What a state file's records of each kind become (in this order: buckets first)."""
        return {
            BUCKET: self._restore_buckets,
            OBJECT: self._restore_objects,
            UPLOAD: self._restore_uploads,
            PART: self._restore_parts,
            GENERATION: self._restore_generation,
            DERIVED: self.restore_derived,
        }

    def marked(self) -> list[str]:
        """Batches whose outputs existed before the restart, to be rendered again now."""
        with self._lock:
            return list(self._marks)

    def _restore_buckets(self, records: list[Record]) -> None:
        for r in records:
            self._buckets[r.key] = (str(r.value["name"]), float(r.value["created"]))
            self._objects[r.key] = {}

    def _restore_objects(self, records: list[Record]) -> None:
        for r in records:
            m = ObjectMeta.of(r.value)
            objects = self._objects.get(m.scoped)
            if objects is None or r.data is None:
                continue  # a bucket record is written before any of its objects
            args = (m.content_type, m.metadata, m.generation, m.created, m.etag)
            objects[m.key] = StoredObject(m.bucket, m.key, r.data, *args)
            self._bytes += len(r.data)
            self._count += 1
            self._generation = max(self._generation, m.generation)

    def _restore_uploads(self, records: list[Record]) -> None:
        for r in records:
            v = r.value
            meta = {str(k): str(x) for k, x in dict(v["metadata"]).items()}
            self._uploads[r.key] = Upload(
                str(v["bucket"]), str(v["key"]), str(v["content_type"]), meta, str(v["scoped"])
            )

    def _restore_parts(self, records: list[Record]) -> None:
        for r in records:
            upload = self._uploads.get(str(r.value["upload"]))
            if upload is None or r.data is None:
                continue
            upload.parts[int(r.value["number"])] = r.data
            upload.size += len(r.data)
            self._pending += len(r.data)

    def _restore_generation(self, records: list[Record]) -> None:
        for r in records:
            self._generation = max(self._generation, int(r.value))

    def restore_derived(self, records: list[Record]) -> None:
        for r in records:
            marks = derived_of(r.value)
            self._marks[r.key] = marks
            self._generation = max([self._generation, *marks.values()])


def _last(found: list[StoredObject], folders: list[str]) -> str:
    """The entry a page ended on, whichever kind it was (both lists are in key order); a
    folder is marked, so the next page skips its contents (and not a key that merely ends
    with the delimiter)."""
    last_key = found[-1].key if found else ""
    last_folder = folders[-1] if folders else ""
    return last_key if last_key > last_folder else last_folder + FOLDER_MARK
