"""Which files the portal accepts, judged by their content, never by their name.

The allow-list: PDF, Word (doc, docx), Excel (xls, xlsx), PowerPoint (ppt, pptx),
OpenDocument (odt, ods, odp), plain text, CSV, JPEG and PNG.

- PDF, JPEG, PNG: their magic bytes at the start.
- docx/xlsx/pptx and odt/ods/odp are zip files: the zip's members say which (the
  central directory is at the end of the file, so this reads the stored file, through
  a seekable binary file the store gives: on disk the file, on S3 range requests).
- doc/xls/ppt are OLE2 compound files: the magic, then the names of the streams in
  the compound file's directory ("WordDocument", "Workbook", "PowerPoint Document").
- Text and CSV: the whole file is valid UTF-8 without NUL bytes (checked while the
  file streams in, by `TextCheck`).
"""

from __future__ import annotations

import codecs
import struct
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO

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


def judge(source: BinaryIO, head: bytes, is_text: bool, file_name: str) -> str | None:
    """The content type of an allowed file, or None if the content is not allowed."""
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
        return CSV if file_name.lower().endswith(".csv") else TEXT
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
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in ODF_TYPES:
                    return mimetype
                return None
            if "[Content_Types].xml" in names:
                for part, content_type in OOXML_PARTS.items():
                    if part in names:
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


def _ole_type(source: BinaryIO) -> str | None:
    """Read the compound file's directory and look for the Office stream names."""
    try:
        names = _ole_stream_names(source)
    except (OSError, ValueError, struct.error):
        return None
    for name in names:
        found = OLE_STREAMS.get(name.lower())
        if found:
            return found
    return None


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
