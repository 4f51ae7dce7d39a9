"""Which files the portal accepts, judged by their content; the name must then agree.

The allow-list: PDF, Word (doc, docx), Excel (xls, xlsx), PowerPoint (ppt, pptx),
OpenDocument (odt, ods, odp), plain text, CSV, JPEG and PNG.

- PDF, JPEG, PNG: their magic bytes at the start.
- docx/xlsx/pptx and odt/ods/odp are zip files: the zip's members say which (the
  central directory is at the end of the file, so this reads the stored file, through
  a seekable binary file the store gives: on disk the file, on S3 range requests).
  An archive is never unpacked: its directory is read only if it is small (at most
  MAX_ARCHIVE_ENTRIES members, MAX_DIRECTORY_BYTES), and of its members only ODF's
  `mimetype` (a few dozen bytes) and OOXML's `[Content_Types].xml` are read, each
  decompressed a block at a time up to a cap. A zip bomb costs a few blocks.
- doc/xls/ppt are OLE2 compound files: the magic, then the names of the streams in
  the compound file's directory ("WordDocument", "Workbook", "PowerPoint Document").
- Text and CSV: the whole file is valid UTF-8 without NUL bytes (checked while the
  file streams in, by `TextCheck`).

The name is the user's and is served back to the other side, so its extension must be
one of the judged type's (`EXTENSIONS`): a PDF called `report.pdf.html` or HTML text
called `page.html` would otherwise be opened as a web page. A file whose extension is
of no allowed kind is refused as not allowed ("type"); one whose extension is another
allowed kind's ("a PDF called plan.docx") is refused with the extension it needs
("extension"). We refuse rather than rename: the user sees at once what to fix, and
the other side never gets a name the uploader did not choose.

Macro-enabled Office files are refused ("macros"): by name (`.docm`, `.xlsm`,
`.pptm` ...) and by content, whatever the name (an OOXML archive holding a
`vbaProject.bin` or declaring a macro-enabled part, an OLE2 file with a VBA storage).
"""

from __future__ import annotations

import codecs
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

import puremagic

ALLOWED_DESCRIPTION = "a PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, JPG or PNG file"

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
TEXT = "text/plain"
CSV = "text/csv"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
ODF_TYPES = {ODT, ODS, ODP}
OLE_STREAMS = {
    "worddocument": DOC,
    "workbook": XLS,
    "book": XLS,
    "powerpoint document": PPT,
}
# Where Word, Excel and PowerPoint keep VBA code in an OLE2 file.
OLE_MACRO_NAMES = {"macros", "_vba_project_cur", "vba", "_vba_project"}

# The extensions each type may be called by (lower case).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    DOC: (".doc",),
    XLS: (".xls",),
    PPT: (".ppt",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    ODT: (".odt",),
    ODS: (".ods",),
    ODP: (".odp",),
    TEXT: (".txt",),
    CSV: (".csv",),
}
ALLOWED_EXTENSIONS = {ext for names in EXTENSIONS.values() for ext in names}
# Office's macro-enabled documents, templates, add-ins and shows.
MACRO_EXTENSIONS = {
    ".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".ppam", ".sldm"
}  # fmt: skip
# What the user is told a file is, when its name has another type's extension.
NAMES = {
    PDF: "a PDF",
    JPEG: "a JPG image",
    PNG: "a PNG image",
    DOC: "a Word document",
    XLS: "an Excel spreadsheet",
    PPT: "a PowerPoint presentation",
    DOCX: "a Word document",
    XLSX: "an Excel spreadsheet",
    PPTX: "a PowerPoint presentation",
    ODT: "an OpenDocument text document",
    ODS: "an OpenDocument spreadsheet",
    ODP: "an OpenDocument presentation",
    TEXT: "a text file",
    CSV: "a CSV file",
}

