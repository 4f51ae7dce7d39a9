"""The provider's users are told when the administrator changes their event's Ofsted
team: a member added, changed or removed, in the change's own transaction."""

from __future__ import annotations

import pytest

from portal.admin import notices, service
from portal.db.tables import OutgoingMail, TeamMember
from tests import outbox
from tests.client import PortalClient
from tests.factories import Factory
from tests.outbox import settings as settings  # the public address is outbox.BASE_URL


class Boom(Exception):
    pass


async def test_each_team_change_is_mailed_to_the_provider_users(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.admin)
    event = await make.event(world.provider)
    url = f"/admin/events/{event.id}/team"
    team_link = f"{outbox.BASE_URL}/events/{event.id}#ofsted-team"

    async def changes() -> list[str]:
        mails = await outbox.queued()
        assert {mail.to for mail in mails} == {world.provider_user.email, world.colleague.email}
        assert len(mails) == 2
        for mail in mails:
            assert mail.subject == f"The Ofsted team for {event.event_ref} has changed"
            outbox.only_links_to(mail, team_link)
        await OutgoingMail.delete(force=True)
        return [line for line in mails[0].text.splitlines() if line.startswith("• ")]

    await client.post(url, {"username": world.lead.username, "team_role": "lead"})
    assert await changes() == ["• Helen Carter HMI has joined the team as lead inspector"]
    member = await TeamMember.objects().where(TeamMember.event == event.id).first()
    await client.post(f"{url}/{member.id}", {"team_role": "team", "pen_portrait": ""})
    assert await changes() == ["• Helen Carter HMI is now the team inspector"]
    await client.post(f"{url}/{member.id}", {"team_role": "team", "pen_portrait": "Reading."})
    assert await changes() == [
        "• Helen Carter HMI’s pen portrait (team inspector) has been updated"
    ]
    await client.post(f"{url}/{member.id}/remove", {})
    assert await changes() == ["• Helen Carter HMI is no longer on the team"]

    # A refused change (a second lead) writes nothing and mails no one.
    await client.post(url, {"username": world.inspector.username, "team_role": "lead"})
    await OutgoingMail.delete(force=True)
    await client.post(url, {"username": world.outsider.username, "team_role": "lead"})
    assert await OutgoingMail.count() == 0
    assert await outbox.to(world.other_provider_user.email) == []


async def test_a_team_change_that_rolls_back_mails_no_one(
    make: Factory, monkeypatch: pytest.MonkeyPatch, client: PortalClient
) -> None:
    world = await make.world()
    event = await make.event(world.provider)
    real = notices.notify.send

    async def send_then_fail(*args: object, **values: object) -> None:
        await real(*args, **values)  # type: ignore[arg-type]
        raise Boom

    monkeypatch.setattr(notices.notify, "send", send_then_fail)
    with pytest.raises(Boom):
        await service.add_team_member(
            event_id=event.id,
            username=world.lead.username,
            team_role="lead",
            pen_portrait="",
            actor_id=world.admin.id,
        )
    assert await TeamMember.count().where(TeamMember.event == event.id) == 0
    assert await OutgoingMail.count() == 0
