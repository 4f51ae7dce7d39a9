"""Uploads a hostile or careless user might send, over HTTP: a name that would make the
file a web page on the other side, a macro-enabled Office file, a virus (the EICAR test
file, scanned by a real clamd), and a scanner that is down or stops reading. Each is
refused with a message next to the file field, with nothing stored, not even a
temporary file; and the refusal is audited."""

from __future__ import annotations

import io
import logging
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from portal.app import create_app
from portal.db.tables import AuditEvent, Document
from portal.documents.storage_s3 import PART_SIZE
from portal.settings import Settings
from tests.clamd import EICAR, SIGNATURE, STREAM_MAX_BYTES, Clamd, free_port
from tests.client import PortalClient
from tests.documents.conftest import LimitedClient, upload
from tests.documents.samples import ALLOWED, PDF, TEXT, bomb, docx
from tests.documents.test_routes import docs_url, field_error, files_on_disk, rows
from tests.factories import Factory
from tests.html_check import record_page
from tests.s3 import REGION, Bucket

NOT_ALLOWED = (
    "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, text, "
    "CSV, JPG or PNG file"
)
MACROS = (
    "The selected file must not contain macros: save it without them, "
    "as a .docx, .xlsx or .pptx file"
)
VIRUS = "The selected file contains a virus"
NOT_SCANNED = "The selected file could not be checked for viruses – try again later"


async def refused_audit() -> list[str]:
    found = await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "document upload refused"
    )
    return [row["detail"] for row in found]


# --- names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<!doctype html><script>alert(document.cookie)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
        ("app.hta", b'<hta:application><script language="VBScript">x</script>'),
        ("report.pdf.html", PDF),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_name_that_is_not_an_allowed_kind_is_refused(
    client: PortalClient, make: Factory, settings: Settings, name: str, data: bytes, htmx: bool
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [(name, data, "text/html")], htmx=htmx)
    assert response.status_code == 200
    assert field_error(response.text) == NOT_ALLOWED
    assert f'href="#file">{NOT_ALLOWED}</a>' in response.text
    assert await rows(world) == []
    assert files_on_disk(settings) == []
    assert any(name in detail for detail in await refused_audit())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("Self-evaluation.docx", PDF, "The selected file is a PDF, so its name must end in .pdf"),
        ("plan.pdf", docx(), "The selected file is a Word document, so its name must end in .docx"),
        (
            "photo.png",
            ALLOWED["photo.jpg"][0],
            "The selected file is a JPG image, so its name must end in .jpg or .jpeg",
        ),
        ("notes.csv.pdf", TEXT, "The selected file is a text file, so its name must end in .txt"),
    ],
)
async def test_another_kinds_extension_is_refused_with_the_one_it_needs(
    client: PortalClient, make: Factory, settings: Settings, name: str, data: bytes, message: str
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [(name, data)], htmx=True)
    assert field_error(response.text) == message
    assert await rows(world) == []
    assert files_on_disk(settings) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("letter.docm", ALLOWED["plan.docx"][0]),
        ("budget.xlsm", ALLOWED["budget.xlsx"][0]),
        ("slides.pptm", ALLOWED["slides.pptx"][0]),
    ],
)
async def test_macro_enabled_office_files_are_refused_by_name(
    client: PortalClient, make: Factory, settings: Settings, name: str, data: bytes
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [(name, data)])
    assert field_error(response.text) == MACROS
    assert await rows(world) == []
    assert files_on_disk(settings) == []
    assert any(f"'{name}': macros" in detail for detail in await refused_audit())


async def test_an_office_file_holding_macros_is_refused_whatever_its_name(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w/>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 Sub AutoOpen()")
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [("Minutes.docx", buffer.getvalue())])
    assert field_error(response.text) == MACROS
    assert await rows(world) == []
    assert files_on_disk(settings) == []


async def test_a_zip_bomb_upload_is_refused_in_bounded_memory(
    client: PortalClient, make: Factory, settings: Settings, tmp_path: Path
) -> None:
    """A 1.4 MB .odt whose type member unpacks to 300 MB: the whole request (parsing,
    storing, judging) allocates a few megabytes at most (the old check: ~600 MB)."""
    odt = b"application/vnd.oasis.opendocument.text"
    data = bomb(tmp_path / "b.odt", {"content.xml": b"<x/>"}, "mimetype", odt, 300 << 20)
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    body = data.read_bytes()
    tracemalloc.start()
    try:
        response = await upload(client, docs_url(world), [("Plan.odt", body)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"zip bomb upload: peak {peak / 1024 / 1024:.1f} MiB")
    assert field_error(response.text) == NOT_ALLOWED
    assert peak < 32 * 1024 * 1024
    assert await rows(world) == []
    assert files_on_disk(settings) == []


# --- ClamAV -----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["socket", "tcp"])
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_virus_is_refused_and_never_stored(
    limited_client: LimitedClient,
    make: Factory,
    settings: Settings,
    clamd: Clamd,
    address: str,
    htmx: bool,
) -> None:
    world = await make.world()
    where = str(clamd.socket_path) if address == "socket" else clamd.tcp
    async with limited_client(clamd=where) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, docs_url(world), [("notes.txt", EICAR)], htmx=htmx)
    assert response.status_code == 200
    assert field_error(response.text) == VIRUS
    assert f'href="#file">{VIRUS}</a>' in response.text
    assert await rows(world) == []
    assert files_on_disk(settings) == []  # not even its temporary file
    [detail] = await refused_audit()
    assert f"'notes.txt': virus found ({SIGNATURE}" in detail