# Archives: real Office files have tens to a few thousand members and a directory of
# kilobytes; the caps are far above that and far below what would cost memory.
MAX_ARCHIVE_ENTRIES = 5000
MAX_DIRECTORY_BYTES = 1024 * 1024
MIMETYPE_BYTES = 128  # ODF's `mimetype` is the type's name, about 45 bytes
CONTENT_TYPES_BYTES = 1024 * 1024  # OOXML's [Content_Types].xml: a few kB in practice
READ_BLOCK = 64 * 1024
OOXML_MACRO_MARKS = (b"macroenabled", b"vbaproject")

Refusal = Literal["type", "extension", "macros"]


@dataclass(frozen=True)
class Verdict:
    """What the check made of a file: its type (when its content is allowed) and, if it
    is refused, why: "type" (not an allowed kind), "extension" (an allowed kind under
    another kind's name) or "macros"."""

    content_type: str | None = None
    refusal: Refusal | None = None


class _Macros(Exception):
    """Raised inside the archive readers: the file holds macros."""


@dataclass
class TextCheck:
    """Fed every chunk as it streams in: is the whole file UTF-8 text without NULs?"""

    ok: bool = True
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("strict")
    )

    def feed(self, chunk: bytes) -> None:
        if not self.ok:
            return
        if b"\x00" in chunk:
            self.ok = False
            return
        # Plain ASCII is valid UTF-8: no need to decode it (a copy of the whole chunk),
        # unless a character split across chunks is still waiting for its last bytes.
        if chunk.isascii() and not self._decoder.getstate()[0]:
            return
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError:
            self.ok = False

    def finish(self) -> bool:
        if self.ok:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.ok = False
        return self.ok


def judge(source: BinaryIO, head: bytes, is_text: bool, file_name: str) -> Verdict:
    """The file's verdict: its content first, then its name."""
    extension = os.path.splitext(file_name.lower())[1]
    try:
        content_type = _content_type(source, head, is_text, extension)
    except _Macros:
        return Verdict(refusal="macros")
    if content_type is None:
        return Verdict(refusal="type")
    if extension in MACRO_EXTENSIONS:
        return Verdict(content_type, "macros")
    if extension not in ALLOWED_EXTENSIONS:
        return Verdict(refusal="type")
    if extension not in EXTENSIONS[content_type]:
        return Verdict(content_type, "extension")
    return Verdict(content_type)


def _content_type(source: BinaryIO, head: bytes, is_text: bool, extension: str) -> str | None:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(ZIP_MAGIC):
        return _zip_type(source)
    if head.startswith(OLE_MAGIC):
        return _ole_type(source)
    if is_text:
        return CSV if extension == ".csv" else TEXT
    # Anything else (executables, archives, media...) is refused. puremagic names it
    # for the audit log only.
    return None


def describe(head: bytes) -> str:
    """A short guess at what a refused file is, for the audit log."""
    try:
        return puremagic.from_string(head, mime=True) or "unknown"
    except puremagic.PureError:
        return "unknown"
    except Exception:  # a guess only: never let it fail an upload
        return "unknown"


def _zip_type(source: BinaryIO) -> str | None:
    try:
        if not _directory_is_small(source):
            return None
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_ENTRIES:
                return None
            names = {member.filename for member in members}
            if "mimetype" in names:
                mimetype = _read_capped(archive, archive.getinfo("mimetype"), MIMETYPE_BYTES)
                found = (mimetype or b"").decode("ascii", "replace").strip()
                return found if found in ODF_TYPES else None
            if "[Content_Types].xml" not in names:
                return None
            if any(name.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for name in names):
                raise _Macros()
            info = archive.getinfo("[Content_Types].xml")
            if not _scan_member(archive, info, CONTENT_TYPES_BYTES, OOXML_MACRO_MARKS):
                return None
            for part, content_type in OOXML_PARTS.items():
                if part in names:
                    return content_type
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, EOFError):
        return None  # RuntimeError: an encrypted member
    except (NotImplementedError, zlib.error, struct.error):
        return None  # a compression we do not know, or broken data
    return None


