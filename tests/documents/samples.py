"""Small, real examples of every allowed file type (and some that are not allowed)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"\xff\xd9"
TEXT = "Notes for the inspection team: café, naïve, 10% — fine.\n".encode()
CSV = b"name,year\nOakfield,2026\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
GIF = b"GIF89a" + b"\x00" * 50
HTML_WITH_NUL = b"<html>\x00</html>"
LATIN1 = "Caf\xe9 notes".encode("latin-1")
UTF16 = "Hello".encode("utf-16")


def _zip(members: dict[str, bytes], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first, members.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def pptx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})


def odf(kind: str) -> bytes:
    return _zip(
        {"mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(), "content.xml": b"<x/>"},
        first="mimetype",
    )


def bomb(path: Path, members: dict[str, bytes], inflated: str, prefix: bytes, size: int) -> Path:
    """A small archive at `path` whose member `inflated` unpacks to `prefix` then `size`
    zero bytes, written a block at a time (never held whole), beside `members`."""
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(inflated, "w", force_zip64=True) as member:
            member.write(prefix)
            for _ in range(size // len(block)):
                member.write(block)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"hello", "payload.exe": EXE})


def ole(*streams: str) -> bytes:
    """A minimal OLE2 compound file whose directory holds `streams` (e.g. WordDocument;
    up to three)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HH", header, 24, 0x3E, 3)  # minor, major version
    struct.pack_into("<H", header, 28, 0xFFFE)  # byte order
    struct.pack_into("<HH", header, 30, 9, 6)  # sector shift, mini sector shift
    struct.pack_into("<I", header, 44, 1)  # number of FAT sectors
    struct.pack_into("<I", header, 48, 0)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<II", header, 60, 0xFFFFFFFE, 0)  # mini FAT
    struct.pack_into("<II", header, 68, 0xFFFFFFFE, 0)  # DIFAT
    difat = [1] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name: str, kind: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        return bytes(raw)

    directory = entry("Root Entry", 5) + b"".join(entry(s, 2) for s in streams)
    directory += bytes(128) * (3 - len(streams))
    fat = struct.pack("<II", 0xFFFFFFFE, 0xFFFFFFFD) + b"\xff" * (512 - 8)
    return bytes(header) + directory + fat


ALLOWED = {
    "report.pdf": (PDF, "application/pdf"),
    "photo.png": (PNG, "image/png"),
    "photo.jpg": (JPEG, "image/jpeg"),
    "notes.txt": (TEXT, "text/plain"),
    "data.csv": (CSV, "text/csv"),
    "plan.docx": (
        docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "budget.xlsx": (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "slides.pptx": (
        pptx(),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "plan.odt": (odf("text"), "application/vnd.oasis.opendocument.text"),
    "budget.ods": (odf("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    "slides.odp": (odf("presentation"), "application/vnd.oasis.opendocument.presentation"),
    "old.doc": (ole("WordDocument"), "application/msword"),
    "old.xls": (ole("Workbook"), "application/vnd.ms-excel"),
    "old.ppt": (ole("PowerPoint Document"), "application/vnd.ms-powerpoint"),
}

REFUSED = {
    "setup.exe": EXE,
    "report.pdf.exe": EXE,
    "looks-like.pdf": EXE,  # the extension says PDF, the content does not
    "program.docx": ELF,
    "animation.gif": GIF,
    "archive.zip": plain_zip(),
    "renamed.docx": plain_zip(),
    "page.txt": HTML_WITH_NUL,
    "latin1.txt": LATIN1,
    "utf16.txt": UTF16,
    "installer.doc": ole("Some Other Stream"),
}
