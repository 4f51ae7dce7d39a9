"""Files on disk, written so that a crash never leaves a half-written file in place.

Chunks are streamed into a temporary file in the same directory (never held whole in
memory), fsynced, then renamed to a random stored name: the rename is atomic, so a
stored name points at a complete file or at nothing. Temporary files a killed
process left behind are removed at start-up (`remove_leftovers`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiofiles
import aiofiles.os

TEMP_SUFFIX = ".part"
CHUNK_SIZE = 1024 * 1024


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
        digest = hashlib.sha256()
        size = 0
        head = b""
        pending = bytearray()  # small network chunks gathered into CHUNK_SIZE writes
        try:
            async with aiofiles.open(temp, "wb") as out:
                async for chunk in chunks:
                    if not chunk:
                        continue
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge()
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    if observe is not None:
                        observe(chunk)
                    pending += chunk
                    if len(pending) >= CHUNK_SIZE:
                        block = bytes(pending)
                        pending.clear()
                        digest.update(block)
                        await out.write(block)
                if pending:
                    block = bytes(pending)
                    digest.update(block)
                    await out.write(block)
                await out.flush()
                await aiofiles.os.wrap(os.fsync)(out.fileno())
            await aiofiles.os.replace(temp, self.path(stored_name))
            await _fsync_dir(self.root)
        except BaseException:
            # Any failure (too large, client gone, cancelled): keep nothing.
            await self._remove(temp)
            raise
        return StoredFile(stored_name=stored_name, size=size, sha256=digest.hexdigest(), head=head)

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
