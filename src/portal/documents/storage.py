"""Files on disk, written so that a crash never leaves a half-written file in place.

Chunks are streamed into a temporary file in the same directory (never held whole in
memory), fsynced, then renamed to a random stored name: the rename is atomic, so a
stored name points at a complete file or at nothing. Temporary files a killed
process left behind are removed at start-up (`remove_leftovers`).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiofiles
import aiofiles.os

TEMP_SUFFIX = ".part"
CHUNK_SIZE = 1024 * 1024
SYNC_EVERY = 16 * CHUNK_SIZE


class TooLarge(Exception):
    """The stream went past the size limit; nothing was kept."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str
    head: bytes  # the first bytes, for judging the type by content


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, stored_name: str) -> Path:
        if not stored_name.isalnum():  # stored names are ours: hex only, never a path
            raise ValueError("bad stored name")
        return self.root / stored_name

    async def save(
        self,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int,
        observe: Callable[[bytes], None] | None = None,
    ) -> StoredFile:
        """Stream `chunks` to a new file; raise TooLarge as soon as max_bytes is passed.
        `observe` sees every chunk as it passes (e.g. to check that a file is text)."""
        await aiofiles.os.makedirs(self.root, exist_ok=True)
        stored_name = secrets.token_hex(16)
        temp = self.root / f"{stored_name}{TEMP_SUFFIX}"
        size = 0
        head = b""
        try:
            async with aiofiles.open(temp, "wb") as out:
                writer = _BlockWriter(out)
                try:
                    async for chunk in chunks:
                        size += len(chunk)
                        if size > max_bytes:
                            raise TooLarge()
                        if len(head) < 8192:
                            head += chunk[: 8192 - len(head)]
                        if observe is not None:
                            observe(chunk)
                        await writer.add(chunk)
                    await writer.finish()
                finally:
                    await writer.settle()
            await aiofiles.os.replace(temp, self.path(stored_name))
            await _fsync_dir(self.root)
        except BaseException:
            # Any failure (too large, client gone, cancelled): keep nothing.
            await self._remove(temp)
            raise
        return StoredFile(stored_name=stored_name, size=size, sha256=writer.sha256, head=head)

    async def delete(self, stored_name: str) -> None:
        await self._remove(self.path(stored_name))

    async def _remove(self, path: Path) -> None:
        try:
            await aiofiles.os.remove(path)
        except FileNotFoundError:
            pass

    def remove_leftovers(self) -> int:
        """At start-up: delete temporary files of uploads that never finished."""
        if not self.root.exists():
            return 0
        removed = 0
        for leftover in self.root.glob(f"*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed


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
