"""Virus scanning with ClamAV's daemon, clamd (`PORTAL_CLAMD`: its unix socket's path, or
host:port), while an upload arrives.

Each file is streamed to clamd with its INSTREAM command as its chunks pass on their way
to the store: the same chunks, never a second read of the file, never more than a chunk
held here. After the last chunk, clamd's verdict is awaited *inside* the stream the store
reads, so the store only ever sees the stream end cleanly for a clean file: a virus
(`Infected`) or a scanner that is down, stalls or stops reading (`ScanFailed`) is raised
into the store's loop, which keeps nothing (its temporary file or unfinished multipart
upload is removed, as for any failed upload). An upload is never accepted unscanned.

Our own small client rather than a library: the protocol is a command and
length-prefixed chunks, and the Python clients of clamd (clamd, pyclamd, aioclamd,
clamav-client) take a whole file or a file-like object to read from, not an async
stream that is still arriving.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

log = logging.getLogger(__name__)

CONNECT_SECONDS = 5.0
SEND_SECONDS = 30.0  # clamd not taking a chunk for this long: it is stuck
VERDICT_SECONDS = 120.0  # clamd's own scan time limit (MaxScanTime) is 120 s by default
MAX_CHUNK = 1024 * 1024  # each INSTREAM chunk at most this long (clamd reads it whole)


class ScanFailed(Exception):
    """clamd could not give a verdict (down, stalled, stopped reading, or answered
    something else): the file is not accepted."""


class ScannerDown(ScanFailed):
    """clamd could not be reached at all."""


class Infected(Exception):
    """clamd found a virus; `signature` names it."""

    def __init__(self, signature: str) -> None:
        super().__init__(signature)
        self.signature = signature


@dataclass(frozen=True)
class Clamd:
    address: str  # a unix socket's path, or host:port

    @classmethod
    def from_setting(cls, value: str) -> Clamd | None:
        return cls(value) if value.strip() else None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            if ":" in self.address and not self.address.startswith("/"):
                host, _, port = self.address.rpartition(":")
                opening = asyncio.open_connection(host.strip("[]"), int(port))
            else:
                opening = asyncio.open_unix_connection(self.address)
            return await asyncio.wait_for(opening, CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as error:
            message = f"cannot connect to clamd at {self.address}: {error!r}"
            log.warning("%s", message)
            raise ScannerDown(message) from error

    async def ping(self) -> None:
        """Raise ScanFailed unless clamd answers PING (for readiness checks)."""
        reader, writer = await self._connect()
        try:
            writer.write(b"zPING\0")
            reply = await _reply(reader, CONNECT_SECONDS)
        finally:
            await _close(writer)
        if reply != "PONG":
            raise ScanFailed(f"clamd answered PING with {reply!r}")

    @asynccontextmanager
    async def scanning(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[AsyncIterator[bytes]]:
        """`async with clamd.scanning(chunks) as scanned:` the same chunks, each sent to
        clamd as it passes; the stream ends only when clamd has called the file clean.
        Connects first: a clamd that is down fails before any byte is stored."""
        reader, writer = await self._connect()
        try:
            writer.write(b"zINSTREAM\0")
            yield self._through(chunks, reader, writer)
        finally:
            await _close(writer)

    async def _through(
        self,
        chunks: AsyncIterable[bytes],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in chunks:
            for start in range(0, len(chunk), MAX_CHUNK):
                # A zero-length chunk would end the stream: empty chunks are never sent.
                piece = chunk[start : start + MAX_CHUNK]
                await self._send(reader, writer, len(piece).to_bytes(4, "big"), piece)
            sent += len(chunk)
            yield chunk
        await self._send(reader, writer, b"\0\0\0\0")
        reply = await _reply(reader, VERDICT_SECONDS, self.address)
        if reply.endswith(" FOUND"):
            signature = reply.removeprefix("stream: ").removesuffix(" FOUND")
            log.warning("clamd found %s in an upload (%d bytes)", signature, sent)
            raise Infected(signature)
        if reply != "stream: OK":
            log.warning("clamd at %s gave no verdict: %s", self.address, reply)
            raise ScanFailed(f"clamd answered {reply!r}")

    async def _send(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *parts: bytes
    ) -> None:
        try:
            for part in parts:
                writer.write(part)
            await asyncio.wait_for(writer.drain(), SEND_SECONDS)
        except (OSError, TimeoutError) as error:
            # clamd hung up: usually its StreamMaxLength, which it says before it does.
            said = ""
            with suppress(Exception):
                said = await _reply(reader, 1.0)
            log.warning("clamd at %s stopped reading an upload: %s %r", self.address, said, error)
            raise ScanFailed(f"clamd stopped reading: {said or error!r}") from error


async def _reply(reader: asyncio.StreamReader, seconds: float, address: str = "") -> str:
    try:
        raw = await asyncio.wait_for(reader.readuntil(b"\0"), seconds)
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
        raise ScanFailed(f"no answer from clamd {address}: {e!r}") from e
    return raw.rstrip(b"\0").decode("utf-8", "replace").strip()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with suppress(Exception):
        await writer.wait_closed()
