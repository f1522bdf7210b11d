"""Object storage, once: buckets and objects that S3 and GCS are two thin dialects over.

Bedrock and Vertex read batch input from object storage and write their results there, so the
store lives in the core beside batches: a batch naming `s3://` or `gs://` reads its input from
here and its results are written here when it is first seen finished (`outputs.settle_files`).
Sizes are bounded (object bytes, object count, pending uploads, parts per upload): a client
cannot grow the server without limit. One lock guards every read and write.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.object_errors import (
    check_content_type,
    check_key,
    no_bucket,
    no_key,
    store_error,
    too_large,
)

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
    """A multipart (S3) or resumable (GCS) upload in flight: its parts by number."""

    bucket: str
    key: str
    content_type: str
    metadata: dict[str, str]
    parts: dict[int, bytes] = field(default_factory=dict)
    size: int = 0  # bytes held in its parts, kept as they come (no sum over 10,000 parts)


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
        self._lock = threading.RLock()
        self._buckets: dict[str, float] = {}  # name -> created
        self._objects: dict[str, dict[str, StoredObject]] = {}
        self._uploads: dict[str, Upload] = {}
        self._generation = 0
        self._bytes = 0
        self._pending = 0  # bytes held by uploads in flight: they count toward the store cap
        self._count = 0
        self._made_by: dict[tuple[str, str], str] = {}  # batch output object -> its batch id

    def reset(self) -> None:
        with self._lock:
            self._made_by.clear()
            self._buckets.clear()
            self._objects.clear()
            self._uploads.clear()
            self._generation = self._bytes = self._count = self._pending = 0

    # -- buckets ----------------------------------------------------------------------------
    def create_bucket(self, name: str, now: float) -> bool:
        """True if made now, False if it already existed (each dialect words that itself)."""
        with self._lock:
            if name in self._buckets:
                return False
            if len(self._buckets) >= MAX_BUCKETS:
                raise store_error(
                    ErrorKind.INVALID_REQUEST,
                    "TooManyBuckets",
                    "You have attempted to create more buckets than allowed",
                )
            self._buckets[name] = now
            self._objects[name] = {}
            return True

    def has_bucket(self, name: str) -> bool:
        with self._lock:
            return name in self._buckets

    def bucket_created(self, name: str) -> float:
        with self._lock:
            if name not in self._buckets:
                raise no_bucket(name)
            return self._buckets[name]

    def buckets(self) -> list[tuple[str, float]]:
        with self._lock:
            return sorted(self._buckets.items())

    def delete_bucket(self, name: str) -> None:
        with self._lock:
            if name not in self._buckets:
                raise no_bucket(name)
            if self._objects[name]:
                raise store_error(
                    ErrorKind.CONFLICT,
                    "BucketNotEmpty",
                    "The bucket you tried to delete is not empty",
                )
            del self._buckets[name], self._objects[name]

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
        check_key(key)
        check_content_type(content_type)
        if len(data) > self.max_object_bytes:
            raise too_large(self.max_object_bytes)
        with self._lock:
            objects = self._objects.get(bucket)
            if objects is None:
                raise no_bucket(bucket)
            old = objects.get(key)
            grown = len(data) - (old.size if old else 0)
            held = self._bytes + self._pending + grown
            if (old is None and self._count >= MAX_OBJECTS) or held > MAX_STORE_BYTES:
                raise store_error(
                    ErrorKind.RATE_LIMITED, "SlowDown", "The object store is full; delete some."
                )
            self._generation += 1
            stored = StoredObject(
                bucket=bucket,
                key=key,
                data=data,
                content_type=content_type,
                metadata=dict(metadata or {}),
                generation=self._generation,
                created=now,
                etag=etag or hashlib.md5(data, usedforsecurity=False).hexdigest(),
            )
            objects[key] = stored
            self._made_by.pop((bucket, key), None)
            self._bytes += grown
            self._count += old is None
            return stored

    def put_anyway(
        self, bucket: str, key: str, data: bytes, now: float, ctype: str, batch_id: str = ""
    ) -> None:
        """A batch's output: its bucket is made if it has gone since the batch was created.
        `batch_id` remembers whose output it is, so a download counts as reading its results
        (the client verdict)."""
        with self._lock:
            if bucket not in self._buckets:
                self.create_bucket(bucket, now)
            self.put(bucket, key, data, now=now, content_type=ctype)
            if batch_id:
                self._made_by[(bucket, key)] = batch_id

    def made_by(self, bucket: str, key: str) -> str | None:
        """The batch whose output this object is, if it is one (and was not replaced since)."""
        with self._lock:
            return self._made_by.get((bucket, key))

    def get(self, bucket: str, key: str) -> StoredObject:
        with self._lock:
            objects = self._objects.get(bucket)
            if objects is None:
                raise no_bucket(bucket)
            found = objects.get(key)
            if found is None:
                raise no_key(bucket, key)
            return found

    def delete(self, bucket: str, key: str) -> bool:
        """True if there was such an object (S3 answers 204 either way; GCS 404s)."""
        with self._lock:
            objects = self._objects.get(bucket)
            if objects is None:
                raise no_bucket(bucket)
            old = objects.pop(key, None)
            self._made_by.pop((bucket, key), None)
            if old is not None:
                self._bytes -= old.size
                self._count -= 1
            return old is not None

    def listing(
        self, bucket: str, prefix: str = "", after: str = "", limit: int = 1000
    ) -> tuple[list[StoredObject], bool]:
        """Objects under `prefix` with keys after `after`, in key order; and whether more follow."""
        with self._lock:
            objects = self._objects.get(bucket)
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
            objects = self._objects.get(bucket)
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
            if bucket not in self._buckets:
                raise no_bucket(bucket)
            if len(self._uploads) >= MAX_UPLOADS:
                raise store_error(
                    ErrorKind.RATE_LIMITED, "SlowDown", "Too many uploads in progress."
                )
            self._uploads[upload_id] = Upload(bucket, key, content_type, dict(metadata))

    def upload(self, upload_id: str) -> Upload:
        with self._lock:
            found = self._uploads.get(upload_id)
            if found is None:
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
                return self.put(
                    upload.bucket,
                    upload.key,
                    b"".join(parts),
                    now=now,
                    content_type=upload.content_type,
                    metadata=upload.metadata,
                    etag=etag if numbers is not None else None,
                )
            except EmulatorError:  # the bucket went away, say: the upload stays, as in S3
                self._uploads[upload_id] = upload
                self._pending += upload.size
                raise

    def abort_upload(self, upload_id: str) -> None:
        with self._lock:
            self._pending -= self.upload(upload_id).size
            del self._uploads[upload_id]

    # -- what batches read ------------------------------------------------------------------
    def jsonl_inputs(self, bucket: str, key: str) -> list[StoredObject]:
        """The input a batch names: the object itself, else every `.jsonl` under that prefix."""
        with self._lock:
            objects = self._objects.get(bucket, {})
            if key in objects:
                return [objects[key]]
            folder = key if not key or key.endswith("/") else key + "/"
            return [
                objects[k] for k in sorted(objects) if k.startswith(folder) and k.endswith(".jsonl")
            ]


def _last(found: list[StoredObject], folders: list[str]) -> str:
    """The entry a page ended on, whichever kind it was (both lists are in key order); a
    folder is marked, so the next page skips its contents (and not a key that merely ends
    with the delimiter)."""
    last_key = found[-1].key if found else ""
    last_folder = folders[-1] if folders else ""
    return last_key if last_key > last_folder else last_folder + FOLDER_MARK
