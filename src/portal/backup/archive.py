"""The archive: a plain tar written as a stream, read back member by member, and its
manifest.

Plain tar rather than .tar.gz or zstd: nearly all of a backup's bytes are documents
(PDF, Word, images: compressed already) and a pg_dump custom-format file, which pg_dump
compresses itself; gzip would spend a whole core on a few per cent. Plain tar is read by
every `tar`, can be piped through any compressor or encrypter on its way to storage, and
a member can be hashed as it passes, without a temporary copy.

Members are written one after another with their size in the header, so only one chunk
is ever in memory: a document is streamed from its store straight into the archive.
manifest.json comes last, because only then are every member's SHA-256 known.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import time
from collections.abc import AsyncIterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from portal.documents.api import valid_stored_name

MANIFEST = "manifest.json"
FORMAT = 1  # manifest.json's own version: a restore refuses a format it does not know
BLOCK = 512  # tar's block: every header and member is padded to it
CHUNK = 1024 * 1024  # bytes read and written at a time
MAX_MANIFEST = 256 * 1024 * 1024  # a manifest is read whole: far above any real one
SQLITE_MEMBER = "database/portal.sqlite3"
POSTGRES_MEMBER = "database/portal.pgdump"
OUTBOX_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.eml")


class ArchiveError(Exception):
    """The archive is not a whole, untouched portal backup; the message names why."""


@dataclass(frozen=True)
class Entry:
    size: int
    sha256: str


@dataclass
class Manifest:
    portal_version: str
    created_at: str
    database: dict[str, Any]  # kind, member, migrations {app: [ids]}, tables {name: rows}
    documents: dict[str, Any]  # storage, count, bytes, gone (ids deleted while it ran)
    files: dict[str, Entry] = field(default_factory=dict)  # every other member
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise ArchiveError(f"{MANIFEST}: format {raw.get('format')!r} is not known here")
            files = {name: Entry(**entry) for name, entry in raw.pop("files").items()}
            return cls(files=files, **raw)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ArchiveError(f"{MANIFEST}: not a portal manifest ({error})") from None


def member_kind(name: str) -> str:
    """What a member is, by its name: database, file, outbox or manifest. Anything else
    is refused: a restore never writes a path it did not choose itself."""
    folder, _, rest = name.partition("/")
    if name == MANIFEST:
        return "manifest"
    if name in (SQLITE_MEMBER, POSTGRES_MEMBER):
        return "database"
    if folder == "files" and valid_stored_name(rest):
        return "file"
    if folder == "outbox" and OUTBOX_NAME.fullmatch(rest):
        return "outbox"
    raise ArchiveError(f"{name}: not a member a portal backup has")


class ArchiveWriter:
    """Members written one by one to a binary stream, each hashed as it passes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.entries: dict[str, Entry] = {}
        self.written = 0  # bytes of the archive so far

    def _emit(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.written += len(data)

    def _header(self, name: str, size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(time.time())
        info.mode = 0o600  # documents are not for every user of the machine that unpacks
        self._emit(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))

    def _pad(self, size: int) -> None:
        if size % BLOCK:
            self._emit(bytes(BLOCK - size % BLOCK))

    async def add_stream(
        self, name: str, size: int, chunks: AsyncIterable[bytes], seen: Any = None
    ) -> Entry:
        """A member whose size is known and whose bytes come as they come (a document
        from its store). `seen(n)` hears of every chunk (progress)."""
        member_kind(name)
        self._header(name, size)
        digest = hashlib.sha256()
        count = 0
        async for chunk in chunks:
            count += len(chunk)
            if count > size:
                raise ArchiveError(f"{name}: longer than its {size} bytes")
            digest.update(chunk)
            self._emit(chunk)
            if seen is not None:
                seen(len(chunk))
        if count != size:
            raise ArchiveError(f"{name}: {count} bytes, not {size}")
        self._pad(size)
        entry = Entry(size, digest.hexdigest())
        self.entries[name] = entry
        return entry

    async def add_file(self, name: str, path: Path, seen: Any = None) -> Entry:
        """A member from a local file that does not change while it is read (a
        snapshot, a mail in the outbox). Opened before its header is written: a file
        gone meanwhile raises FileNotFoundError with the archive still whole."""
        with path.open("rb") as source:
            size = os.fstat(source.fileno()).st_size
            return await self.add_stream(name, size, _read_open(source), seen)

    def add_manifest(self, manifest: Manifest) -> None:
        manifest.files = dict(sorted(self.entries.items()))
        data = manifest.to_json()
        self._header(MANIFEST, len(data))
        self._emit(data)
        self._pad(len(data))

    def close(self) -> None:
        self._emit(bytes(2 * BLOCK))  # the end-of-archive marker
        self.out.flush()


async def _read_open(source: BinaryIO) -> Any:
    while block := source.read(CHUNK):
        yield block


def read_members(path: Path) -> Iterator[tuple[str, BinaryIO, int]]:
    """(name, stream, size) of every member in order, each to be read before the next
    (the archive is read as a stream: a bad member is found before anything is kept)."""
    try:
        with tarfile.open(path, "r|") as tar:
            for member in tar:
                if not member.isfile():
                    raise ArchiveError(f"{member.name}: not a plain file")
                source = tar.extractfile(member)
                assert source is not None  # a plain file always has a stream
                yield member.name, source, member.size  # type: ignore[misc]
    except (tarfile.TarError, EOFError) as error:
        raise ArchiveError(f"{path}: cut short or not a tar archive ({error})") from None


def chunks_of(source: BinaryIO, seen: Any = None) -> Iterator[bytes]:
    while block := _read(source, CHUNK):
        if seen is not None:
            seen(len(block))
        yield block


def _read(source: BinaryIO, size: int) -> bytes:
    try:
        return source.read(size)
    except (tarfile.TarError, EOFError) as error:
        raise ArchiveError(f"the archive is cut short ({error})") from None


def read_whole(source: BinaryIO) -> bytes:
    return b"".join(chunks_of(source))
