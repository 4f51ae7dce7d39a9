"""The storage contract, on both backends: the data dir's disk and S3-compatible
storage (a real moto server over HTTP, tests/s3.py). Files are streamed in chunks,
complete or absent; nothing of a refused, broken or cut-off upload stays; downloads
stream; archives are judged by their content through range reads; the sweep removes
what crashes left and never an upload in flight, even with two processes sweeping at
once. Also: type by content, and file names made safe to show."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest

from portal.db.tables import Document
from portal.documents.filetypes import TextCheck, judge
from portal.documents.forms import safe_file_name
from portal.documents.storage import DocumentStore, TooLarge, TooSlow
from portal.documents.storage_disk import CHUNK_SIZE, SYNC_EVERY, TEMP_SUFFIX, DiskStore
from portal.documents.storage_s3 import PART_SIZE, S3Store
from portal.documents.sweep import sweep
from tests.documents.samples import ALLOWED, REFUSED
from tests.factories import Factory
from tests.s3 import REGION, Bucket

MiB = 1024 * 1024


@dataclass
class Backend:
    """One store, and a look behind it: everything there, complete or not."""

    kind: str
    store: DocumentStore
    root: Path | None = None
    bucket: Bucket | None = None

    def complete(self) -> list[str]:
        if self.bucket is not None:
            return [key.rsplit("/", 1)[-1] for key in self.bucket.keys()]
        assert self.root is not None
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if not p.name.endswith(TEMP_SUFFIX))

    def unfinished(self) -> list[str]:
        if self.bucket is not None:
            return self.bucket.unfinished()
        assert self.root is not None
        return (
            sorted(p.name for p in self.root.glob(f"*{TEMP_SUFFIX}")) if self.root.exists() else []
        )

    def everything(self) -> list[str]:
        return self.complete() + self.unfinished()

    def leave_unfinished(self) -> None:
        """An upload as a killed process leaves it: started, never finished."""
        name = secrets.token_hex(16)
        if self.bucket is not None:
            assert isinstance(self.store, S3Store)
            name = self.store.new_name()
            client = self.bucket.server.client()
            key = self.store.key(name)
            upload = client.create_multipart_upload(Bucket=self.bucket.name, Key=key)
            client.upload_part(
                Bucket=self.bucket.name,
                Key=key,
                UploadId=upload["UploadId"],
                PartNumber=1,
                Body=b"x" * 1024,
            )
            return
        assert self.root is not None
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / f"{name}{TEMP_SUFFIX}").write_bytes(b"half a file")

    def another_process(self) -> DocumentStore:
        """A second store on the same folder or bucket, as another worker has."""
        if isinstance(self.store, S3Store):
            return S3Store(
                self.store.bucket,
                self.store.prefix,
                endpoint_url=self.store.endpoint_url,
                region=REGION,
            )
        assert self.root is not None
        return DiskStore(self.root)


@pytest.fixture(params=["disk", "s3"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "disk":
        yield Backend("disk", DiskStore(tmp_path / "files"), root=tmp_path / "files")
        return
    bucket: Bucket = request.getfixturevalue("s3_bucket")
    store = S3Store(
        bucket.name, "documents", endpoint_url=bucket.server.endpoint_url, region=REGION
    )
    yield Backend("s3", store, bucket=bucket)
    await store.close()


async def chunks_of(data: bytes, size: int, taken: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if taken is not None:
            taken.append(start)
        yield data[start : start + size]


async def read_back(store: DocumentStore, name: str) -> bytes:
    opened = await store.open(name)
    assert opened is not None
    data = b"".join([chunk async for chunk in opened.chunks])
    assert opened.size == len(data)
    return data


# --- saving -------------------------------------------------------------------------


async def test_save_streams_chunks_to_a_complete_file(backend: Backend) -> None:
    data = os.urandom(3 * MiB + 17)
    stored = await backend.store.save(chunks_of(data, 65536), max_bytes=len(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.head == data[:8192]
    assert await read_back(backend.store, stored.stored_name) == data
    assert backend.everything() == [stored.stored_name]
    assert stored.stored_name.isalnum() and len(stored.stored_name) == 32


async def test_files_of_several_parts_in_uneven_chunks_are_stored_byte_for_byte(
    backend: Backend,
) -> None:
    # Past the disk's background-sync threshold and several S3 parts, with chunks that
    # straddle block and part edges and one chunk bigger than a whole block.
    data = os.urandom(max(2 * SYNC_EVERY, 2 * PART_SIZE) + 12_345)

    async def uneven() -> AsyncIterator[bytes]:
        big = CHUNK_SIZE * 5 // 2
        yield data[:big]
        async for chunk in chunks_of(data[big:], 300_007):
            yield chunk

    stored = await backend.store.save(uneven(), max_bytes=len(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(await read_back(backend.store, stored.stored_name)).hexdigest() == (
        stored.sha256
    )
    assert backend.everything() == [stored.stored_name]


@pytest.mark.parametrize("limit", [5000, PART_SIZE + MiB])
async def test_save_refuses_while_streaming_and_keeps_nothing(backend: Backend, limit: int) -> None:
    # Small, and past the first S3 part (a multipart upload under way is aborted).
    data = b"x" * (limit + 3 * MiB)
    size = 1000 if limit < MiB else 256 * 1024
    taken: list[int] = []
    with pytest.raises(TooLarge):
        await backend.store.save(chunks_of(data, size, taken), max_bytes=limit)
    # It stopped reading at the limit, not after the whole stream.
    assert len(taken) == limit // size + 1
    assert backend.everything() == []


@pytest.mark.parametrize("sent", [9000, SYNC_EVERY + 40 * 65536])
async def test_save_keeps_nothing_when_the_stream_breaks(backend: Backend, sent: int) -> None:
    # Early, and after several blocks and parts, with writes in flight when it breaks.
    async def broken() -> AsyncIterator[bytes]:
        for _ in range(sent // 9000 if sent < 65536 else sent // 65536):
            yield b"a" * (9000 if sent < 65536 else 65536)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await backend.store.save(broken(), max_bytes=10**10)
    assert backend.everything() == []


async def test_an_upload_taking_too_long_is_cut_off_and_keeps_nothing(backend: Backend) -> None:
    backend.store.max_upload_seconds = 0.3

    async def slow() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"b" * 65536 * 4
            await asyncio.sleep(0.05)

    with pytest.raises(TooSlow):
        await backend.store.save(slow(), max_bytes=10**10)
    assert backend.everything() == []


async def test_observe_sees_every_byte(backend: Backend) -> None:
    seen = bytearray()
    data = os.urandom(200_000)
    await backend.store.save(chunks_of(data, 777), max_bytes=len(data), observe=seen.extend)
    assert bytes(seen) == data


async def test_an_empty_file_is_stored_empty(backend: Backend) -> None:
    stored = await backend.store.save(chunks_of(b"", 10), max_bytes=10)
    assert stored.size == 0
    assert await read_back(backend.store, stored.stored_name) == b""


# --- reading, deleting --------------------------------------------------------------


async def test_missing_files_are_none_and_deleting_is_idempotent(backend: Backend) -> None:
    stored = await backend.store.save(chunks_of(b"%PDF-1.4 x", 4), max_bytes=100)
    assert await backend.store.exists(stored.stored_name)
    await backend.store.delete(stored.stored_name)
    await backend.store.delete(stored.stored_name)
    assert not await backend.store.exists(stored.stored_name)
    assert await backend.store.open(stored.stored_name) is None
    assert backend.everything() == []


async def test_stored_names_are_never_paths_or_other_keys(backend: Backend) -> None:
    for bad in ["../etc/passwd", "a/b", "", "x.part", "A" * 32, "a" * 31]:
        with pytest.raises(ValueError):
            await backend.store.open(bad)
        with pytest.raises(ValueError):
            await backend.store.delete(bad)


async def test_the_reader_reads_any_part_of_the_file(backend: Backend) -> None:
    data = os.urandom(300_000)
    stored = await backend.store.save(chunks_of(data, 65536), max_bytes=len(data))

    def read_parts(source: BinaryIO) -> list[bytes]:
        parts = []
        source.seek(-22, os.SEEK_END)
        parts.append(source.read(22))
        source.seek(100_000)
        parts.append(source.read(70_000))
        source.seek(0)
        parts.append(source.read(5))
        parts.append(source.read(0))
        source.seek(len(data) - 3)
        parts.append(source.read(10))
        return parts

    with backend.store.reader(stored.stored_name, stored.size) as source:
        parts = await asyncio.to_thread(read_parts, source)
    assert parts == [
        data[-22:],
        data[100_000:170_000],
        data[:5],
        b"",
        data[-3:],
    ]


@pytest.mark.parametrize("name", sorted(ALLOWED))
async def test_allowed_types_are_recognised_by_content(backend: Backend, name: str) -> None:
    assert await judged(backend, name, ALLOWED[name][0]) == ALLOWED[name][1]


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_other_content_is_refused_whatever_its_name(backend: Backend, name: str) -> None:
    assert await judged(backend, name, REFUSED[name]) is None


async def judged(backend: Backend, name: str, data: bytes) -> str | None:
    text = TextCheck()
    stored = await backend.store.save(chunks_of(data, 7), max_bytes=len(data), observe=text.feed)
    with backend.store.reader(stored.stored_name, stored.size) as source:
        verdict = await asyncio.to_thread(judge, source, stored.head, text.finish(), name)
    return verdict.content_type if verdict.refusal is None else None


async def test_the_store_answers_when_ready(backend: Backend) -> None:
    await backend.store.ready()


async def test_a_missing_bucket_is_not_ready(s3_bucket: Bucket) -> None:
    store = S3Store("no-such-bucket-here", endpoint_url=s3_bucket.server.endpoint_url)
    try:
        with pytest.raises(Exception):  # noqa: B017  (botocore's 404 ClientError)
            await store.ready()
    finally:
        await store.close()


# --- the sweep ----------------------------------------------------------------------

GRACE = 3.0  # seconds: what is older is a leftover (S3 times are whole seconds)


async def test_the_sweep_removes_old_leftovers_and_keeps_what_is_in_use(
    backend: Backend, make: Factory
) -> None:
    world = await make.world()
    store = backend.store

    async def stored(data: bytes) -> str:
        return (await store.save(chunks_of(data, 1000), max_bytes=len(data))).stored_name

    async def row_for(name: str, state: str) -> None:
        doc = await make.document(world.event, world.provider_user, state=state)
        await Document.update({Document.stored_name: name}).where(Document.id == doc.id)

    live, staged, pending = [await stored(b"%PDF-1.4 " + bytes([n])) for n in range(3)]
    deleted = await stored(b"%PDF-1.4 deleted at a Save whose process died")
    orphan = await stored(b"%PDF-1.4 stored, never recorded: the process died")
    await row_for(live, "live")
    await row_for(staged, "staged")
    await row_for(pending, "pending_delete")
    await row_for(deleted, "deleted")
    backend.leave_unfinished()
    await asyncio.sleep(GRACE + 1.0)  # all of these are now old
    backend.leave_unfinished()  # young: maybe another worker's, still streaming in
    young = await stored(b"%PDF-1.4 young: its row is being recorded right now")

    swept = await sweep(store, GRACE)

    assert (swept.unfinished, swept.orphans) == (1, 2)
    assert sorted(backend.complete()) == sorted([live, staged, pending, young])
    assert len(backend.unfinished()) == 1
    assert deleted not in backend.complete() and orphan not in backend.complete()


async def test_two_processes_sweeping_at_once_leave_an_upload_in_flight_alone(
    backend: Backend, db: object
) -> None:
    backend.leave_unfinished()
    old_orphan = await backend.store.save(chunks_of(b"old", 3), max_bytes=3)
    await asyncio.sleep(GRACE + 1.0)

    # An upload in flight: past the first S3 part (a multipart upload is open), then
    # waiting for the rest of its bytes while two processes sweep.
    data = os.urandom(PART_SIZE + 3 * MiB)
    half = asyncio.Event()
    go_on = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        async for chunk in chunks_of(data[: PART_SIZE + MiB], 65536):
            yield chunk
        half.set()
        await go_on.wait()
        async for chunk in chunks_of(data[PART_SIZE + MiB :], 65536):
            yield chunk

    upload = asyncio.create_task(backend.store.save(slow(), max_bytes=len(data)))
    await half.wait()
    await asyncio.sleep(0.2)  # the first part is on its way
    other = backend.another_process()
    try:
        first, second = await asyncio.gather(sweep(backend.store, GRACE), sweep(other, GRACE))
    finally:
        await other.close()
    go_on.set()
    stored = await upload

    # Between them they removed the old leftovers once each, and nothing else.
    assert first.unfinished + second.unfinished in (1, 2)
    assert first.orphans + second.orphans in (1, 2)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(await read_back(backend.store, stored.stored_name)).hexdigest() == (
        stored.sha256
    )
    assert backend.everything() == [stored.stored_name]
    assert old_orphan.stored_name not in backend.complete()


# --- type and name ------------------------------------------------------------------


def test_text_check_allows_characters_split_across_chunks() -> None:
    data = "é€😀".encode() * 3
    check = TextCheck()
    for i in range(len(data)):
        check.feed(data[i : i + 1])
    assert check.finish()
    truncated = TextCheck()
    truncated.feed("é".encode()[:1])
    assert not truncated.finish()
    # A character cut short, then plain ASCII: not text, however fast ASCII is passed.
    cut = TextCheck()
    for part in (b"caf", "é".encode()[:1], b"and more"):
        cut.feed(part)
    assert not cut.finish()


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\head\\Desktop\\plan.docx", "plan.docx"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("tab\tand\nnewline.txt", "tabandnewline.txt"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("\u2066isolate\u2069.pdf", "isolate.pdf"),
        ("  spaced   out .pdf ", "spaced out .pdf"),
        ("...", "document"),
        ("", "document"),
        ("\x00\x01", "document"),
    ],
)
def test_file_names_are_made_safe_to_show(given: str, shown: str) -> None:
    assert safe_file_name(given) == shown


def test_very_long_names_are_shortened_keeping_the_extension() -> None:
    shown = safe_file_name("a" * 1000 + ".pdf")
    assert len(shown) <= 150
    assert shown.endswith("….pdf")
    assert len(safe_file_name("b" * 1000)) <= 150
