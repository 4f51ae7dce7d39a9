"""Documents as files on disk, written so that a crash never leaves a half-written file
in place.

Chunks are streamed into a temporary file in the same directory (never held whole in
memory), fsynced, then renamed to a random stored name: the rename is atomic, so a
stored name points at a complete file or at nothing. A temporary file a killed process
left behind is removed by the sweep once it is older than the grace period: its age is
that of its last write, so an upload still streaming in (in this process or another
sharing the folder) is never taken for a leftover.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import aiofiles
import aiofiles.os

from portal.documents.storage import (
    Intake,
    IntakeStore,
    Opened,
    StoredFile,
    valid_name,
)

TEMP_SUFFIX = ".part"
CHUNK_SIZE = 1024 * 1024
SYNC_EVERY = 16 * CHUNK_SIZE
READ_SIZE = 256 * 1024  # downloads: read in blocks this large
BATCH = 1000


class DiskStore(IntakeStore):
    def __init__(self, root: Path, *, max_upload_seconds: float = 3600.0) -> None:
        self.root = root
        self.max_upload_seconds = max_upload_seconds

    def path(self, stored_name: str) -> Path:
        if not valid_name(stored_name):  # stored names are ours: hex only, never a path
            raise ValueError("bad stored name")
        return self.root / stored_name

    async def _write(
        self, stored_name: str, chunks: AsyncIterable[bytes], intake: Intake
    ) -> StoredFile:
        target = self.path(stored_name)  # checks the name before anything is written
        await aiofiles.os.makedirs(self.root, exist_ok=True)
        temp = self.root / f"{stored_name}{TEMP_SUFFIX}"
        try:
            async with aiofiles.open(temp, "wb") as out:
                writer = _BlockWriter(out)
                try:
                    async for chunk in chunks:
                        intake.take(chunk)
                        await writer.add(chunk)
                    await writer.finish()
                finally:
                    await writer.settle()
            await aiofiles.os.replace(temp, target)
            await _fsync_dir(self.root)
        except BaseException:
            # Any failure (too large, client gone, cancelled): keep nothing.
            await self._remove(temp)
            raise
        return StoredFile(
            stored_name=stored_name, size=intake.size, sha256=writer.sha256, head=intake.head
        )

    async def open(self, stored_name: str) -> Opened | None:
        try:
            handle = await aiofiles.open(self.path(stored_name), "rb")
        except FileNotFoundError:
            return None
        # Opened now, read later: a delete in between does not cut the download short.
        size = (await aiofiles.os.wrap(os.fstat)(handle.fileno())).st_size

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while block := await handle.read(READ_SIZE):
                    yield block
            finally:
                await handle.close()

        return Opened(size=size, chunks=chunks())

    @contextmanager
    def reader(self, stored_name: str, size: int) -> Iterator[BinaryIO]:
        with self.path(stored_name).open("rb") as source:
            yield source

    async def delete(self, stored_name: str) -> None:
        await self._remove(self.path(stored_name))

    async def exists(self, stored_name: str) -> bool:
        return await aiofiles.os.path.isfile(self.path(stored_name))

    async def stored(self, older_than: float) -> AsyncIterator[list[str]]:
        for batch in await asyncio.to_thread(self._scan, older_than, stored=True):
            yield batch

    async def all_stored(self) -> AsyncIterator[list[str]]:
        for batch in await asyncio.to_thread(self._scan, -math.inf, stored=True):
            yield batch

    async def remove_unfinished(self, older_than: float) -> int:
        removed = 0
        for batch in await asyncio.to_thread(self._scan, older_than, stored=False):
            for name in batch:
                await self._remove(self.root / f"{name}{TEMP_SUFFIX}")
                removed += 1
        return removed

    def _scan(self, older_than: float, *, stored: bool) -> list[list[str]]:
        """Stored files (or temporary files, by their stored name) last written before
        the cutoff, in batches."""
        cutoff = time.time() - older_than
        batches: list[list[str]] = [[]]
        try:
            entries = os.scandir(self.root)
        except FileNotFoundError:
            return []
        with entries:
            for entry in entries:
                name = entry.name if stored else entry.name.removesuffix(TEMP_SUFFIX)
                if not valid_name(name) or (not stored and name == entry.name):
                    continue
                try:
                    if not entry.is_file() or entry.stat().st_mtime >= cutoff:
                        continue
                except FileNotFoundError:
                    continue  # gone meanwhile
                if len(batches[-1]) == BATCH:
                    batches.append([])
                batches[-1].append(name)
        return [batch for batch in batches if batch]

    async def ready(self) -> None:
        await aiofiles.os.makedirs(self.root, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"cannot write to {self.root}")

    async def close(self) -> None:
        return None

    async def _remove(self, path: Path) -> None:
        try:
            await aiofiles.os.remove(path)
        except FileNotFoundError:
            pass


async def _fsync_dir(directory: Path) -> None:
    def sync() -> None:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    await aiofiles.os.wrap(sync)()


class _BlockWriter:
    """Network chunks (tens of kB) gathered into CHUNK_SIZE blocks, each written and
    hashed in worker threads while the next block fills. Two buffers, allocated once
    and reused: a block is never touched again until its write and hash are done, and
    no fresh memory is taken per block (new large buffers cost page faults).

    Every SYNC_EVERY bytes a background fdatasync pushes what is written so far to
    the disk, so the disk works while the network delivers the rest; otherwise the
    kernel would hold it all in its cache and the final fsync would write the whole
    file only after the last byte arrived."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._digest = hashlib.sha256()
        self._buffers = (bytearray(CHUNK_SIZE), bytearray(CHUNK_SIZE))
        self._current = 0
        self._filled = 0
        self._in_flight: asyncio.Future[Any] | None = None
        self._unsynced = 0
        self._syncing: asyncio.Future[Any] | None = None

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    async def add(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            buffer = self._buffers[self._current]
            taken = min(len(view), CHUNK_SIZE - self._filled)
            buffer[self._filled : self._filled + taken] = view[:taken]
            self._filled += taken
            view = view[taken:]
            if self._filled == CHUNK_SIZE:
                await self._send()

    async def finish(self) -> None:
        """Write what is left and fsync: when this returns, the file is on disk."""
        if self._filled:
            await self._send()
        await self.settle()
        await self._out.flush()
        await aiofiles.os.wrap(os.fsync)(self._out.fileno())

    async def settle(self) -> None:
        """Wait for the block and the sync in flight (their errors are raised here)."""
        in_flight, self._in_flight = self._in_flight, None
        syncing, self._syncing = self._syncing, None
        try:
            if in_flight is not None:
                await in_flight
        finally:
            if syncing is not None:
                await syncing

    async def _send(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            await in_flight  # the other buffer is free again once its block is written
        if self._syncing is not None and self._syncing.done():
            syncing, self._syncing = self._syncing, None
            syncing.result()  # a failed sync fails the upload
        if self._unsynced >= SYNC_EVERY and self._syncing is None:
            self._syncing = asyncio.ensure_future(
                aiofiles.os.wrap(os.fdatasync)(self._out.fileno())
            )
            self._unsynced = 0
        block = memoryview(self._buffers[self._current])[: self._filled]
        # hashlib lets go of the GIL for large inputs, so hashing and writing run
        # side by side, and both beside the event loop receiving the next block.
        self._in_flight = asyncio.gather(
            self._out.write(block), asyncio.to_thread(self._digest.update, block)
        )
        self._unsynced += self._filled
        self._current = 1 - self._current
        self._filled = 0
