"""Where uploaded documents' bytes live: one small interface, two backends.

- `DiskStore` (storage_disk.py, the default): files under the data dir, written to a
  temporary file and renamed when complete.
- `S3Store` (storage_s3.py, `PORTAL_STORAGE_URL=s3://bucket/prefix`): objects in
  S3-compatible storage, streamed in as a multipart upload that becomes an object only
  when it is completed.

On both, a stored name names a complete file or nothing; an upload in progress is
invisible ("unfinished") until it is complete. What a killed process leaves behind is
removed by the sweep (sweep.py), which only ever touches what is older than the grace
period: an upload in flight is never that old, because `save` cuts off an upload
taking longer than half of it (`max_upload_seconds`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

HEAD_BYTES = 8192  # the first bytes of a file, kept for judging its type by content


class TooLarge(Exception):
    """The stream went past the size limit; nothing was kept."""


class TooSlow(TimeoutError):
    """The upload took longer than a store allows one to take; nothing was kept."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str
    head: bytes  # the first bytes, for judging the type by content


@dataclass(frozen=True)
class Opened:
    """A stored file opened for download: its size, and its bytes as they come."""

    size: int
    chunks: AsyncIterator[bytes]


Observer = Callable[[bytes], None]


class IntakeStore:
    """What both backends do alike: a new upload, or a file put back under the name the
    database knows it by, each through one Intake into the backend's `_write`."""

    max_upload_seconds: float

    def new_name(self) -> str:
        return secrets.token_hex(16)

    async def save(
        self, chunks: AsyncIterable[bytes], *, max_bytes: int, observe: Observer | None = None
    ) -> StoredFile:
        intake = Intake(max_bytes, self.max_upload_seconds, observe)
        return await self._write(self.new_name(), chunks, intake)

    async def put(
        self, stored_name: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> StoredFile:
        intake = Intake(max_bytes, self.max_upload_seconds, None)
        return await self._write(stored_name, chunks, intake)

    async def _write(
        self, stored_name: str, chunks: AsyncIterable[bytes], intake: Intake
    ) -> StoredFile:
        raise NotImplementedError


class DocumentStore(Protocol):
    max_upload_seconds: float

    async def save(
        self, chunks: AsyncIterable[bytes], *, max_bytes: int, observe: Observer | None = None
    ) -> StoredFile:
        """Stream `chunks` into a new stored file (bounded memory); raise TooLarge as soon
        as max_bytes is passed. `observe` sees every chunk as it passes."""
        ...

    async def put(
        self, stored_name: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> StoredFile:
        """Like `save`, under a name given (a restore puts files back under the names
        the database knows them by); complete or nothing, as `save`."""
        ...

    async def open(self, stored_name: str) -> Opened | None:
        """The file, streamed; None if there is no such file."""
        ...

    def reader(self, stored_name: str, size: int) -> AbstractContextManager[BinaryIO]:
        """A seekable binary file over the stored bytes, for reading the parts of an
        archive from a worker thread (call this from the event loop)."""
        ...

    async def delete(self, stored_name: str) -> None:
        """Remove the file; nothing happens if it is not there."""
        ...

    async def exists(self, stored_name: str) -> bool: ...

    def stored(self, older_than: float) -> AsyncIterator[list[str]]:
        """Names of complete files last written more than `older_than` seconds ago, in
        batches (a bucket may hold millions)."""
        ...

    def all_stored(self) -> AsyncIterator[list[str]]:
        """Names of every complete file, whatever its age, in batches (a restore checks
        that the store is empty)."""
        ...

    async def remove_unfinished(self, older_than: float) -> int:
        """Drop uploads that were started more than `older_than` seconds ago and never
        finished (a process killed mid-upload); how many."""
        ...

    async def ready(self) -> None:
        """Raise if the store cannot be used now (for /readyz)."""
        ...

    async def close(self) -> None: ...


def valid_name(stored_name: str) -> bool:
    """Stored names are ours: 32 hex digits, never a path or a key of anything else."""
    return len(stored_name) == 32 and all(c in "0123456789abcdef" for c in stored_name)


class Deadline:
    """When an upload that started now must have finished."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise TooSlow()


class Intake:
    """What every backend checks and keeps of an upload's chunks as they pass: the size
    limit, the time limit, the first bytes (for the type check) and the caller's observer."""

    def __init__(self, max_bytes: int, max_seconds: float, observe: Observer | None) -> None:
        self.max_bytes = max_bytes
        self.deadline = Deadline(max_seconds)
        self.observe = observe
        self.size = 0
        self.head = b""

    def take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge()
        self.deadline.check()
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if self.observe is not None:
            self.observe(chunk)
