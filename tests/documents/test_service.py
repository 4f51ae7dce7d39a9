"""Document rules without HTTP: visibility, limits, staging, Save, Cancel, publishing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.db.tables import Document
from portal.documents import service
from portal.documents.storage import StoredFile
from portal.documents.storage_disk import DiskStore
from portal.settings import Settings
from portal.validation import Refused
from portal.web.access import load_event_access
from tests.factories import Factory


def store(settings: Settings) -> DiskStore:
    return DiskStore(settings.files_dir)


async def test_documents_for_shows_saved_and_own_staged_only(make: Factory) -> None:
    world = await make.world()
    await make.document(world.event, world.colleague, file_name="saved.pdf")
    await make.document(world.event, world.provider_user, file_name="mine.pdf", state="staged")
    await make.document(world.event, world.colleague, file_name="theirs.pdf", state="staged")
    await make.document(world.event, world.lead, file_name="ofsted.pdf", side="ofsted")
    await make.document(world.event, world.colleague, file_name="gone.pdf", state="deleted")
    access = await load_event_access(world.provider_user, world.event.id)
    listed = {
        row["file_name"]: row["not_saved"]
        for row in await service.documents_for(access, "provider")
    }
    assert listed == {"saved.pdf": False, "mine.pdf": True}


async def test_usage_counts_staged_uploads_but_not_ones_own_deletes(make: Factory) -> None:
    world = await make.world()
    await make.document(world.event, world.colleague, content=b"%PDF-" + b"a" * 95)
    await make.document(world.event, world.colleague, content=b"%PDF-" + b"b" * 45, state="staged")
    mine = await make.document(world.event, world.provider_user, content=b"%PDF-" + b"c" * 15)
    await Document.update(
        {Document.state: "pending_delete", Document.staged_by: world.provider_user.id}
    ).where(Document.id == mine.id)
    await make.document(world.event, world.lead, side="ofsted", content=b"%PDF-" + b"d" * 1000)
    access = await load_event_access(world.provider_user, world.event.id)
    assert await service.usage(access, "provider") == service.Usage(count=2, total_bytes=150)
    colleague = await load_event_access(world.colleague, world.event.id)
    assert (await service.usage(colleague, "provider")).count == 3


async def _stored(files: DiskStore, content: bytes) -> StoredFile:
    async def chunks() -> AsyncIterator[bytes]:
        yield content

    return await files.save(chunks(), max_bytes=len(content))


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (
            service.Limits(max_files=2, quota_bytes=10_000, file_bytes=10_000),
            "You can upload up to 2 documents for this inspection. "
            "Delete a document before you upload another",
        ),
        (
            service.Limits(max_files=10, quota_bytes=300, file_bytes=10_000),
            "cannot be uploaded: the documents for this inspection must be 1 KB or less in total",
        ),
    ],
)
async def test_two_users_staging_at_the_limit_at_once_cannot_both_get_in(
    make: Factory, settings: Settings, limits: service.Limits, message: str
) -> None:
    # Both passed the check made before their files streamed in; only one may stage.
    world = await make.world()
    await make.document(world.event, world.lead, content=b"%PDF-" + b"a" * 95)
    files = store(settings)
    mine = await load_event_access(world.provider_user, world.event.id)
    theirs = await load_event_access(world.colleague, world.event.id)
    first = await _stored(files, b"%PDF-" + b"b" * 145)
    second = await _stored(files, b"%PDF-" + b"c" * 145)
    outcomes = await asyncio.gather(
        *(
            service.stage_upload(
                access,
                "provider",
                stored,
                file_name=name,
                content_type="application/pdf",
                limits=limits,
            )
            for access, stored, name in [(mine, first, "mine.pdf"), (theirs, second, "theirs.pdf")]
        ),
        return_exceptions=True,
    )
    [refused] = [o for o in outcomes if isinstance(o, Refused)]
    assert refused.field == "file"
    assert message in refused.message
    assert sum(isinstance(o, Document) for o in outcomes) == 1
    staged = await Document.select(Document.file_name).where(Document.state == "staged")
    assert len(staged) == 1
    assert (await service.usage(mine, "provider")).count == 2


async def test_staging_within_the_limits_is_allowed_up_to_them_exactly(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    access = await load_event_access(world.provider_user, world.event.id)
    stored = await _stored(store(settings), b"%PDF-" + b"b" * 95)
    row = await service.stage_upload(
        access,
        "provider",
        stored,
        file_name="exact.pdf",
        content_type="application/pdf",
        limits=service.Limits(max_files=1, quota_bytes=100, file_bytes=100),
    )
    assert (row.state, row.size) == ("staged", 100)


async def test_a_second_user_cannot_stage_the_same_delete(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.lead, file_name="shared.pdf")
    mine = await load_event_access(world.provider_user, world.event.id)
    theirs = await load_event_access(world.colleague, world.event.id)
    first = await service.stage_delete(mine, "provider", doc, store(settings))
    assert first.ok
    again = await Document.objects().where(Document.id == doc.id).first()
    assert again is not None
    second = await service.stage_delete(theirs, "provider", again, store(settings))
    assert not second.ok
    assert "already deleted" in second.message
    # The colleague's Save does not apply the first user's staged delete.
    await service.save(theirs, "provider", store(settings))
    row = await Document.objects().where(Document.id == doc.id).first()
    assert row is not None and row.state == "pending_delete"


async def test_save_and_cancel_touch_only_one_side(make: Factory, settings: Settings) -> None:
    world = await make.world()
    # An inspector's staged Ofsted document and an admin-free provider upload.
    ofsted = await make.document(
        world.event, world.lead, side="ofsted", kind="letter", state="staged"
    )
    lead = await load_event_access(world.lead, world.event.id)
    result = await service.save(lead, "provider", store(settings))
    assert result.receipt_id is None
    assert (await Document.objects().where(Document.id == ofsted.id).first()).state == "staged"
    assert await service.cancel(lead, "ofsted", store(settings)) == 1
    assert await Document.count().where(Document.id == ofsted.id) == 0


async def test_has_published(
    make: Factory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.documents import publishing

    seen: list[tuple[str, Any]] = []

    async def published(event_id: int, kind: str, at: Any) -> None:
        seen.append((kind, at))

    monkeypatch.setattr(publishing, "published", published)
    world = await make.world()
    assert not await service.has_published(world.event.id, "final_report")
    await make.document(world.event, world.lead, side="ofsted", kind="final_report", state="staged")
    assert not await service.has_published(world.event.id, "final_report")
    lead = await load_event_access(world.lead, world.event.id)
    result = await service.save(lead, "ofsted", store(settings))
    assert [doc.kind for doc in result.uploaded] == ["final_report"]
    assert await service.has_published(world.event.id, "final_report")
    assert not await service.has_published(world.other_event.id, "final_report")
    assert [kind for kind, _at in seen] == ["final_report"]
    assert seen[0][1] is not None


async def test_receipt_lists_what_was_saved(make: Factory, settings: Settings) -> None:
    world = await make.world()
    old = await make.document(world.event, world.colleague, file_name="old.pdf")
    new = await make.document(world.event, world.provider_user, file_name="new.pdf", state="staged")
    access = await load_event_access(world.provider_user, world.event.id)
    await service.stage_delete(access, "provider", old, store(settings))
    result = await service.save(access, "provider", store(settings))
    receipt = await service.receipt(access, str(result.receipt_id))
    assert receipt is not None
    assert [(d["file_name"], d["sha256"]) for d in receipt.uploaded] == [("new.pdf", new.sha256)]
    assert [d["file_name"] for d in receipt.deleted] == ["old.pdf"]
    colleague = await load_event_access(world.colleague, world.event.id)
    assert await service.receipt(colleague, str(result.receipt_id)) is None
    assert await service.receipt(access, "not-a-number") is None
