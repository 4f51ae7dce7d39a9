"""Who each recipient list names: active users with an address, each once."""

from __future__ import annotations

from portal import notify
from portal.db.tables import TeamMember, User
from tests.factories import Factory


async def test_provider_users_are_the_events_providers_active_users(make: Factory) -> None:
    world = await make.world()
    gone = await make.user("provider", world.provider, active=False)
    found = await notify.provider_users(world.event.id)
    assert found == [
        notify.Recipient(world.provider_user.email, world.provider_user.display_name),
        notify.Recipient(world.colleague.email, world.colleague.display_name),
    ]
    assert gone.email not in {r.email for r in found}
    assert await notify.provider_users(world.other_event.id) == [
        notify.Recipient(world.other_provider_user.email, world.other_provider_user.display_name)
    ]
    assert await notify.provider_users(999_999) == []


async def test_lead_inspectors_are_the_active_leads_of_the_team(make: Factory) -> None:
    world = await make.world()
    assert await notify.lead_inspectors(world.event.id) == [
        notify.Recipient(world.lead.email, "Helen Carter HMI")
    ]
    await User.update({User.active: False}).where(User.id == world.lead.id)
    assert await notify.lead_inspectors(world.event.id) == []
    await TeamMember.delete().where(TeamMember.user == world.outsider.id)
    assert await notify.lead_inspectors(world.other_event.id) == []


async def test_support_admins_and_one_user(make: Factory) -> None:
    world = await make.world()
    second = await make.user("admin", email=world.admin.email.upper())  # the same mailbox
    await make.user("admin", active=False)
    assert await notify.support_admins() == [
        notify.Recipient(world.admin.email, world.admin.display_name)
    ]
    assert second.id
    assert await notify.user(world.inspector.id) == [
        notify.Recipient(world.inspector.email, "David Okafor OI")
    ]
    await User.update({User.active: False}).where(User.id == world.inspector.id)
    assert await notify.user(world.inspector.id) == []
    assert await notify.user(999_999) == []
