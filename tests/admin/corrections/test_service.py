"""The corrections' rules: what is stored, what is refused, what is audited."""

from __future__ import annotations

from datetime import date

import pytest

from portal.admin import corrections
from portal.auth import api as auth
from portal.auth.usernames import base_for
from portal.db.tables import AuditEvent, Event, User
from portal.validation import Refused
from tests.factories import Factory


async def _audit(action: str) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.action == action)


# -- a person's name and email address ------------------------------------------------


async def test_update_details_changes_name_and_email_and_audits_old_and_new(
    db: object, make: Factory
) -> None:
    admin = await make.user("admin")
    user = await make.user(
        username="jane.smith", display_name="Jane Smyth", email="jane@exmaple.org"
    )
    changed = await auth.update_details(
        user.id, display_name=" Jane Smith ", email="jane@example.org", actor_id=admin.id
    )
    assert changed is True
    row = await User.objects().where(User.id == user.id).first()
    assert (row.username, row.display_name, row.email) == (
        "jane.smith",
        "Jane Smith",
        "jane@example.org",
    )
    [entry] = await _audit("account changed")
    assert entry["actor"] == admin.id
    assert entry["detail"] == (
        "jane.smith: name Jane Smyth → Jane Smith; email address jane@exmaple.org → jane@example.org"
    )


async def test_update_details_without_a_change_writes_and_audits_nothing(
    db: object, make: Factory
) -> None:
    user = await make.user()
    same = await auth.update_details(
        user.id, display_name=user.display_name, email=user.email, actor_id=None
    )
    assert same is False
    assert await _audit("account changed") == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "jane.example.org"}, "email", "Enter an email address in the correct format"),
        ({"email": "jane@example"}, "email", "Enter an email address in the correct format"),
        ({"display_name": "  "}, "display_name", "Enter the person’s name"),
        ({"display_name": "x" * 201}, "display_name", "Enter the person’s name"),
    ],
)
async def test_update_details_checks_as_account_creation_does(
    db: object, make: Factory, fields: dict, field: str, message: str
) -> None:
    user = await make.user(email="before@example.org")
    details = {"display_name": "Jane Smith", "email": "jane@example.org"} | fields
    with pytest.raises(Refused, match=message) as refused:
        await auth.update_details(user.id, **details, actor_id=None)
    assert refused.value.field == field
    row = await User.objects().where(User.id == user.id).first()
    assert row.email == "before@example.org"


# -- reactivating an account --------------------------------------------------------------


async def test_reactivate_lets_a_deactivated_user_in_with_the_same_password(
    db: object, make: Factory, settings: object
) -> None:
    admin = await make.user("admin")
    user = await make.user()
    before = user.password_hash
    await auth.deactivate(user.id, admin.id, settings=settings)
    assert await auth.reactivate(user.id, admin.id) is True
    row = await User.objects().where(User.id == user.id).first()
    assert row.active is True and row.password_hash == before
    [entry] = await _audit("account reactivated")
    assert (entry["actor"], entry["detail"]) == (admin.id, user.username)


async def test_reactivating_an_active_account_changes_nothing(db: object, make: Factory) -> None:
    user = await make.user()
    assert await auth.reactivate(user.id, None) is False
    assert await _audit("account reactivated") == []


# -- username suggestions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("Jane Smith", "jane.smith"),
        ("  Zoë  O’Brien-Hughes ", "zoe.obrien.hughes"),
        ("Helen Carter HMI", "helen.carter.hmi"),
        ("J", ""),
        ("李明", ""),
    ],
)
def test_a_username_is_made_from_the_name(name: str, base: str) -> None:
    assert base_for(name) == base


async def test_the_suggestion_is_a_username_nobody_has(db: object, make: Factory) -> None:
    assert await auth.suggest_username("Jane Smith") == "jane.smith"
    await make.user(username="jane.smith")
    await make.user(username="jane.smithson")  # starts alike, is not the same
    assert await auth.suggest_username("Jane Smith") == "jane.smith2"
    await make.user(username="jane.smith2")
    assert await auth.suggest_username("jane smith") == "jane.smith3"
    assert await auth.suggest_username("李明") == ""


# -- an event's type and dates ------------------------------------------------------------


async def test_update_event_changes_type_and_dates_and_audits_them(
    db: object, make: Factory
) -> None:
    admin = await make.user("admin")
    provider = await make.provider()
    event = await make.event(
        provider, event_ref="INS-1", start_date=date(2026, 12, 1), end_date=date(2026, 12, 2)
    )
    version = event.version
    changed = await corrections.update_event(
        event.id,
        event_type="visit",
        start_date=date(2026, 12, 8),
        end_date=date(2026, 12, 8),
        actor_id=admin.id,
    )
    assert changed is True
    row = await Event.objects().where(Event.id == event.id).first()
    assert (row.event_type, row.start_date, row.end_date) == (
        "visit",
        date(2026, 12, 8),
        date(2026, 12, 8),
    )
    assert row.version > version  # the kept profile page is made again
    [entry] = await _audit("event changed")
    assert entry["event"] == event.id and entry["actor"] == admin.id
    assert entry["detail"].startswith("INS-1: type Inspection → Visit; dates ")
    assert "8 December 2026" in entry["detail"]


async def test_update_event_refuses_an_end_before_the_start(db: object, make: Factory) -> None:
    event = await make.event(await make.provider())
    with pytest.raises(Refused, match="The end date must be the same as or after") as refused:
        await corrections.update_event(
            event.id,
            event_type="inspection",
            start_date=date(2026, 12, 8),
            end_date=date(2026, 12, 7),
            actor_id=None,
        )
    assert refused.value.field == "end-day"
    assert await _audit("event changed") == []


async def test_update_event_refuses_a_closed_event(db: object, make: Factory) -> None:
    event = await make.event(await make.provider(), status="closed")
    with pytest.raises(Refused, match="reopen it"):
        await corrections.update_event(
            event.id,
            event_type="visit",
            start_date=event.start_date,
            end_date=event.end_date,
            actor_id=None,
        )
    row = await Event.objects().where(Event.id == event.id).first()
    assert row.event_type == "inspection"


async def test_update_event_without_a_change_audits_nothing(db: object, make: Factory) -> None:
    event = await make.event(await make.provider())
    same = await corrections.update_event(
        event.id,
        event_type=event.event_type,
        start_date=event.start_date,
        end_date=event.end_date,
        actor_id=None,
    )
    assert same is False and await _audit("event changed") == []


# -- reopening an event -------------------------------------------------------------------


async def test_reopen_event_opens_a_closed_event_once(db: object, make: Factory) -> None:
    admin = await make.user("admin")
    event = await make.event(await make.provider(), status="closed")
    assert await corrections.reopen_event(event.id, admin.id) is True
    row = await Event.objects().where(Event.id == event.id).first()
    assert row.status == "open"
    assert await corrections.reopen_event(event.id, admin.id) is False
    [entry] = await _audit("event reopened")
    assert (entry["event"], entry["actor"]) == (event.id, admin.id)
