"""The console's pages: each rule, what the administrator sees, and what is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.admin import service
from portal.db.tables import AuditEvent, Event, OutgoingMail, Provider, TeamMember, User
from portal.validation import Refused
from tests.client import PortalClient
from tests.factories import Factory


async def _admin(client: PortalClient, make: Factory):
    world = await make.world()
    await client.sign_in_as(world.admin)
    return world


async def test_admin_home_links_every_area(client: PortalClient, make: Factory) -> None:
    await _admin(client, make)
    page = (await client.get("/admin")).text
    for href in [
        "/admin/providers",
        "/admin/events",
        "/admin/users",
        "/admin/audit",
        "/admin/surveys",
    ]:
        assert f'href="{href}"' in page


async def test_admin_creates_provider_and_sees_errors_with_values_kept(
    client: PortalClient, make: Factory
) -> None:
    await _admin(client, make)
    response = await client.post(
        "/admin/providers", {"name": "Brook School", "urn": "", "address": ""}
    )
    assert response.status_code == 200
    assert "<title>Error: Create a provider" in response.text
    assert "Enter the unique reference number (URN)" in response.text
    assert 'value="Brook School"' in response.text
    response = await client.post(
        "/admin/providers", {"name": "Brook School", "urn": "b123", "address": "1 Brook Lane"}
    )
    assert response.status_code == 303
    row = await Provider.objects().where(Provider.urn == "B123").first()
    assert row is not None and row.name == "Brook School"
    assert response.headers["location"].startswith(f"/admin/providers/{row.id}")
    assert await AuditEvent.exists().where(AuditEvent.action == "provider created")
    again = await client.post("/admin/providers", {"name": "Other", "urn": "B123", "address": "x"})
    assert "A provider with this URN already exists" in again.text


async def test_admin_edits_provider(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    url = f"/admin/providers/{world.provider.id}"
    page = await client.get(url)
    assert "Oakfield Primary School" in page.text and world.event.event_ref in page.text
    response = await client.post(
        url, {"name": "Oakfield Academy", "urn": world.provider.urn, "address": "2 New Road"}
    )
    assert response.status_code == 303
    row = await Provider.objects().where(Provider.id == world.provider.id).first()
    assert (row.name, row.address) == ("Oakfield Academy", "2 New Road")
    clash = await client.post(url, {"name": "X", "urn": world.other_provider.urn, "address": "y"})
    assert "A provider with this URN already exists" in clash.text


async def test_admin_searches_providers(client: PortalClient, make: Factory) -> None:
    await _admin(client, make)
    page = (await client.get("/admin/providers?q=hillside")).text
    assert "Hillside Nursery" in page and "Oakfield Primary School" not in page
    fragment = await client.get("/admin/providers?q=oak", htmx=True)
    assert "<html" not in fragment.text and "Oakfield Primary School" in fragment.text


def _event_form(**changes: str) -> dict[str, str]:
    start = date.today() + timedelta(days=7)
    form = {
        "provider_urn": "",
        "event_ref": "INS-2027-0001",
        "event_type": "inspection",
        "start-day": str(start.day),
        "start-month": str(start.month),
        "start-year": str(start.year),
        "end-day": str(start.day),
        "end-month": str(start.month),
        "end-year": str(start.year),
    }
    form.update(changes)
    return form


async def test_admin_creates_event(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    bad = await client.post(
        "/admin/events",
        _event_form(provider_urn="NOPE", event_type="", **{"end-day": "31", "end-month": "2"}),
    )
    assert bad.status_code == 200
    for message in [
        "There is no provider with this URN",
        "Select the type of event",
        "End date must be a real date",
    ]:
        assert message in bad.text
    assert 'value="INS-2027-0001"' in bad.text
    response = await client.post("/admin/events", _event_form(provider_urn=world.provider.urn))
    assert response.status_code == 303
    row = await Event.objects().where(Event.event_ref == "INS-2027-0001").first()
    assert row is not None and row.provider == world.provider.id and row.status == "open"
    duplicate = await client.post("/admin/events", _event_form(provider_urn=world.provider.urn))
    assert "An event with this event ID already exists" in duplicate.text
    backwards = await client.post(
        "/admin/events",
        _event_form(provider_urn=world.provider.urn, event_ref="VIS-1", **{"end-year": "2000"}),
    )
    assert "The end date must be the same as or after the start date" in backwards.text


async def test_admin_searches_and_pages_events(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    for n in range(30):
        await make.event(world.other_provider, event_ref=f"VIS-{n:04d}", event_type="visit")
    page = (await client.get("/admin/events?q=Hillside")).text
    assert "Showing 1 to 25 of 31 events" in page
    second = (await client.get("/admin/events?q=Hillside&page=2")).text
    assert "Showing 26 to 31 of 31 events" in second
    by_ref = (await client.get(f"/admin/events?q={world.event.event_ref}")).text
    assert "of 1 event" in by_ref and "Oakfield Primary School" in by_ref


async def test_admin_closes_event_after_confirmation(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    confirm = await client.get(f"/admin/events/{world.event.id}/close")
    assert "Are you sure you want to close" in confirm.text
    response = await client.post(f"/admin/events/{world.event.id}/close", {})
    assert response.status_code == 303
    row = await Event.objects().where(Event.id == world.event.id).first()
    assert row.status == "closed"
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "event closed") & (AuditEvent.event == world.event.id)
    )
    # Closing again writes nothing: the event's page, view only, says it is done.
    again = await client.post(f"/admin/events/{world.event.id}/close", {})
    assert again.status_code == 200
    assert "This event is already closed." in again.text and "Close event" not in again.text
    closings = await AuditEvent.count().where(
        (AuditEvent.action == "event closed") & (AuditEvent.event == world.event.id)
    )
    assert closings == 1
    # Nothing on a closed event changes: not even its team.
    before = await TeamMember.count().where(TeamMember.event == world.event.id)
    refused = await client.post(
        f"/admin/events/{world.event.id}/team",
        {"username": world.inspector.username, "team_role": "team"},
    )
    assert refused.status_code == 200
    assert "This event is closed: nothing on it can be changed." in refused.text
    assert "Add an inspector to the team" not in refused.text
    assert await TeamMember.count().where(TeamMember.event == world.event.id) == before
    page = (await client.get(f"/admin/events/{world.event.id}")).text
    assert "This event is closed" in page


async def test_admin_manages_the_team(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    event = await make.event(world.provider)
    url = f"/admin/events/{event.id}/team"
    ok = await client.post(
        url, {"username": world.lead.username, "team_role": "lead", "pen_portrait": "Leads."}
    )
    assert ok.status_code == 303
    second_lead = await client.post(
        url, {"username": world.inspector.username, "team_role": "lead", "pen_portrait": ""}
    )
    assert "This event already has a lead inspector" in second_lead.text
    not_inspector = await client.post(
        url, {"username": world.provider_user.username, "team_role": "team"}
    )
    assert "Enter the username of an inspector" in not_inspector.text
    twice = await client.post(url, {"username": world.lead.username, "team_role": "team"})
    assert "This inspector is already on the team" in twice.text
    member = await TeamMember.objects().where(TeamMember.event == event.id).first()
    changed = await client.post(
        f"{url}/{member.id}", {"team_role": "team", "pen_portrait": "Now a team inspector."}
    )
    assert changed.status_code == 303
    member = await TeamMember.objects().where(TeamMember.id == member.id).first()
    assert (member.team_role, member.pen_portrait) == ("team", "Now a team inspector.")
    removed = await client.post(f"{url}/{member.id}/remove", {})
    assert removed.status_code == 303
    assert not await TeamMember.exists().where(TeamMember.event == event.id)
    actions = await AuditEvent.select(AuditEvent.action).where(AuditEvent.event == event.id)
    assert [a["action"] for a in actions] == [
        "team member added",
        "team member changed",
        "team member removed",
    ]


async def test_admin_extends_accuracy_deadline(client: PortalClient, make: Factory) -> None:
    from portal.accuracy.service import find, open_check

    world = await _admin(client, make)
    url = f"/admin/events/{world.event.id}/deadline"
    new_day = date.today() + timedelta(days=30)
    form = {
        "due-day": str(new_day.day),
        "due-month": str(new_day.month),
        "due-year": str(new_day.year),
    }
    not_open = await client.post(url, form)
    assert "This event has no factual accuracy check yet" in not_open.text
    # The refusal links to the real field: the day of the date.
    assert '<a href="#due-day">This event has no factual accuracy check yet</a>' in not_open.text
    assert 'id="due-day"' in not_open.text
    await open_check(world.event.id, datetime.now(UTC))
    past = await client.post(url, {"due-day": "1", "due-month": "1", "due-year": "2020"})
    assert "The new deadline must be today or in the future" in past.text
    response = await client.post(url, form)
    assert response.status_code == 303
    check = await find(world.event.id)
    due = check.extended_due_at
    due = due if due.tzinfo else due.replace(tzinfo=UTC)
    assert due.astimezone(UTC).date() == new_day


async def test_admin_creates_provider_user_and_invitations_are_sent(
    client: PortalClient, make: Factory
) -> None:
    world = await _admin(client, make)
    missing = await client.post("/admin/users", {"display_name": "Ann", "role": "provider"})
    assert "Enter the URN of the provider this person works for" in missing.text
    assert 'value="Ann"' in missing.text
    response = await client.post(
        "/admin/users",
        {
            "display_name": "Ann Brook",
            "email": "ann.brook@oakfield.example",
            "username": "ann.brook",
            "role": "provider",
            "provider_urn": world.provider.urn,
        },
    )
    assert response.status_code == 303
    user = await User.objects().where(User.username == "ann.brook").first()
    assert user.provider == world.provider.id and user.role == "provider"
    mails = await OutgoingMail.select().where(
        OutgoingMail.to_address == "ann.brook@oakfield.example"
    )
    assert len(mails) == 2
    page = (await client.get(f"/admin/users/{user.id}")).text
    assert "Ann Brook" in page and "Resend invitation" in page
    assert (await client.post(f"/admin/users/{user.id}/resend-invitation", {})).status_code == 303
    assert (
        await OutgoingMail.count().where(OutgoingMail.to_address == "ann.brook@oakfield.example")
        == 4
    )
    clash = await client.post(
        "/admin/users",
        {"display_name": "A", "email": "a@b.example", "username": "ann.brook", "role": "inspector"},
    )
    assert "already exists" in clash.text


async def test_admin_unlocks_and_deactivates(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    user = world.colleague
    await User.update(
        {User.failed_attempts: 5, User.locked_until: datetime.now(UTC) + timedelta(minutes=10)}
    ).where(User.id == user.id)
    page = (await client.get(f"/admin/users/{user.id}")).text
    assert "Locked after too many failed sign-ins" in page
    assert (await client.post(f"/admin/users/{user.id}/unlock", {})).status_code == 303
    row = await User.objects().where(User.id == user.id).first()
    assert row.failed_attempts == 0 and row.locked_until is None
    confirm = await client.get(f"/admin/users/{user.id}/deactivate")
    assert "Are you sure you want to deactivate" in confirm.text
    assert (await client.post(f"/admin/users/{user.id}/deactivate", {})).status_code == 303
    row = await User.objects().where(User.id == user.id).first()
    assert row.active is False
    again = await client.post(f"/admin/users/{user.id}/deactivate", {})
    assert again.status_code == 200
    assert "This account is already deactivated." in again.text
    assert await AuditEvent.count().where(AuditEvent.action == "account deactivated") == 1
    own = await client.post(f"/admin/users/{world.admin.id}/deactivate", {})
    assert own.status_code == 403


async def test_admin_searches_users(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    page = (await client.get("/admin/users?q=helen")).text
    assert "Helen Carter HMI" in page and "David Okafor OI" not in page
    assert world.lead.username in page


async def test_admin_filters_the_audit_log(client: PortalClient, make: Factory) -> None:
    from portal import audit

    world = await _admin(client, make)
    await audit.record("concern raised", actor=world.provider_user.id, event=world.event.id)
    await audit.record("something else", actor=world.lead.id, event=world.other_event.id)
    by_event = (await client.get(f"/admin/audit?event_ref={world.event.event_ref}")).text
    assert "concern raised" in by_event and "something else" not in by_event
    by_user = (await client.get(f"/admin/audit?username={world.lead.username}")).text
    assert "something else" in by_user and "concern raised" not in by_user
    today = date.today()
    tomorrow = today + timedelta(days=1)
    future = (
        await client.get(
            f"/admin/audit?from-day={tomorrow.day}&from-month={tomorrow.month}"
            f"&from-year={tomorrow.year}"
        )
    ).text
    assert "No entries found" in future
    bad = await client.get("/admin/audit?from-day=40&from-month=1&from-year=2026")
    assert "From date must be a real date" in bad.text


async def test_event_page_links_to_its_provider(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    await Provider.update({Provider.name: "Smith & Sons <Nursery>"}).where(
        Provider.id == world.provider.id
    )
    page = (await client.get(f"/admin/events/{world.event.id}")).text
    assert (
        f'<a class="govuk-link" href="/admin/providers/{world.provider.id}">'
        f"Smith &amp; Sons &lt;Nursery&gt;</a> (URN {world.provider.urn})"
    ) in page


async def test_every_refusal_names_a_field_on_its_page(client: PortalClient, make: Factory) -> None:
    """A service's refusal is shown next to its field: each field it names is on the page."""
    world = await _admin(client, make)
    start = date.today() + timedelta(days=7)
    with pytest.raises(Refused) as backwards:
        await service.create_event(
            provider_id=world.provider.id,
            event_ref="INS-BACK-1",
            event_type="inspection",
            start_date=start,
            end_date=start - timedelta(days=1),
            actor_id=None,
        )
    with pytest.raises(Refused) as no_check:
        await service.extend_deadline(world.event.id, start, None)
    with pytest.raises(Refused) as clash:
        await service.create_provider(name="X", urn=world.provider.urn, address="y", actor_id=None)
    pages = {
        backwards.value.field: "/admin/events/new",
        no_check.value.field: f"/admin/events/{world.event.id}/deadline",
        clash.value.field: "/admin/providers/new",
        "event_ref": "/admin/events/new",
        "event_type": "/admin/events/new",
        "username": f"/admin/events/{world.event.id}/team/new",
        "team_role": f"/admin/events/{world.event.id}/team/new",
    }
    assert (backwards.value.field, no_check.value.field) == ("end-day", "due-day")
    for field, url in pages.items():
        assert f'id="{field}"' in (await client.get(url)).text, (field, url)
