"""The clamd client on its own, against a real clamd (tests/clamd.py): the chunks pass
through unchanged while clamd reads them, the verdict ends the stream, and every way
of not getting a clean verdict raises, with little memory held whatever the size."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from portal.documents.scan import Clamd, Infected, ScanFailed
from portal.documents.storage_disk import DiskStore
from tests.clamd import EICAR, SIGNATURE, STREAM_MAX_BYTES, free_port
from tests.clamd import Clamd as RunningClamd

CHUNK = 64 * 1024


async def chunks_of(data: bytes, size: int = CHUNK) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def through(scanner: Clamd, source: AsyncIterator[bytes]) -> list[bytes]:
    async with scanner.scanning(source) as scanned:
        return [chunk async for chunk in scanned]


@pytest.mark.parametrize("address", ["socket", "tcp"])
async def test_a_clean_stream_passes_through_unchanged(clamd: RunningClamd, address: str) -> None:
    scanner = Clamd(str(clamd.socket_path) if address == "socket" else clamd.tcp)
    data = bytes(range(256)) * 4000
    passed = await through(scanner, chunks_of(data, 7000))
    assert b"".join(passed) == data
    assert [len(chunk) for chunk in passed] == [len(c) async for c in chunks_of(data, 7000)]
    await scanner.ping()


@pytest.mark.parametrize("size", [1, 5, CHUNK])
async def test_the_test_virus_is_found_across_chunk_boundaries(
    clamd: RunningClamd, size: int
) -> None:
    data = b"minutes of the meeting\n" * 3000 + EICAR + b"\n" * 100
    with pytest.raises(Infected) as found:
        await through(Clamd(str(clamd.socket_path)), chunks_of(data, size))
    assert found.value.signature.startswith(SIGNATURE)


async def test_empty_chunks_do_not_end_the_stream_early(clamd: RunningClamd) -> None:
    async def with_gaps() -> AsyncIterator[bytes]:
        yield b"harmless "
        yield b""
        yield EICAR

    with pytest.raises(Infected):
        await through(Clamd(str(clamd.socket_path)), with_gaps())


async def test_a_stream_past_clamds_limit_gets_no_verdict(clamd: RunningClamd) -> None:
    data = b"x" * (STREAM_MAX_BYTES + 1)
    with pytest.raises(ScanFailed, match="size limit exceeded"):
        await through(Clamd(str(clamd.socket_path)), chunks_of(data))


@pytest.mark.parametrize("where", ["missing-socket", "closed-port"])
async def test_a_clamd_that_is_not_there_fails_before_any_chunk(
    tmp_path_factory: pytest.TempPathFactory, where: str
) -> None:
    if where == "missing-socket":
        scanner = Clamd(str(tmp_path_factory.mktemp("none") / "clamd.sock"))
    else:
        scanner = Clamd(f"127.0.0.1:{free_port()}")
    taken: list[bytes] = []

    async def source() -> AsyncIterator[bytes]:
        taken.append(b"read")
        yield b"data"

    with pytest.raises(ScanFailed, match="cannot connect"):
        await through(scanner, source())
    assert taken == []
    with pytest.raises(ScanFailed):
        await scanner.ping()


async def test_scanning_holds_about_a_chunk_whatever_the_size(clamd: RunningClamd) -> None:
    total = STREAM_MAX_BYTES - CHUNK
    block = bytes(range(256)) * (CHUNK // 256)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(total // CHUNK):
            yield block

    tracemalloc.start()
    try:
        seen = 0
        async with Clamd(str(clamd.socket_path)).scanning(source()) as scanned:
            async for chunk in scanned:
                seen += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"scanned {seen / 1024 / 1024:.1f} MiB holding at most {peak / 1024:.0f} KiB")
    assert seen == total // CHUNK * CHUNK
    assert peak < 1024 * 1024


def test_the_setting_names_a_socket_or_an_address() -> None:
    assert Clamd.from_setting("") is None
    assert Clamd.from_setting("  ") is None
    assert Clamd.from_setting("/run/clamav/clamd.ctl") == Clamd("/run/clamav/clamd.ctl")
    assert Clamd.from_setting("clamav:3310") == Clamd("clamav:3310")


async def test_the_store_itself_fails_the_save_of_a_virus(
    clamd: RunningClamd, tmp_path: Path
) -> None:
    """The verdict ends the stream the store reads: the store's save raises, so the file
    is never renamed into place (not stored, then deleted)."""
    store = DiskStore(tmp_path / "files")
    data = b"harmless " * 300_000 + EICAR
    with pytest.raises(Infected):
        async with Clamd(str(clamd.socket_path)).scanning(chunks_of(data)) as scanned:
            await store.save(scanned, max_bytes=len(data))
    assert list((tmp_path / "files").iterdir()) == []
    clean = b"harmless " * 300_000
    async with Clamd(str(clamd.socket_path)).scanning(chunks_of(clean)) as scanned:
        stored = await store.save(scanned, max_bytes=len(clean))
    assert (tmp_path / "files" / stored.stored_name).read_bytes() == clean
