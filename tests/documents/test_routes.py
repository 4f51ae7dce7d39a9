"""The 'Documents Uploaded by Provider' and 'by Ofsted' screens over HTTP: full pages
and htmx fragments, every bad input, staging, Save and Cancel, two users at once."""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from portal.db.tables import AuditEvent, Document
from portal.settings import Settings
from tests.client import PortalClient
from tests.documents.conftest import LimitedClient, upload
from tests.documents.samples import ALLOWED, EXE, PDF, REFUSED, TEXT, docx
from tests.factories import Factory, World


def docs_url(world: World, side: str = "provider") -> str:
    return f"/events/{world.event.id}/{'documents' if side == 'provider' else 'ofsted-documents'}"


async def rows(world: World) -> list[dict[str, Any]]:
    return await Document.select().where(Document.event == world.event.id).order_by(Document.id)


def files_on_disk(settings: Settings) -> list[str]:
    root = settings.files_dir
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def field_error(html: str) -> str:
    match = re.search(r'<p id="file-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert match, "no error message next to the file field"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


# --- the screen -------------------------------------------------------------------


async def test_provider_opens_the_screen_from_the_profile(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    profile = await client.get(f"/events/{world.event.id}")
    assert f'href="{docs_url(world)}">Upload or delete a document</a>' in profile.text
    page = await client.get(docs_url(world))
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Documents Uploaded by Provider</h1>' in page.text
    assert "There are no documents yet." in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert 'data-hx-post="' + docs_url(world) + '"' in page.text
    assert "<progress" in page.text
    assert re.search(r'src="/static/js/documents\.[0-9a-f]{12}\.js" nonce="', page.text)
    fragment = await client.get(docs_url(world), htmx=True)
    assert fragment.text.lstrip().startswith('<div id="document-list">')
    assert "<h1" not in fragment.text


async def test_provider_uploads_without_javascript_and_is_sent_back(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [("Self-evaluation.pdf", PDF)])
    assert response.status_code == 303
    assert urlparse(response.headers["location"]).path == docs_url(world)
    [row] = await rows(world)
    assert row["state"] == "staged"
    assert row["staged_by"] == world.provider_user.id
    assert row["file_name"] == "Self-evaluation.pdf"
    assert row["size"] == len(PDF)
    assert row["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert row["content_type"] == "application/pdf"
    assert files_on_disk(settings) == [row["stored_name"]]
    # The screen it comes back to says so, naming the file, in a success banner.
    page = await client.get(response.headers["location"])
    banner = page.text[page.text.index("govuk-notification-banner--success") :]
    banner = banner[: banner.index("</div>\n</div>")]
    assert "Upload complete. ‘Self-evaluation.pdf’ has been uploaded but not saved yet" in banner
    assert "Not saved yet" in page.text
    # Opened again, the banner has gone; a forged message is never shown.
    assert "govuk-notification-banner" not in (await client.get(docs_url(world))).text
    forged = await client.get(f"{docs_url(world)}?done=Hacked&sig=0")
    assert "Hacked" not in forged.text
    audit = await AuditEvent.select().where(AuditEvent.action == "document uploaded (not saved)")
    assert audit[0]["actor"] == world.provider_user.id
    assert "Self-evaluation.pdf" in audit[0]["detail"]


async def test_provider_uploads_with_htmx_and_gets_the_new_list(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [("plan.docx", docx())], htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="document-list">')
    assert "Upload complete. ‘plan.docx’ has been uploaded but not saved yet" in response.text
    assert 'data-announce="Upload complete.' in response.text
    assert "Not saved yet" in response.text


async def test_several_files_in_one_upload(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    files = [(name, data) for name, (data, _type) in ALLOWED.items()]
    response = await upload(client, docs_url(world), files, htmx=True)
    assert f"{len(files)} files have been uploaded" in response.text
    stored = {row["file_name"]: row["content_type"] for row in await rows(world)}
    assert stored == {name: content_type for name, (_data, content_type) in ALLOWED.items()}


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
async def test_no_file_chosen(client: PortalClient, make: Factory, htmx: bool) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [("", b"")], htmx=htmx)
    assert response.status_code == 200
    assert field_error(response.text) == "Select a file to upload"
    assert 'href="#file">Select a file to upload</a>' in response.text
    if not htmx:
        assert "<title>Error: Documents Uploaded by Provider" in response.text
    assert await rows(world) == []


@pytest.mark.parametrize("htmx", [False, True])
async def test_empty_file(
    client: PortalClient, make: Factory, settings: Settings, htmx: bool
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [("empty.pdf", b"")], htmx=htmx)
    assert field_error(response.text) == "The selected file is empty"
    assert await rows(world) == []
    assert files_on_disk(settings) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_type_outside_the_allow_list(
    client: PortalClient, make: Factory, settings: Settings, name: str
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(client, docs_url(world), [(name, REFUSED[name], "application/pdf")])
    assert response.status_code == 200
    assert field_error(response.text) == (
        "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, text, "
        "CSV, JPG or PNG file"
    )
    assert await rows(world) == []
    assert files_on_disk(settings) == []
    refused = await AuditEvent.select().where(AuditEvent.action == "document upload refused")
    assert name in refused[0]["detail"]


@pytest.mark.parametrize("htmx", [False, True])
async def test_file_over_the_size_limit_is_refused(
    limited_client: LimitedClient, make: Factory, settings: Settings, htmx: bool
) -> None:
    world = await make.world()
    async with limited_client(upload_max_bytes=10 * 1024 * 1024) as client:
        await client.sign_in_as(world.provider_user)
        big = TEXT * (11 * 1024 * 1024 // len(TEXT))
        response = await upload(client, docs_url(world), [("big.txt", big)], htmx=htmx)
    assert response.status_code == 200
    assert field_error(response.text) == "The selected file must be smaller than 10 MB"
    assert await rows(world) == []
    assert files_on_disk(settings) == []


async def test_a_good_file_is_kept_beside_a_refused_one(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await upload(
        client, docs_url(world), [("minutes.pdf", PDF), ("tool.exe", EXE)], htmx=True
    )
    assert field_error(response.text).startswith("‘tool.exe’ must be a PDF")
    assert "‘minutes.pdf’ has been uploaded" in response.text
    assert [row["file_name"] for row in await rows(world)] == ["minutes.pdf"]


async def test_more_than_the_event_file_count(limited_client: LimitedClient, make: Factory) -> None:
    world = await make.world()
    await make.document(world.event, world.colleague, file_name="one.pdf")
    await make.document(world.event, world.lead, side="ofsted")  # the other side: not counted
    async with limited_client(event_max_files=2) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(
            client, docs_url(world), [("two.pdf", PDF), ("three.pdf", PDF)], htmx=True
        )
    assert field_error(response.text) == (
        "You can upload up to 2 documents for this inspection. "
        "Delete a document before you upload another"
    )
    assert sorted(row["file_name"] for row in await rows(world)) == [
        "evidence.pdf",
        "one.pdf",
        "two.pdf",
    ]


async def test_over_the_event_quota(
    limited_client: LimitedClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await make.document(world.event, world.colleague, content=b"%PDF-1.4 " + b"x" * 3000)
    async with limited_client(event_quota_bytes=5000) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, docs_url(world), [("more.txt", TEXT * 100)])
    assert field_error(response.text) == (
        "The selected file cannot be uploaded: the documents for this inspection "
        "must be 4 KB or less in total"
    )
    assert len(await rows(world)) == 1
    assert len(files_on_disk(settings)) == 1


async def test_odd_names_are_shown_safely_and_stored_under_a_random_name(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    given = "..\\..\\<em>bold<em>\u202eFDP.exe\x07" + "x" * 300 + ".pdf"
    await upload(client, docs_url(world), [(given, PDF)])
    [row] = await rows(world)
    assert "\u202e" not in row["file_name"] and "\x07" not in row["file_name"]
    assert "/" not in row["file_name"] and "\\" not in row["file_name"]
    assert len(row["file_name"]) <= 150 and row["file_name"].endswith(".pdf")
    assert re.fullmatch(r"[0-9a-f]{32}", row["stored_name"])
    assert files_on_disk(settings) == [row["stored_name"]]
    page = await client.get(docs_url(world))
    assert "&lt;em&gt;bold&lt;em&gt;" in page.text and "<em>bold" not in page.text


async def test_ofsted_upload_needs_a_kind_and_keeps_the_choice(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.lead)
    response = await upload(client, docs_url(world, "ofsted"), [("report.pdf", PDF)])
    assert 'href="#kind">Select what kind of document this is</a>' in response.text
    assert await rows(world) == []
    response = await upload(
        client, docs_url(world, "ofsted"), [("", b"")], data={"kind": "final_report"}
    )
    assert field_error(response.text) == "Select a file to upload"
    assert re.search(r'value="final_report" checked', response.text)


# --- CSRF on the streamed form ------------------------------------------------------


async def test_upload_without_a_csrf_token_stores_nothing(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    for htmx in (False, True):
        response = await upload(
            client, docs_url(world), [("a.pdf", PDF)], htmx=htmx, csrf_token=False
        )
        assert response.status_code == 403
        response = await upload(
            client, docs_url(world), [("a.pdf", PDF)], htmx=htmx, csrf_token="forged"
        )
        assert response.status_code == 403
    assert await rows(world) == []
    assert files_on_disk(settings) == []


async def test_a_token_after_the_file_is_too_late(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    boundary = "portalboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + PDF
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{client.csrf_token}\r\n--{boundary}--\r\n".encode()
    )
    response = await client.http.post(
        docs_url(world),
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 403
    assert files_on_disk(settings) == []


async def test_not_a_multipart_form(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.http.post(
        docs_url(world),
        content=b"garbage",
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "x-csrf-token": client.csrf_token,
        },
    )
    assert response.status_code == 400
    response = await client.post(docs_url(world), {"file": "not a file"})
    assert response.status_code == 400


async def test_a_body_far_over_every_limit_is_refused_at_once(
    limited_client: LimitedClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    async with limited_client(upload_max_bytes=1000, event_quota_bytes=1000) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(
            client, docs_url(world), [("huge.txt", b"a" * 3 * 1024 * 1024)], htmx=True
        )
    assert response.status_code == 413
    assert files_on_disk(settings) == []


# --- staging ------------------------------------------------------------------------


async def test_staged_uploads_are_seen_only_by_their_uploader_and_survive_reload(
    client: PortalClient, limited_client: LimitedClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("draft-plan.pdf", PDF)])
    [row] = await rows(world)
    for _ in range(2):  # a reload shows the same
        assert "draft-plan.pdf" in (await client.get(docs_url(world))).text
    download = await client.get(f"/events/{world.event.id}/documents/{row['id']}/download")
    assert download.status_code == 200 and download.content == PDF
    assert "draft-plan.pdf" not in (await client.get(f"/events/{world.event.id}")).text
    async with limited_client() as other:
        await other.sign_in_as(world.colleague)
        assert "draft-plan.pdf" not in (await other.get(docs_url(world))).text
        assert "draft-plan.pdf" not in (await other.get(f"/events/{world.event.id}")).text
        url = f"/events/{world.event.id}/documents/{row['id']}/download"
        assert (await other.get(url)).status_code == 404
        assert (await other.get(f"{docs_url(world)}/{row['id']}/delete")).status_code == 404


async def test_two_users_of_a_provider_upload_at_once_and_both_keep_their_files(
    client: PortalClient, limited_client: LimitedClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    async with limited_client() as other:
        await other.sign_in_as(world.colleague)
        first = b"%PDF-1.4 first " + b"1" * 2_000_000
        second = b"%PDF-1.4 second " + b"2" * 2_000_000
        responses = await asyncio.gather(
            upload(client, docs_url(world), [("same-name.pdf", first)]),
            upload(other, docs_url(world), [("same-name.pdf", second)]),
        )
        assert [r.status_code for r in responses] == [303, 303]
        assert (await client.post(f"{docs_url(world)}/save")).status_code == 303
        assert (await other.post(f"{docs_url(world)}/save")).status_code == 303
    saved = await rows(world)
    assert [r["state"] for r in saved] == ["live", "live"]
    assert {r["uploaded_by"] for r in saved} == {world.provider_user.id, world.colleague.id}
    contents = {settings.files_dir.joinpath(r["stored_name"]).read_bytes() for r in saved}
    assert contents == {first, second}


# --- delete -------------------------------------------------------------------------


async def test_delete_asks_inline_with_htmx(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.colleague, file_name="old-policy.pdf")
    await client.sign_in_as(world.provider_user)
    page = await client.get(docs_url(world))
    delete_url = f"{docs_url(world)}/{doc.id}/delete"
    assert f'href="{delete_url}" data-hx-get="{delete_url}"' in page.text
    fragment = await client.get(delete_url, htmx=True)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="document-list">')
    assert "Are you sure you want to delete ‘old-policy.pdf’?" in fragment.text
    assert re.search(
        r'class="govuk-button govuk-button--warning"[^>]*>\s*Yes - Delete', fragment.text
    )
    assert f'data-hx-post="{delete_url}"' in fragment.text
    assert f'href="{docs_url(world)}?row={doc.id}"' in fragment.text  # cancel
    response = await client.post(delete_url, htmx=True)
    assert response.status_code == 200
    assert "‘old-policy.pdf’ will be deleted when you save." in response.text
    assert "To be deleted" in response.text
    [row] = await rows(world)
    assert row["state"] == "pending_delete" and row["staged_by"] == world.provider_user.id
    # Until Save, everyone else still sees it, on the profile too.
    assert "old-policy.pdf" in (await client.get(f"/events/{world.event.id}")).text


async def test_delete_confirmation_is_its_own_page_without_javascript(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.colleague, file_name="old-policy.pdf")
    await client.sign_in_as(world.provider_user)
    delete_url = f"{docs_url(world)}/{doc.id}/delete"
    page = await client.get(delete_url)
    assert (
        '<h1 class="govuk-heading-l">Are you sure you want to delete this document?</h1>'
        in page.text
    )
    assert "old-policy.pdf" in page.text
    assert f'action="{delete_url}"' in page.text
    assert "data-hx-post" not in page.text
    response = await client.post(delete_url)
    assert response.status_code == 303
    assert urlparse(response.headers["location"]).path == docs_url(world)
    page = await client.get(response.headers["location"])
    assert "To be deleted" in page.text
    banner = page.text[page.text.index("govuk-notification-banner--success") :]
    assert "old-policy.pdf" in banner[: banner.index("</div>\n</div>")]


async def test_deleting_ones_own_unsaved_upload_removes_it_at_once(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("oops.pdf", PDF)])
    [row] = await rows(world)
    response = await client.post(f"{docs_url(world)}/{row['id']}/delete", htmx=True)
    assert "‘oops.pdf’ has been removed." in response.text
    assert await rows(world) == []
    assert files_on_disk(settings) == []


async def test_an_ofsted_document_cannot_be_deleted_from_the_provider_screen(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.lead, side="ofsted")
    await client.sign_in_as(world.provider_user)
    assert (await client.get(f"{docs_url(world)}/{doc.id}/delete")).status_code == 404
    assert (await client.post(f"{docs_url(world)}/{doc.id}/delete")).status_code == 404


# --- Save and Cancel ----------------------------------------------------------------


async def test_save_applies_uploads_and_deletes_and_shows_a_receipt(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    old = await make.document(world.event, world.colleague, file_name="old-policy.pdf")
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("new-policy.pdf", PDF), ("notes.txt", TEXT)])
    await client.post(f"{docs_url(world)}/{old.id}/delete")
    response = await client.post(f"{docs_url(world)}/save")
    assert response.status_code == 303
    location = urlparse(response.headers["location"])
    assert location.path == f"/events/{world.event.id}"
    query = parse_qs(location.query)
    assert query["done"][0].startswith(
        "Your changes to the documents have been saved. Your reference is PP-"
    )
    states = {r["file_name"]: r["state"] for r in await rows(world)}
    assert states == {"old-policy.pdf": "deleted", "new-policy.pdf": "live", "notes.txt": "live"}
    assert old.stored_name not in files_on_disk(settings)
    profile = await client.get(response.headers["location"])
    assert "Your changes to the documents have been saved" in profile.text
    assert "govuk-notification-banner--success" in profile.text
    receipt = profile.text[profile.text.index('id="receipt"') :]
    assert hashlib.sha256(PDF).hexdigest() in receipt
    assert hashlib.sha256(TEXT).hexdigest() in receipt
    # Each size said once: "74 bytes", never "74 bytes (74 bytes)".
    saved_table = receipt[: receipt.index("</table>")]
    assert saved_table.count(f"{len(PDF)} bytes") == 1
    assert "old-policy.pdf" in receipt  # listed as deleted
    documents_section = profile.text[profile.text.index('id="provider-documents"') :]
    assert "new-policy.pdf" in documents_section and "notes.txt" in documents_section
    assert "old-policy.pdf" not in documents_section
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action)]
    assert actions.count("document saved") == 2 and "document deleted" in actions


async def test_save_with_htmx_redirects_the_browser(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("a.pdf", PDF)])
    response = await client.post(f"{docs_url(world)}/save", htmx=True)
    assert response.headers["hx-redirect"].startswith(f"/events/{world.event.id}?done=")


async def test_save_leaves_other_users_changes_alone(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    theirs = await make.document(
        world.event, world.colleague, file_name="theirs.pdf", state="staged"
    )
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("mine.pdf", PDF)])
    await client.post(f"{docs_url(world)}/save")
    states = {r["file_name"]: r["state"] for r in await rows(world)}
    assert states == {"theirs.pdf": "staged", "mine.pdf": "live"}
    assert theirs.id


async def test_save_is_one_transaction(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make.world()
    old = await make.document(world.event, world.colleague, file_name="old.pdf")
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("new.pdf", PDF)])
    await client.post(f"{docs_url(world)}/{old.id}/delete")
    from portal import audit

    real = audit.record

    async def failing(action: str, **kwargs: Any) -> None:
        if action == "document deleted":
            raise RuntimeError("the database went away")
        await real(action, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    response = await client.post(f"{docs_url(world)}/save")
    assert response.status_code == 500
    states = {r["file_name"]: r["state"] for r in await rows(world)}
    assert states == {"old.pdf": "pending_delete", "new.pdf": "staged"}


async def test_cancel_discards_staged_changes_and_their_files(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    old = await make.document(world.event, world.colleague, file_name="keep-me.pdf")
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("never-mind.pdf", PDF)])
    await client.post(f"{docs_url(world)}/{old.id}/delete")
    response = await client.post(f"{docs_url(world)}/cancel")
    assert response.status_code == 303
    assert parse_qs(urlparse(response.headers["location"]).query)["done"] == [
        "Your changes to the documents have been cancelled"
    ]
    [row] = await rows(world)
    assert row["file_name"] == "keep-me.pdf" and row["state"] == "live"
    assert files_on_disk(settings) == [old.stored_name]


async def test_save_with_nothing_staged(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"{docs_url(world)}/save")
    assert "There+were+no+changes+to+save" in response.headers["location"]
    assert "receipt" not in response.headers["location"]


async def test_a_receipt_is_only_for_the_user_who_saved(
    client: PortalClient, limited_client: LimitedClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("mine.pdf", PDF)])
    location = (await client.post(f"{docs_url(world)}/save")).headers["location"]
    async with limited_client() as other:
        await other.sign_in_as(world.colleague)
        page = await other.get(location)
        assert 'id="receipt"' not in page.text


# --- Ofsted documents -----------------------------------------------------------------


async def test_inspector_publishes_a_draft_report(
    client: PortalClient,
    limited_client: LimitedClient,
    make: Factory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.documents import publishing, service

    calls: list[tuple[int, str]] = []

    async def published(event_id: int, kind: str, at: Any) -> None:
        calls.append((event_id, kind))

    monkeypatch.setattr(publishing, "published", published)
    world = await make.world()
    await client.sign_in_as(world.inspector)
    page = await client.get(docs_url(world, "ofsted"))
    assert "Documents Uploaded by Ofsted" in page.text
    assert "What kind of document is it?" in page.text
    response = await upload(
        client,
        docs_url(world, "ofsted"),
        [("Draft report.pdf", PDF)],
        data={"kind": "draft_report"},
    )
    assert response.status_code == 303
    [row] = await rows(world)
    assert (row["side"], row["kind"], row["state"]) == ("ofsted", "draft_report", "staged")
    assert not await service.has_published(world.event.id, "draft_report")
    async with limited_client() as provider:
        await provider.sign_in_as(world.provider_user)
        assert "Draft report.pdf" not in (await provider.get(f"/events/{world.event.id}")).text
        await client.post(f"{docs_url(world, 'ofsted')}/save")
        assert calls == [(world.event.id, "draft_report")]
        assert await service.has_published(world.event.id, "draft_report")
        assert not await service.has_published(world.event.id, "final_report")
        profile = await provider.get(f"/events/{world.event.id}")
        section = profile.text[profile.text.index('id="ofsted-documents"') :]
        assert "Draft report.pdf" in section and "Draft report" in section


async def test_saving_provider_documents_publishes_nothing(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.documents import publishing

    calls: list[str] = []

    async def published(event_id: int, kind: str, at: Any) -> None:
        calls.append(kind)

    monkeypatch.setattr(publishing, "published", published)
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    await upload(client, docs_url(world), [("a.pdf", PDF)])
    await client.post(f"{docs_url(world)}/save")
    assert calls == []
