"""The corrections' pages: what the administrator sees, each rule, and what is stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal import audit
from portal.db.tables import AuditEvent, Event, User
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory


async def _admin(client: PortalClient, make: Factory):
    world = await make.world()
    await client.sign_in_as(world.admin)
    return world


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/999999/details",
        "/admin/users/999999/reactivate",
        "/admin/events/999999/details",
        "/admin/events/999999/reopen",
    ],
)
async def test_a_wrong_id_is_not_found(client: PortalClient, make: Factory, url: str) -> None:
    await _admin(client, make)
    assert (await client.get(url)).status_code == 404
    assert (await client.post(url, {})).status_code == 404


# -- a person's name and email address ------------------------------------------------


async def test_admin_corrects_a_mistyped_email_address(client: PortalClient, make: Factory) -> None:
    world = await _admin(client, make)
    user = await make.user("provider", world.provider, email="sam@oakfeild.sch.uk")
    page = (await client.get(f"/admin/users/{user.id}")).text
    assert f'href="/admin/users/{user.id}/details#email"' in page
    assert 'Change<span class="govuk-visually-hidden"> email address</span>' in page
    form = (await client.get(f"/admin/users/{user.id}/details")).text
    assert 'value="sam@oakfeild.sch.uk"' in form and f'value="{user.display_name}"' in form

    wrong = await client.post(
        f"/admin/users/{user.id}/details", {"display_name": "", "email": "sam@oakfield"}
    )
    assert wrong.status_code == 200
    assert "<title>Error: Change" in wrong.text
    assert "Enter the person’s name" in wrong.text and 'value="sam@oakfield"' in wrong.text
    badly = await client.post(
        f"/admin/users/{user.id}/details", {"display_name": "Sam Lee", "email": "sam@oakfield"}
    )
    assert "Enter an email address in the correct format" in badly.text
    assert 'href="#email"' in badly.text

    saved = await client.post(
        f"/admin/users/{user.id}/details",
        {"display_name": user.display_name, "email": "sam@oakfield.sch.uk"},
        htmx=True,
    )
    assert saved.headers["hx-redirect"].startswith(f"/admin/users/{user.id}")
    row = await User.objects().where(User.id == user.id).first()
    assert (row.email, row.username) == ("sam@oakfield.sch.uk", user.username)
    shown = (await client.get(saved.headers["hx-redirect"])).text
    assert "Name and email address saved" in shown and "sam@oakfield.sch.uk" in shown
    entry = await AuditEvent.objects().where(AuditEvent.action == "account changed").first()
    assert entry.detail == (
        f"{user.username}: email address sam@oakfeild.sch.uk → sam@oakfield.sch.uk"
    )


# -- reactivating an account -------------------------------------------------------------


async def test_admin_reactivates_an_account_and_the_person_signs_in_again(
    client: PortalClient, make: Factory
) -> None:
    world = await _admin(client, make)
    user = world.colleague
    assert (await client.post(f"/admin/users/{user.id}/deactivate", {})).status_code == 303
    page = (await client.get(f"/admin/users/{user.id}")).text
    assert "Deactivated" in page and f'href="/admin/users/{user.id}/reactivate"' in page
    confirm = (await client.get(f"/admin/users/{user.id}/reactivate")).text
    assert f"Are you sure you want to reactivate {user.display_name}’s account?" in confirm
    done = await client.post(f"/admin/users/{user.id}/reactivate", {})
    assert done.status_code == 303
    shown = (await client.get(done.headers["location"])).text
    assert "Account reactivated" in shown and "Deactivate account" in shown
    again = await client.get(f"/admin/users/{user.id}/reactivate")
    assert "This account is already active." in again.text
    assert await AuditEvent.count().where(AuditEvent.action == "account reactivated") == 1

    client.sign_out_locally()
    signed_in = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert signed_in.status_code == 303  # the password they had


# -- an event's type and dates -----------------------------------------------------------


def _dates(start: date, end: date, event_type: str = "inspection") -> dict[str, str]:
    return {
        "event_type": event_type,
        "start-day": str(start.day),
        "start-month": str(start.month),
        "start-year": str(start.year),
        "end-day": str(end.day),
        "end-month": str(end.month),
        "end-year": str(end.year),
    }


async def test_admin_corrects_the_dates_and_the_profile_shows_them(
    client: PortalClient, make: Factory
) -> None:
    world = await _admin(client, make)
    url = f"/admin/events/{world.event.id}/details"
    event_page = (await client.get(f"/admin/events/{world.event.id}")).text
    assert f'href="{url}#start"' in event_page and f'href="{url}#event_type"' in event_page
    form = (await client.get(url)).text
    assert f'value="{world.event.start_date.day}"' in form
    assert 'value="inspection" checked' in form

    # The provider's profile is kept once seen: the change must still show on it.
    async with PortalClient.for_app(client.app) as provider:
        await provider.sign_in_as(world.provider_user)
        before = (await provider.get(f"/events/{world.event.id}/")).text
        await _correct(client, url, world.event.start_date + timedelta(days=14))
        after = (await provider.get(f"/events/{world.event.id}/")).text
    start = world.event.start_date + timedelta(days=14)
    assert start.strftime("%B") in after and f"{start.day} {start.strftime('%B')}" in after
    assert after != before
    assert await AuditEvent.count().where(AuditEvent.action == "event changed") == 1


async def _correct(client: PortalClient, url: str, start: date) -> None:
    """Wrong input is shown again with its errors and nothing stored; then the change."""
    event_id = int(url.split("/")[3])
    original = await Event.objects().where(Event.id == event_id).first()

    backwards = await client.post(url, _dates(start, start - timedelta(days=1)))
    assert backwards.status_code == 200
    assert "The end date must be the same as or after the start date" in backwards.text
    assert 'href="#end-day"' in backwards.text
    missing = await client.post(url, {"event_type": "visit"})
    assert "Enter the start date" in missing.text and 'value="visit" checked' in missing.text
    row = await Event.objects().where(Event.id == event_id).first()
    assert row.start_date == original.start_date

    saved = await client.post(url, _dates(start, start, "visit"))
    assert saved.status_code == 303
    assert "Event type and dates saved" in (await client.get(saved.headers["location"])).text
    row = await Event.objects().where(Event.id == event_id).first()
    assert (row.event_type, row.start_date, row.end_date) == ("visit", start, start)


async def test_a_closed_event_cannot_be_corrected_until_reopened(
    client: PortalClient, make: Factory
) -> None:
    world = await _admin(client, make)
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    url = f"/admin/events/{world.event.id}/details"
    page = (await client.get(f"/admin/events/{world.event.id}")).text
    assert f'href="{url}#start"' not in page and "Reopen event" in page
    refused = await client.post(url, _dates(date(2027, 1, 4), date(2027, 1, 5)), htmx=True)
    assert refused.status_code == 200 and "<html" not in refused.text
    assert "This event is closed: reopen it to change its type or dates." in refused.text
    row = await Event.objects().where(Event.id == world.event.id).first()
    assert row.start_date == world.event.start_date

    confirm = (await client.get(f"/admin/events/{world.event.id}/reopen")).text
    assert f"Are you sure you want to reopen {world.event.event_ref}?" in confirm
    done = await client.post(f"/admin/events/{world.event.id}/reopen", {})
    assert done.status_code == 303
    shown = (await client.get(done.headers["location"])).text
    assert "Event reopened" in shown and "Close event" in shown
    assert (await client.post(url, _dates(date(2027, 1, 4), date(2027, 1, 5)))).status_code == 303
    again = await client.get(f"/admin/events/{world.event.id}/reopen")
    assert "This event is already open." in again.text


# -- username suggestions ------------------------------------------------------------------


async def test_the_create_user_form_suggests_a_free_username(
    client: PortalClient, make: Factory
) -> None:
    world = await _admin(client, make)
    await make.user("provider", world.provider, username="jane.smith")
    page = (await client.get("/admin/users/new")).text
    assert 'aria-describedby="username-suggestion username-hint"' in page
    # With JavaScript: the name field asks what a blank username would be, shown under
    # the username field (what is typed there is never replaced).
    fragment = await client.get("/admin/users/new?display_name=Jane+Smith", htmx=True)
    assert "<html" not in fragment.text and 'id="username-suggestion"' in fragment.text
    assert "their username will be <strong>jane.smith2</strong>" in fragment.text
    typed = await client.get("/admin/users/new?display_name=Jane+Smith&username=js", htmx=True)
    assert 'id="username-suggestion"' in typed.text and "jane.smith" not in typed.text
    # Without: the form shown again (another field wrong) has it filled in.
    form = {"display_name": "Jane Smith", "email": "", "username": "", "role": "inspector"}
    again = await client.post("/admin/users", form)
    assert "Enter an email address" in again.text and 'value="jane.smith2"' in again.text
    assert "Suggested from their name" in again.text
    # Or it is made on save.
    created = await client.post("/admin/users", form | {"email": "jane2@example.org"})
    assert created.status_code == 303
    assert await User.exists().where(User.username == "jane.smith2")
    shown = (await client.get(created.headers["location"])).text
    assert "Their username is jane.smith2" in shown
    # Still checked on save: a name that gives none needs one typed.
    none = await client.post("/admin/users", form | {"display_name": "李明", "email": "l@x.org"})
    assert "Enter a username" in none.text


# -- the audit log in words ---------------------------------------------------------------


async def test_the_audit_log_shows_details_in_words_and_keeps_what_is_stored(
    client: PortalClient, make: Factory
) -> None:
    world = await _admin(client, make)
    raw = "side=ofsted;uploaded=6;deleted="
    await audit.record("documents saved", actor=world.lead.id, event=world.event.id, detail=raw)
    await audit.record("something new", actor=world.lead.id, detail="as it was written")
    page = (await client.get(f"/admin/audit?username={world.lead.username}")).text
    assert "Ofsted documents: 6 uploaded, none deleted" in page and raw not in page
    assert "as it was written" in page
    stored = await AuditEvent.objects().where(AuditEvent.action == "documents saved").first()
    assert stored.detail == raw
