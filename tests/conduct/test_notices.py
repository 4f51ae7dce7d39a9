"""The code of conduct's mails, through the routes: who is told, what they read, where
the link goes (PORTAL_BASE_URL), and what the provider is told happened."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.conduct import notices, service
from portal.conduct.tables import Concern, EvidenceConfirmation
from portal.db.tables import OutgoingMail, TeamMember
from portal.web.access import load_event_access
from tests import outbox
from tests.client import PortalClient
from tests.factories import Factory
from tests.outbox import settings as settings  # the public address is outbox.BASE_URL


class Boom(Exception):
    pass


def banner(response_location: str) -> str:
    return parse_qs(urlsplit(response_location).query).get("done", [""])[0]


async def test_a_concern_goes_to_the_lead_inspector(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    form = await client.get(f"/events/{world.event.id}/concerns/new")
    assert "Tell the lead inspector if you think" in form.text
    response = await client.post(
        f"/events/{world.event.id}/concerns", {"concern": "An inspector interrupted a lesson."}
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Your concern has been sent to the lead inspector" in page.text
    concern = await Concern.objects().first()
    [mail] = await outbox.queued()
    assert mail.to == world.lead.email
    assert mail.subject == f"A concern has been raised on {world.event.event_ref}"
    assert f"{world.provider_user.display_name} of Oakfield Primary School" in mail.text
    assert "An inspector interrupted a lesson." in mail.text
    assert "record your response and the action taken" in mail.text
    outbox.only_links_to(mail, f"{outbox.BASE_URL}/events/{world.event.id}/concerns/{concern.id}")


async def test_with_no_lead_a_concern_goes_to_the_administrators_and_says_so(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    second_admin = await make.user("admin")
    await TeamMember.delete().where(
        (TeamMember.event == world.event.id) & (TeamMember.team_role == "lead")
    )
    await client.sign_in_as(world.provider_user)
    form = await client.get(f"/events/{world.event.id}/concerns/new")
    assert "No lead inspector has been named for this inspection yet" in form.text
    assert "Tell the lead inspector" not in form.text
    response = await client.post(
        f"/events/{world.event.id}/concerns", {"concern": "Nobody introduced themselves."}
    )
    page = await client.get(response.headers["location"])
    assert "sent to the lead inspector" not in page.text
    assert (
        "Your concern has been sent to Ofsted’s support administrators, because no lead "
        "inspector has been named yet" in page.text
    )
    mails = await outbox.queued()
    assert sorted(mail.to for mail in mails) == sorted([world.admin.email, second_admin.email])
    for mail in mails:
        assert "the event has no lead inspector" in mail.subject
        assert "Nobody introduced themselves." in mail.text
        assert "Add a lead inspector to the event’s Ofsted team" in mail.text
        outbox.only_links_to(mail)
    assert await outbox.to(world.inspector.email) == []


async def test_a_response_is_mailed_to_the_provider_users(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    concern = Concern(event=world.event.id, raised_by=world.provider_user.id, text="Too rushed.")
    await concern.save()
    await client.sign_in_as(world.lead)
    response = await client.post(
        f"/events/{world.event.id}/concerns/{concern.id}/response",
        {"response": "I am sorry: we ran late.", "action": "We will keep to the timetable."},
    )
    assert response.status_code == 303
    mails = await outbox.queued()
    assert sorted(mail.to for mail in mails) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    for mail in mails:
        assert mail.subject == f"Your concern on {world.event.event_ref} has a response"
        assert "Helen Carter HMI, the lead inspector, has responded" in mail.text
        assert "I am sorry: we ran late." in mail.text
        assert "We will keep to the timetable." in mail.text
        outbox.only_links_to(
            mail, f"{outbox.BASE_URL}/events/{world.event.id}#concern-{concern.id}"
        )
    # A second response writes nothing and mails no one.
    await client.post(
        f"/events/{world.event.id}/concerns/{concern.id}/response",
        {"response": "Again", "action": "Again"},
    )
    assert await OutgoingMail.count() == 2


async def test_evidence_requested_then_answered(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.inspector)
    await client.post(
        f"/events/{world.event.id}/evidence-confirmations", {"message": "Safeguarding records."}
    )
    request = await EvidenceConfirmation.objects().first()
    asked = await outbox.queued()
    assert sorted(mail.to for mail in asked) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    for mail in asked:
        assert mail.subject == (
            f"Confirm you have provided all relevant evidence for {world.event.event_ref}"
        )
        assert "David Okafor OI asks you to confirm" in mail.text
        assert "Safeguarding records." in mail.text
        outbox.only_links_to(
            mail, f"{outbox.BASE_URL}/events/{world.event.id}/evidence-confirmations/{request.id}"
        )
    await OutgoingMail.delete(force=True)

    await client.sign_in_as(world.provider_user)
    await client.post(
        f"/events/{world.event.id}/evidence-confirmations/{request.id}/answer",
        {"answer": "outstanding", "outstanding": "Minutes of governors."},
    )
    [answered] = await outbox.queued()
    assert answered.to == world.inspector.email  # the inspector who asked, not the lead
    assert answered.subject == (
        f"Oakfield Primary School has answered your evidence confirmation request "
        f"({world.event.event_ref})"
    )
    assert "Some evidence is still outstanding" in answered.text
    assert "Minutes of governors." in answered.text
    outbox.only_links_to(
        answered, f"{outbox.BASE_URL}/events/{world.event.id}#evidence-{request.id}"
    )


async def test_a_concern_that_rolls_back_leaves_no_concern_and_no_mail(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make.world()
    real = notices.notify.send

    async def send_then_fail(*args: object, **values: object) -> None:
        await real(*args, **values)  # type: ignore[arg-type]
        raise Boom

    monkeypatch.setattr(notices.notify, "send", send_then_fail)
    access = await load_event_access(world.provider_user, world.event.id)
    with pytest.raises(Boom):
        await service.raise_concern(access, "Lost in the rollback.", follow_up_of=None)
    assert await Concern.count() == 0
    assert await OutgoingMail.count() == 0