async def test_clean_files_are_scanned_and_kept_beside_an_infected_one(
    limited_client: LimitedClient, make: Factory, settings: Settings, clamd: Clamd
) -> None:
    world = await make.world()
    # The test string inside a longer file, split across the parser's chunks.
    padded = TEXT * 20_000 + EICAR + b"\n" + TEXT * 20_000
    files = [(name, data) for name, (data, _type) in ALLOWED.items()] + [("big.txt", padded)]
    async with limited_client(clamd=str(clamd.socket_path)) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, docs_url(world), files, htmx=True)
    assert field_error(response.text) == "‘big.txt’ contains a virus"
    kept = sorted(row["file_name"] for row in await rows(world))
    assert kept == sorted(ALLOWED)
    assert sorted(files_on_disk(settings)) == sorted(r["stored_name"] for r in await rows(world))


@pytest.mark.parametrize("where", ["missing-socket", "closed-port"])
async def test_a_scanner_that_does_not_answer_refuses_the_upload(
    limited_client: LimitedClient,
    make: Factory,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    where: str,
) -> None:
    world = await make.world()
    if where == "missing-socket":
        address = str(tmp_path_factory.mktemp("gone") / "clamd.sock")
    else:
        address = f"127.0.0.1:{free_port()}"
    async with limited_client(clamd=address) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, docs_url(world), [("minutes.pdf", PDF)])
    assert response.status_code == 200
    assert field_error(response.text) == NOT_SCANNED
    assert await rows(world) == []
    assert files_on_disk(settings) == []
    [detail] = await refused_audit()
    assert "'minutes.pdf': not scanned" in detail


async def test_an_unreachable_scanner_is_tried_once_for_a_batch_of_files(
    limited_client: LimitedClient,
    make: Factory,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each try may take the connect timeout (5 s): a batch of files waits once."""
    world = await make.world()
    address = str(tmp_path_factory.mktemp("gone") / "clamd.sock")
    files = [(name, data) for name, (data, _type) in ALLOWED.items()]
    async with limited_client(clamd=address) as client:
        await client.sign_in_as(world.provider_user)
        # The app's logging does not propagate "portal" to the root: listen where it logs.
        scan_log = logging.getLogger("portal.documents.scan")
        scan_log.addHandler(caplog.handler)
        try:
            response = await upload(client, docs_url(world), files, htmx=True)
        finally:
            scan_log.removeHandler(caplog.handler)
    assert field_error(response.text).startswith("‘report.pdf’ could not be checked for viruses")
    assert len(await refused_audit()) == len(files)
    tries = [r for r in caplog.records if "cannot connect to clamd" in r.getMessage()]
    assert len(tries) == 1
    assert await rows(world) == []
    assert files_on_disk(settings) == []


@pytest.mark.parametrize("over", [1, 1000])
async def test_a_file_the_scanner_stops_reading_is_not_accepted_unscanned(
    limited_client: LimitedClient, make: Factory, settings: Settings, clamd: Clamd, over: int
) -> None:
    """Past clamd's StreamMaxLength: far past, clamd hangs up while the file still
    streams; just past, it answers "size limit exceeded" after the last chunk."""
    world = await make.world()
    longer = TEXT * (STREAM_MAX_BYTES // len(TEXT) + over)
    async with limited_client(clamd=str(clamd.socket_path)) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, docs_url(world), [("long.txt", longer)])
    assert field_error(response.text) == NOT_SCANNED
    assert await rows(world) == []
    assert files_on_disk(settings) == []


async def test_a_virus_at_the_end_of_a_multipart_s3_upload_leaves_nothing(
    settings: Settings, make: Factory, s3_bucket: Bucket, clamd: Clamd
) -> None:
    """Parts were already sent when the verdict came: the multipart upload is aborted."""
    scanned = settings.with_(
        storage_url=s3_bucket.url,
        s3_endpoint_url=s3_bucket.server.endpoint_url,
        s3_region=REGION,
        clamd=str(clamd.socket_path),
    )
    world = await make.world()
    data = TEXT * (PART_SIZE // len(TEXT) + 1000) + EICAR
    async with PortalClient.for_app(create_app(scanned), on_page=record_page) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, docs_url(world), [("notes.txt", data)])
    assert field_error(response.text) == VIRUS
    assert await Document.count() == 0
    assert s3_bucket.keys() == []
    assert s3_bucket.unfinished() == []


async def test_a_virus_never_reaches_s3_storage(
    settings: Settings, make: Factory, s3_bucket: Bucket, clamd: Clamd
) -> None:
    scanned = settings.with_(
        storage_url=s3_bucket.url,
        s3_endpoint_url=s3_bucket.server.endpoint_url,
        s3_region=REGION,
        clamd=str(clamd.socket_path),
    )
    world = await make.world()
    async with PortalClient.for_app(create_app(scanned), on_page=record_page) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(
            client, docs_url(world), [("notes.txt", EICAR), ("minutes.pdf", PDF)], htmx=True
        )
    assert field_error(response.text) == "‘notes.txt’ contains a virus"
    [kept] = await Document.select().where(Document.event == world.event.id)
    assert kept["file_name"] == "minutes.pdf"
    assert s3_bucket.keys() == [f"documents/{kept['stored_name']}"]
    assert s3_bucket.unfinished() == []
