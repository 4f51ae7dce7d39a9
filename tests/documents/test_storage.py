"""Storage: files streamed to disk in chunks, complete or absent; type by content;
file names made safe to show."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from portal.documents.filetypes import TextCheck, judge
from portal.documents.forms import safe_file_name
from portal.documents.storage import CHUNK_SIZE, SYNC_EVERY, TEMP_SUFFIX, FileStore, TooLarge
from tests.documents.samples import ALLOWED, REFUSED


async def chunks_of(data: bytes, size: int, taken: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if taken is not None:
            taken.append(start)
        yield data[start : start + size]


async def test_save_streams_chunks_to_a_complete_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = os.urandom(3 * 1024 * 1024 + 17)
    stored = await store.save(chunks_of(data, 65536), max_bytes=len(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.head == data[:8192]
    assert store.path(stored.stored_name).read_bytes() == data
    assert not list((tmp_path / "files").glob(f"*{TEMP_SUFFIX}"))
    assert stored.stored_name.isalnum() and len(stored.stored_name) == 32


async def test_save_refuses_while_streaming_and_keeps_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = b"x" * 1_000_000
    taken: list[int] = []
    with pytest.raises(TooLarge):
        await store.save(chunks_of(data, 1000, taken), max_bytes=5000)
    # It stopped reading at the limit, not after the whole stream.
    assert len(taken) == 6
    assert list((tmp_path / "files").iterdir()) == []


async def test_save_keeps_nothing_when_the_stream_breaks(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")

    async def broken() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4 " * 1000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.save(broken(), max_bytes=10**9)
    assert list((tmp_path / "files").iterdir()) == []


async def test_large_files_in_uneven_chunks_are_stored_byte_for_byte(tmp_path: Path) -> None:
    # Past the background-sync threshold, with network-sized chunks that straddle the
    # block edges and one chunk bigger than a whole block.
    store = FileStore(tmp_path / "files")
    data = os.urandom(2 * SYNC_EVERY + 12_345)

    async def uneven() -> AsyncIterator[bytes]:
        big = CHUNK_SIZE * 5 // 2
        yield data[:big]
        async for chunk in chunks_of(data[big:], 300_007):
            yield chunk

    stored = await store.save(uneven(), max_bytes=len(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.path(stored.stored_name).read_bytes() == data
    assert [p.name for p in (tmp_path / "files").iterdir()] == [stored.stored_name]


async def test_a_stream_breaking_with_writes_under_way_keeps_nothing(tmp_path: Path) -> None:
    # Broken off after several blocks, with a block write and a background sync in
    # flight when the error comes: nothing is left, neither stored nor temporary.
    store = FileStore(tmp_path / "files")

    async def broken() -> AsyncIterator[bytes]:
        for _ in range(SYNC_EVERY // 65536 + 40):
            yield b"a" * 65536
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.save(broken(), max_bytes=10**10)
    assert list((tmp_path / "files").iterdir()) == []


async def test_observe_sees_every_byte(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    seen = bytearray()
    data = os.urandom(200_000)
    await store.save(chunks_of(data, 777), max_bytes=len(data), observe=seen.extend)
    assert bytes(seen) == data


def test_leftover_temporary_files_are_removed_at_start_up(tmp_path: Path) -> None:
    root = tmp_path / "files"
    root.mkdir()
    (root / f"abc123{TEMP_SUFFIX}").write_bytes(b"half a file")
    (root / "def456").write_bytes(b"a complete file")
    assert FileStore(root).remove_leftovers() == 1
    assert [p.name for p in root.iterdir()] == ["def456"]


def test_stored_names_are_never_paths(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    for bad in ["../etc/passwd", "a/b", "", "x.part"]:
        with pytest.raises(ValueError):
            store.path(bad)


@pytest.mark.parametrize("name", sorted(ALLOWED))
async def test_allowed_types_are_recognised_by_content(tmp_path: Path, name: str) -> None:
    data, expected = ALLOWED[name]
    store = FileStore(tmp_path)
    text = TextCheck()
    stored = await store.save(chunks_of(data, 7), max_bytes=len(data), observe=text.feed)
    assert judge(store.path(stored.stored_name), stored.head, text.finish(), name) == expected


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_other_content_is_refused_whatever_its_name(tmp_path: Path, name: str) -> None:
    data = REFUSED[name]
    store = FileStore(tmp_path)
    text = TextCheck()
    stored = await store.save(chunks_of(data, 5), max_bytes=len(data), observe=text.feed)
    assert judge(store.path(stored.stored_name), stored.head, text.finish(), name) is None


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


async def test_orphan_files_are_removed_at_start_up(db: object, tmp_path: Path) -> None:
    from portal.documents.service import remove_orphans

    root = tmp_path / "files"
    root.mkdir()
    old = root / ("a" * 32)
    old.write_bytes(b"no row points here")
    past = time.time() - 3600
    os.utime(old, (past, past))
    fresh = root / ("b" * 32)
    fresh.write_bytes(b"another worker is about to record this")
    assert await remove_orphans(FileStore(root)) == 1
    assert not old.exists() and fresh.exists()
