"""Documents as objects in S3-compatible storage (`PORTAL_STORAGE_URL=s3://bucket/prefix`,
`PORTAL_S3_ENDPOINT_URL`, `PORTAL_S3_REGION`; credentials the standard AWS way, e.g.
`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`), through aiobotocore.

An upload streams in as a multipart upload, PART_SIZE at a time, one part sent while
the next fills (bounded memory: about two parts per upload in flight); a file smaller
than one part is one PUT. Completing a multipart upload (or a PUT) is atomic: the
object exists whole or not at all. On any failure (too large, client gone, cancelled)
the multipart upload is aborted; one a killed process left open is aborted by the sweep
once it is older than the grace period. Downloads stream the object's body.

A stored name begins with the time its upload started (8 hex digits of Unix seconds,
then 24 random ones): an unfinished upload's age is known from its key even where the
server does not report when it was initiated (moto reports a fixed date).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from portal.documents.storage import (
    Intake,
    IntakeStore,
    Opened,
    StoredFile,
    valid_name,
)

PART_SIZE = 8 * 1024 * 1024  # S3's smallest part is 5 MiB (the last may be smaller)
READ_SIZE = 256 * 1024
RANGE_BUFFER = 64 * 1024  # archive reads: bytes fetched at least per range request
RANGE_TIMEOUT = 30.0
MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Store(IntakeStore):
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        max_upload_seconds: float = 3600.0,
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.region = region
        self.max_upload_seconds = max_upload_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Any = None
        self._exit: AsyncExitStack | None = None

    @classmethod
    def from_url(cls, url: str, **options: Any) -> S3Store:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError("PORTAL_STORAGE_URL must look like s3://bucket/prefix")
        return cls(parts.netloc, parts.path, **options)

    @staticmethod
    def new_name(started: float | None = None) -> str:
        return f"{int(time.time() if started is None else started):08x}{secrets.token_hex(12)}"

    def key(self, stored_name: str) -> str:
        if not valid_name(stored_name):
            raise ValueError("bad stored name")
        return self.prefix + stored_name

    async def client(self) -> Any:
        """The client of this event loop (an aiohttp session belongs to one loop): made
        on first use, closed by `close`."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            exit_stack = AsyncExitStack()
            config = AioConfig(
                region_name=self.region,
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=64,
                # Other S3-compatible servers take path-style addressing and no
                # unrequested checksums (botocore's default since 1.36).
                s3={"addressing_style": "path" if self.endpoint_url else "auto"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            self._client = await exit_stack.enter_async_context(
                get_session().create_client("s3", endpoint_url=self.endpoint_url, config=config)
            )
            self._exit, self._loop = exit_stack, loop
        return self._client

    async def close(self) -> None:
        exit_stack, self._exit, self._client = self._exit, None, None
        if exit_stack is not None and self._loop is asyncio.get_running_loop():
            await exit_stack.aclose()

    async def _write(
        self, stored_name: str, chunks: AsyncIterable[bytes], intake: Intake
    ) -> StoredFile:
        key = self.key(stored_name)  # checks the name before anything is sent
        client = await self.client()
        digest = hashlib.sha256()
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        sending: asyncio.Task[None] | None = None

        async def send(part: bytearray, number: int) -> None:
            # Parts are sent one at a time, in order: the digest sees them in order.
            await asyncio.to_thread(digest.update, part)
            answer = await client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
            )
            parts.append({"ETag": answer["ETag"], "PartNumber": number})

        try:
            async for chunk in chunks:
                intake.take(chunk)
                buffer += chunk
                if len(buffer) >= PART_SIZE:
                    if upload_id is None:
                        started = await client.create_multipart_upload(Bucket=self.bucket, Key=key)
                        upload_id = started["UploadId"]
                    if sending is not None:
                        await sending  # at most one part in flight while the next fills
                    part, buffer = buffer, bytearray(buffer[PART_SIZE:])
                    del part[PART_SIZE:]  # the part is the buffer itself: no 8 MiB copy
                    sending = asyncio.create_task(send(part, len(parts) + 1))
            if sending is not None:
                await sending
                sending = None
            if upload_id is None:
                await asyncio.to_thread(digest.update, buffer)
                await client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer))
            else:
                if buffer:
                    await send(buffer, len(parts) + 1)
                await client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            # Any failure: keep nothing. The parts sent so far go with the upload.
            if sending is not None:
                sending.cancel()
                with suppress(BaseException):
                    await sending
            if upload_id is not None:
                with suppress(Exception):
                    await client.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload_id
                    )
            raise
        return StoredFile(
            stored_name=stored_name, size=intake.size, sha256=digest.hexdigest(), head=intake.head
        )

    async def open(self, stored_name: str) -> Opened | None:
        client = await self.client()
        try:
            answer = await client.get_object(Bucket=self.bucket, Key=self.key(stored_name))
        except ClientError as error:
            if _code(error) in MISSING:
                return None
            raise
        body = answer["Body"]

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for block in body.iter_chunks(READ_SIZE):
                    yield block
            finally:
                body.close()

        return Opened(size=int(answer["ContentLength"]), chunks=chunks())

    @contextmanager
    def reader(self, stored_name: str, size: int) -> Iterator[BinaryIO]:
        loop = asyncio.get_running_loop()
        key = self.key(stored_name)

        def fetch(start: int, end: int) -> bytes:
            job = asyncio.run_coroutine_threadsafe(self._range(key, start, end), loop)
            return job.result(RANGE_TIMEOUT)

        with io.BufferedReader(_RangeFile(fetch, size), RANGE_BUFFER) as source:
            yield source  # type: ignore[misc]

    async def _range(self, key: str, start: int, end: int) -> bytes:
        client = await self.client()
        answer = await client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")
        async with answer["Body"] as body:
            return bytes(await body.read())

    async def delete(self, stored_name: str) -> None:
        client = await self.client()
        await client.delete_object(Bucket=self.bucket, Key=self.key(stored_name))

    async def exists(self, stored_name: str) -> bool:
        client = await self.client()
        try:
            await client.head_object(Bucket=self.bucket, Key=self.key(stored_name))
        except ClientError as error:
            if _code(error) in MISSING:
                return False
            raise
        return True

    async def stored(self, older_than: float) -> AsyncIterator[list[str]]:
        client = await self.client()
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        async for page in pages:
            names = [
                item["Key"][len(self.prefix) :]
                for item in page.get("Contents", [])
                if item["LastModified"] < cutoff
            ]
            batch = [name for name in names if valid_name(name)]
            if batch:
                yield batch

    async def all_stored(self) -> AsyncIterator[list[str]]:
        client = await self.client()
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        async for page in pages:
            batch = [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
            if batch:  # anything under the prefix, ours or not: a restore must not mix
                yield batch

    async def remove_unfinished(self, older_than: float) -> int:
        client = await self.client()
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        removed = 0
        async for page in pages:
            for upload in page.get("Uploads", []):
                if max(upload["Initiated"], _started(upload["Key"])) >= cutoff:
                    continue  # maybe still streaming in, here or in another process
                with suppress(ClientError):  # another sweep got there first
                    await client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed += 1
        return removed

    async def ready(self) -> None:
        client = await self.client()
        await client.head_bucket(Bucket=self.bucket)


def _started(key: str) -> datetime:
    """When the upload of this key started, by its name (see `new_name`); for a name
    that does not say, a time in the future: never taken for an old upload."""
    name = key.rsplit("/", 1)[-1]
    if not valid_name(name):
        return datetime.max.replace(tzinfo=UTC)
    return datetime.fromtimestamp(int(name[:8], 16), UTC)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class _RangeFile(io.RawIOBase):
    """A read-only, seekable file whose reads are range requests (`fetch(start, end)`,
    end inclusive), for the archive readers that judge a file's type."""

    def __init__(self, fetch: Any, size: int) -> None:
        self._fetch = fetch
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._size - self._position)
        if wanted <= 0:
            return 0
        data = self._fetch(self._position, self._position + wanted - 1)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)
