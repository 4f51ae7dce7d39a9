"""Code of conduct rules, as the provider, the lead inspector and the team see them."""

from __future__ import annotations

from portal.conduct.routes import CONCERN_ANSWERED, REQUEST_ANSWERED
from portal.conduct.tables import Concern, ConductReading, EvidenceConfirmation
from portal.db.tables import AuditEvent, OutgoingMail
from tests.client import PortalClient
from tests.factories import Factory


async def test_code_of_conduct_page_links_to_gov_uk(client: PortalClient, make: Factory) -> None:
    page = (await client.get("/code-of-conduct")).text
    assert "https://www.gov.uk/government/publications/ofsted-code-of-conduct" in page
    assert "What inspectors will do" in page and "What providers are expected to do" in page


async def test_provider_confirms_reading_and_lead_sees_it(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert 'href="/code-of-conduct"' in profile
    assert "I have read the code of conduct" in profile
    fragment = await client.post(f"/events/{world.event.id}/code-of-conduct/read", {}, htmx=True)
    assert "You confirmed that you have read the code of conduct on" in fragment.text
    assert "<html" not in fragment.text
    again = await client.post(f"/events/{world.event.id}/code-of-conduct/read", {})
    assert again.status_code == 303
    assert await ConductReading.count().where(ConductReading.event == world.event.id) == 1
    await client.sign_in_as(world.lead)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert f"{world.provider_user.display_name} confirmed they have read it on" in profile


async def test_provider_raises_concern_and_lead_is_emailed(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    empty = await client.post(f"/events/{world.event.id}/concerns", {"concern": "  "})
    assert empty.status_code == 200 and "Enter your concern" in empty.text
    too_long = await client.post(
        f"/events/{world.event.id}/concerns", {"concern": "x" * 2001}, htmx=True
    )
    assert "Your concern must be 2000 characters or fewer" in too_long.text
    assert "<html" not in too_long.text
    response = await client.post(
        f"/events/{world.event.id}/concerns", {"concern": "An inspector interrupted a lesson."}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/events/{world.event.id}?done=")
    row = await Concern.objects().where(Concern.event == world.event.id).first()
    assert row.raised_by == world.provider_user.id and row.responded_at is None
    mail = await OutgoingMail.objects().where(OutgoingMail.to_address == world.lead.email).first()
    assert mail is not None and "An inspector interrupted a lesson." in mail.text_body
    assert f"/events/{world.event.id}/concerns/{row.id}" in mail.text_body
    assert not await OutgoingMail.exists().where(OutgoingMail.to_address == world.inspector.email)
    assert await AuditEvent.exists().where(AuditEvent.action == "concern raised")


async def test_lead_responds_once_and_everyone_sees_it(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    concern = Concern(event=world.event.id, raised_by=world.provider_user.id, text="Too rushed.")
    await concern.save()
    url = f"/events/{world.event.id}/concerns/{concern.id}/response"
    await client.sign_in_as(world.inspector)
    assert (await client.post(url, {"response": "a", "action": "b"})).status_code == 403
    await client.sign_in_as(world.lead)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert "Too rushed." in profile and "Send response" in profile
    invalid = await client.post(url, {"response": "Sorry.", "action": ""}, htmx=True)
    assert "Enter the action taken" in invalid.text and "Sorry." in invalid.text
    done = await client.post(
        url, {"response": "We will slow down.", "action": "Spoke to the team."}, htmx=True
    )
    assert done.status_code == 200 and "<html" not in done.text
    assert "We will slow down." in done.text and "Send response" not in done.text
    # Already answered: nothing changes, and the card says so (the fragment for htmx,
    # the page for a plain form), view only.
    repeat = await client.post(url, {"response": "Changed", "action": "Changed"}, htmx=True)
    assert repeat.status_code == 200 and "<html" not in repeat.text
    assert CONCERN_ANSWERED in repeat.text and "We will slow down." in repeat.text
    assert "Changed" not in repeat.text and "Send response" not in repeat.text
    plain = await client.post(url, {"response": "Changed", "action": ""})
    assert plain.status_code == 200 and "<html" in plain.text
    assert CONCERN_ANSWERED in plain.text and "We will slow down." in plain.text
    assert "Enter the action taken" not in plain.text and "Send response" not in plain.text
    assert CONCERN_ANSWERED not in (await client.get(url.removesuffix("/response"))).text
    row = await Concern.objects().where(Concern.id == concern.id).first()
    assert row.response == "We will slow down." and row.responded_by == world.lead.id
    for who in (world.provider_user, world.inspector):
        await client.sign_in_as(who)
        profile = (await client.get(f"/events/{world.event.id}")).text
        assert "Too rushed." in profile and "We will slow down." in profile
        assert "Spoke to the team." in profile


async def test_provider_adds_a_follow_up(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    first = Concern(event=world.event.id, raised_by=world.provider_user.id, text="First.")
    await first.save()
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{world.event.id}/concerns/new?follow_up_of={first.id}")).text
    assert "Add a follow-up to concern 1" in page
    await client.post(
        f"/events/{world.event.id}/concerns", {"concern": "More.", "follow_up_of": str(first.id)}
    )
    follow = await Concern.objects().where(Concern.text == "More.").first()
    assert follow.follow_up_of == first.id
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert "Concern 2 (follow-up to concern 1)" in profile


async def test_evidence_confirmation_requested_and_answered(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.inspector)
    response = await client.post(
        f"/events/{world.event.id}/evidence-confirmations", {"message": "Safeguarding records."}
    )
    assert response.status_code == 303
    request = await EvidenceConfirmation.objects().first()
    assert request.requested_by == world.inspector.id
    mail = (
        await OutgoingMail.objects()
        .where(OutgoingMail.to_address == world.provider_user.email)
        .first()
    )
    assert mail is not None and "Safeguarding records." in mail.text_body
    assert f"/events/{world.event.id}/evidence-confirmations/{request.id}" in mail.text_body
    url = f"/events/{world.event.id}/evidence-confirmations/{request.id}/answer"
    await client.sign_in_as(world.provider_user)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert "Safeguarding records." in profile and "Send answer" in profile
    missing = await client.post(url, {"answer": "outstanding", "outstanding": ""}, htmx=True)
    assert "Enter what is still outstanding" in missing.text
    ok = await client.post(url, {"answer": "outstanding", "outstanding": "Minutes of governors."})
    assert ok.status_code == 303
    repeat = await client.post(url, {"answer": "all_provided"}, htmx=True)
    assert repeat.status_code == 200 and "<html" not in repeat.text
    assert REQUEST_ANSWERED in repeat.text and "Minutes of governors." in repeat.text
    assert "Send answer" not in repeat.text
    plain = await client.post(url, {"answer": "all_provided"})
    assert plain.status_code == 200 and "<html" in plain.text
    assert REQUEST_ANSWERED in plain.text and "Send answer" not in plain.text
    row = await EvidenceConfirmation.objects().where(EvidenceConfirmation.id == request.id).first()
    assert (row.answer, row.outstanding, row.answered_by) == (
        "outstanding",
        "Minutes of governors.",
        world.provider_user.id,
    )
    await client.sign_in_as(world.lead)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert "Minutes of governors." in profile and "Some evidence is still outstanding" in profile


async def test_evidence_record_page_and_download(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await Concern(
        event=world.event.id, raised_by=world.provider_user.id, text='=HYPERLINK("x")'
    ).save()
    await EvidenceConfirmation(event=world.event.id, requested_by=world.lead.id).save()
    await client.sign_in_as(world.admin)
    page = (await client.get(f"/events/{world.event.id}/evidence-record")).text
    assert "Concern 1 raised" in page and "Evidence confirmation requested" in page
    download = await client.get(f"/events/{world.event.id}/evidence-record/download")
    assert download.headers["content-type"].startswith("text/csv")
    disposition = download.headers["content-disposition"]
    assert (
        disposition.startswith("attachment")
        and f"evidence-record-{world.event.event_ref}.csv" in disposition
    )
    assert download.headers["cache-control"] == "private, no-store"
    assert download.text.startswith("\ufeffEvent ID,When (UTC),What,Who,Details")
    assert "'=HYPERLINK" in download.text  # never a live formula in a spreadsheet
    assert world.event.event_ref in download.text


async def test_complaints_information_after_final_report(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    link = "https://www.gov.uk/government/publications/complaints-about-ofsted"
    assert link not in (await client.get(f"/events/{world.event.id}")).text
    await make.document(world.event, world.lead, side="ofsted", kind="final_report", state="staged")
    assert link not in (await client.get(f"/events/{world.event.id}")).text
    await make.document(world.event, world.lead, side="ofsted", kind="final_report")
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert link in profile and "If you want to make a complaint" in profile
    assert "it is your responsibility to have acted in line" in profile
