"""The type check on hostile files: archives that unpack to hundreds of megabytes are
judged with bounded memory, archives with too many members are refused, the name's
extension must be one of the judged type's, and macro-enabled Office files are refused
whatever they are called."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from portal.documents import filetypes
from portal.documents.filetypes import TextCheck, Verdict, judge
from tests.documents.samples import ALLOWED, PDF, REFUSED, TEXT, bomb, docx, ole

ZEROS = 300 * 1024 * 1024  # what each bomb unpacks to
MEMORY_BOUND = 16 * 1024 * 1024  # the judge's peak allocations, whatever the archive holds


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    odt = b"application/vnd.oasis.opendocument.text"
    return {
        # The ODF type member itself unpacks to 300 MB (the old check read it whole).
        "mimetype.odt": bomb(
            folder / "mimetype.odt", {"content.xml": b"<x/>"}, "mimetype", odt, ZEROS
        ),
        # An OOXML part the check reads to look for macros.
        "types.docx": bomb(
            folder / "types.docx",
            {"word/document.xml": b"<w/>"},
            "[Content_Types].xml",
            b"<T>",
            ZEROS,
        ),
        # A part the check never needs to read.
        "document.docx": bomb(
            folder / "document.docx",
            {"[Content_Types].xml": b"<Types/>"},
            "word/document.xml",
            b"<w:document>",
            ZEROS,
        ),
    }


def judged_in_bounded_memory(path: Path) -> tuple[Verdict, int]:
    with path.open("rb") as source:
        head = source.read(8192)
        tracemalloc.start()
        try:
            verdict = judge(source, head, False, path.name)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return verdict, peak


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mimetype.odt", Verdict(refusal="type")),
        ("types.docx", Verdict(refusal="type")),
        ("document.docx", Verdict(content_type=filetypes.DOCX)),
    ],
)
def test_an_archive_unpacking_to_hundreds_of_megabytes_is_judged_in_bounded_memory(
    bombs: dict[str, Path], name: str, expected: Verdict
) -> None:
    assert bombs[name].stat().st_size < 2 * 1024 * 1024  # small on the wire
    verdict, peak = judged_in_bounded_memory(bombs[name])
    print(f"{name}: {verdict}, peak {peak / 1024 / 1024:.1f} MiB")
    assert verdict == expected
    assert peak < MEMORY_BOUND


def _many(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w/>")
        for number in range(count - 2):
            archive.writestr(f"word/media/{number}.xml", b"")
    return buffer.getvalue()


def _judge(name: str, data: bytes) -> Verdict:
    text = TextCheck()
    text.feed(data)
    return judge(io.BytesIO(data), data[:8192], text.finish(), name)


def test_an_archive_with_more_members_than_the_limit_is_refused() -> None:
    limit = filetypes.MAX_ARCHIVE_ENTRIES
    assert _judge("plan.docx", _many(limit)) == Verdict(content_type=filetypes.DOCX)
    assert _judge("plan.docx", _many(limit + 1)) == Verdict(refusal="type")


def test_an_archive_whose_directory_is_too_large_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w/>")
        archive.comment = b""
        for number in range(40):
            archive.writestr("word/" + f"{number:04d}" + "x" * 30_000, b"")
    assert _judge("plan.docx", buffer.getvalue()) == Verdict(refusal="type")


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_allowed_type_with_its_own_extension_is_allowed(name: str) -> None:
    data, content_type = ALLOWED[name]
    assert _judge(name, data) == Verdict(content_type=content_type)
    assert _judge(name.upper(), data) == Verdict(content_type=content_type)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_content_outside_the_allow_list_is_refused(name: str) -> None:
    assert _judge(name, REFUSED[name]) == Verdict(refusal="type")


HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTA = b'<hta:application id="x"><script language="VBScript">CreateObject("WScript.Shell")'


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", HTML),
        ("page.htm", HTML),
        ("drawing.svg", SVG),
        ("app.hta", HTA),
        ("report.pdf.html", PDF),
        ("plan.docx.html", docx()),
        ("notes", TEXT),
        ("notes.md", TEXT),
        ("script.js", b"alert(1)"),
    ],
)
def test_a_name_whose_extension_is_not_an_allowed_kind_is_refused(name: str, data: bytes) -> None:
    assert _judge(name, data) == Verdict(refusal="type")


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.docx", PDF, filetypes.PDF),
        ("plan.pdf", docx(), filetypes.DOCX),
        ("notes.pdf", TEXT, filetypes.TEXT),
        ("photo.png", ALLOWED["photo.jpg"][0], filetypes.JPEG),
        ("old.xls", ole("WordDocument"), filetypes.DOC),
        ("plan.odt", ALLOWED["budget.ods"][0], filetypes.ODS),
    ],
)
def test_an_allowed_extension_of_another_type_is_refused(
    name: str, data: bytes, content_type: str
) -> None:
    assert _judge(name, data) == Verdict(content_type=content_type, refusal="extension")


def _ooxml(*extra: str, content_types: bytes = b"<Types/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", b"<w/>")
        for name in extra:
            archive.writestr(name, b"\xd0\xcf\x11\xe0 VBA")
    return buffer.getvalue()


MACRO_TYPES = (
    b'<Types><Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("letter.docm", _ooxml("word/vbaProject.bin")),
        ("letter.docx", _ooxml("word/vbaProject.bin")),  # renamed: the content says so
        ("letter.pdf", _ooxml("word/vbaProject.bin")),
        ("letter.docx", _ooxml("word/VBAPROJECT.BIN")),
        ("letter.docx", _ooxml("custom/hidden/vbaProject.bin")),
        ("letter.docx", _ooxml(content_types=MACRO_TYPES)),  # the part renamed, the type not
        ("letter.docm", _ooxml()),  # named as macro-enabled
        ("budget.xlsm", ALLOWED["budget.xlsx"][0]),
        ("slides.pptm", ALLOWED["slides.pptx"][0]),
        ("old.doc", ole("WordDocument", "Macros")),
        ("old.xls", ole("Workbook", "_VBA_PROJECT_CUR")),
    ],
)
def test_macro_enabled_office_files_are_refused(name: str, data: bytes) -> None:
    assert _judge(name, data).refusal == "macros"
