"""Published reports are records (documents/versions.py), without HTTP: a draft or final
report once published is never deleted; saving another publishes its next version and
the one before stays, superseded; the accuracy check keeps the version it is about."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accuracy import service as accuracy
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import AuditEvent, Document, Event, User
from portal.documents import service
from portal.documents.storage_disk import DiskStore
from portal.settings import Settings
from portal.validation import Refused
from portal.web.access import load_event_access
from tests.factories import Factory, World

# The app is built for every test here: publishing a draft report queues mail whose
# links are built from its routes.
pytestmark = pytest.mark.usefixtures("app")


async def publish(
    make: Factory, settings: Settings, event: Event, who: User, kind: str, name: str
) -> Document:
    """Upload (staged) and Save, as the Ofsted documents screen does."""
    staged = await make.document(
        event, who, side="ofsted", kind=kind, file_name=name, state="staged"
    )
    access = await load_event_access(who, event.id)
    await service.save(access, "ofsted", DiskStore(settings.files_dir))
    return staged


async def row(document: Document) -> dict[str, Any]:
    found = await Document.select().where(Document.id == document.id).first()
    assert found is not None
    return found


async def audit_details(event_id: int, action: str) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.event == event_id) & (AuditEvent.action == action)
    )
    return [r["detail"] for r in rows]


async def check_report(world: World) -> int | None:
    found = await AccuracyCheck.select(AccuracyCheck.report_document).where(
        AccuracyCheck.event == world.event.id
    )
    return found[0]["report_document"] if found else None


async def test_a_second_draft_report_is_version_2_and_the_first_is_superseded(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    first = await publish(make, settings, world.event, world.lead, "draft_report", "v1.pdf")
    stored = await row(first)
    assert (stored["state"], stored["version"], stored["superseded_at"]) == ("live", 1, None)
    assert await check_report(world) == first.id  # the check opened on version 1

    second = await publish(make, settings, world.event, world.lead, "draft_report", "v2.pdf")
    old, new = await row(first), await row(second)
    assert (new["state"], new["version"]) == ("live", 2)
    assert old["state"] == "superseded" and old["version"] == 1
    assert old["superseded_at"] is not None
    assert (settings.files_dir / old["stored_name"]).exists()  # kept, downloadable
    provider = await load_event_access(world.provider_user, world.event.id)
    assert await service.find_visible(provider, first.id) is not None
    # The open check is now about version 2.
    assert await check_report(world) == second.id
    assert await audit_details(world.event.id, "report published") == [
        f"draft report version 1: ofsted document {first.id} 'v1.pdf'",
        f"draft report version 2: ofsted document {second.id} 'v2.pdf'",
    ]
    assert await audit_details(world.event.id, "report superseded") == [
        f"draft report version 1: ofsted document {first.id} 'v1.pdf', superseded by version 2"
    ]
    # The screen lists both, the earlier one marked; neither can be deleted.
    lead = await load_event_access(world.lead, world.event.id)
    listed = {
        r["file_name"]: (r["superseded"], r["record"], r["version"])
        for r in await service.documents_for(lead, "ofsted")
    }
    assert listed == {"v1.pdf": (True, True, 1), "v2.pdf": (False, True, 2)}


async def test_versions_are_counted_per_event_and_per_kind(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await publish(make, settings, world.event, world.lead, "draft_report", "draft.pdf")
    await publish(make, settings, world.event, world.lead, "draft_report", "draft 2.pdf")
    final = await publish(make, settings, world.event, world.lead, "final_report", "final.pdf")
    other = await publish(
        make, settings, world.other_event, world.outsider, "draft_report", "o.pdf"
    )
    letter = await publish(make, settings, world.event, world.lead, "letter", "letter.pdf")
    assert (await row(final))["version"] == 1
    assert (await row(other))["version"] == 1
    assert (await row(letter))["version"] is None


async def test_a_published_draft_report_is_never_deleted(make: Factory, settings: Settings) -> None:
    world = await make.world()
    first = await publish(make, settings, world.event, world.lead, "draft_report", "v1.pdf")
    lead = await load_event_access(world.lead, world.event.id)
    files = DiskStore(settings.files_dir)
    with pytest.raises(Refused) as refused:
        await service.stage_delete(
            lead, "ofsted", await Document.objects().get(Document.id == first.id), files
        )
    assert refused.value.field == "kind"
    assert refused.value.message == (
        "You cannot delete ‘v1.pdf’ because the draft report has been published and the "
        "factual accuracy check has started. To replace it, upload the new version as a "
        "draft report and select Save."
    )
    assert (await row(first))["state"] == "live"  # nothing written

    # Its earlier version, once superseded, is not deleted either.
    await publish(make, settings, world.event, world.lead, "draft_report", "v2.pdf")
    superseded = await Document.objects().get(Document.id == first.id)
    with pytest.raises(Refused) as refused:
        await service.stage_delete(lead, "ofsted", superseded, files)
    assert "earlier version of the draft report" in refused.value.message
    assert (await row(first))["state"] == "superseded"
    assert len(await audit_details(world.event.id, "document delete refused")) == 2


async def test_a_final_report_once_published_is_a_record_too(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    first = await publish(make, settings, world.event, world.lead, "final_report", "f1.pdf")
    second = await publish(make, settings, world.event, world.lead, "final_report", "f2.pdf")
    assert (await row(first))["state"] == "superseded"
    assert ((await row(second))["state"], (await row(second))["version"]) == ("live", 2)
    lead = await load_event_access(world.lead, world.event.id)
    with pytest.raises(Refused) as refused:
        await service.stage_delete(
            lead,
            "ofsted",
            await Document.objects().get(Document.id == second.id),
            DiskStore(settings.files_dir),
        )
    assert refused.value.message.startswith(
        "You cannot delete ‘f2.pdf’ because the final report has been published. "
    )
    assert (await row(second))["state"] == "live"


async def test_before_it_is_published_a_report_can_be_removed(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    staged = await make.document(
        world.event, world.lead, side="ofsted", kind="draft_report", state="staged"
    )
    lead = await load_event_access(world.lead, world.event.id)
    result = await service.stage_delete(lead, "ofsted", staged, DiskStore(settings.files_dir))
    assert result.ok
    assert await Document.count().where(Document.id == staged.id) == 0
    # Other Ofsted documents are deleted as before.
    letter = await make.document(world.event, world.lead, side="ofsted", kind="letter")
    result = await service.stage_delete(lead, "ofsted", letter, DiskStore(settings.files_dir))
    assert result.ok and (await row(letter))["state"] == "pending_delete"


async def test_a_delete_staged_before_reports_were_records_is_not_made_at_save(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    report = await make.document(
        world.event, world.lead, side="ofsted", kind="draft_report", state="pending_delete"
    )
    letter = await make.document(
        world.event, world.lead, side="ofsted", kind="letter", state="pending_delete"
    )
    lead = await load_event_access(world.lead, world.event.id)
    result = await service.save(lead, "ofsted", DiskStore(settings.files_dir))
    assert [doc.id for doc in result.deleted] == [letter.id]
    assert (await row(report))["state"] == "live"
    assert (await row(report))["staged_by"] is None
    assert (await row(letter))["state"] == "deleted"
    assert (settings.files_dir / report.stored_name).exists()


async def test_a_completed_check_keeps_the_version_it_was_completed_on(
    make: Factory, settings: Settings
) -> None:
    world = await make.world()
    first = await publish(make, settings, world.event, world.lead, "draft_report", "v1.pdf")
    await AccuracyCheck.update({AccuracyCheck.status: "completed"}).where(
        AccuracyCheck.event == world.event.id
    )
    await publish(make, settings, world.event, world.lead, "draft_report", "v2.pdf")
    assert await check_report(world) == first.id
    report = await accuracy.draft_report(world.event.id, await accuracy.find(world.event.id))
    assert report is not None
    assert (report["id"], report["file_name"], report["version"], report["state"]) == (
        first.id,
        "v1.pdf",
        1,
        "superseded",
    )