def _directory_is_small(source: BinaryIO) -> bool:
    """Read the zip's end record (and its zip64 form) before `zipfile` does: `zipfile`
    reads the whole central directory into memory and makes an object per member, so a
    file made of a huge directory could cost more than its size."""
    source.seek(0, os.SEEK_END)
    size = source.tell()
    tail_size = min(size, 22 + 65535)  # the end record, then a comment of up to 64 kB
    source.seek(size - tail_size)
    tail = source.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # the zip64 end record counts
        locator = at - 20
        if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            return False
        (record_at,) = struct.unpack_from("<Q", tail, locator + 8)
        source.seek(record_at)
        record = source.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            return False
        entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    return entries <= MAX_ARCHIVE_ENTRIES and directory_bytes <= MAX_DIRECTORY_BYTES


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member if it unpacks to at most `cap` bytes, else None. Decompressed only as far
    as `cap` + 1 (the declared size may lie)."""
    if info.file_size > cap:
        return None
    with archive.open(info) as member:
        data = member.read(cap + 1)
    return data if len(data) <= cap else None


def _scan_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, marks: tuple[bytes, ...]
) -> bool:
    """Look through a member for `marks` (any case) a block at a time: False if it unpacks
    to more than `cap` bytes; raises _Macros on a mark."""
    if info.file_size > cap:
        return False
    longest = max(len(mark) for mark in marks)
    seen = 0
    carry = b""
    with archive.open(info) as member:
        while block := member.read(READ_BLOCK):
            seen += len(block)
            if seen > cap:
                return False
            window = (carry + block).lower()
            if any(mark in window for mark in marks):
                raise _Macros()
            carry = window[-longest:]
    return True


def _ole_type(source: BinaryIO) -> str | None:
    """Read the compound file's directory and look for the Office stream names."""
    try:
        names = [name.lower() for name in _ole_stream_names(source)]
    except (OSError, ValueError, struct.error):
        return None
    found = next((OLE_STREAMS[name] for name in names if name in OLE_STREAMS), None)
    if found is not None and OLE_MACRO_NAMES.intersection(names):
        raise _Macros()
    return found


def _ole_stream_names(f: BinaryIO, max_entries: int = 4096) -> list[str]:
    end_of_chain = 0xFFFFFFFE
    f.seek(0)
    header = f.read(512)
    if len(header) < 512 or not header.startswith(OLE_MAGIC):
        raise ValueError("not a compound file")
    sector_shift = struct.unpack_from("<H", header, 30)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    sector_size = 1 << sector_shift
    first_dir_sector = struct.unpack_from("<I", header, 48)[0]
    first_difat_sector, difat_count = struct.unpack_from("<II", header, 68)
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < 0xFFFFFFFA]
    difat = first_difat_sector
    seen = 0
    while difat < 0xFFFFFFFA and seen < difat_count and seen < 1024:
        f.seek((difat + 1) * sector_size)
        block = f.read(sector_size)
        entries = struct.unpack(f"<{sector_size // 4}I", block)
        fat_sectors += [s for s in entries[:-1] if s < 0xFFFFFFFA]
        difat = entries[-1]
        seen += 1
    per_fat = sector_size // 4

    def next_sector(sector: int) -> int:
        index, offset = divmod(sector, per_fat)
        if index >= len(fat_sectors):
            return end_of_chain
        f.seek((fat_sectors[index] + 1) * sector_size + offset * 4)
        data = f.read(4)
        return struct.unpack("<I", data)[0] if len(data) == 4 else end_of_chain

    names: list[str] = []
    sector = first_dir_sector
    visited: set[int] = set()
    while sector < 0xFFFFFFFA and sector not in visited and len(names) < max_entries:
        visited.add(sector)
        f.seek((sector + 1) * sector_size)
        block = f.read(sector_size)
        for start in range(0, len(block) - 127, 128):
            entry = block[start : start + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            if 2 <= length <= 64:
                names.append(entry[: length - 2].decode("utf-16-le", "replace"))
        sector = next_sector(sector)
    return names
