"""The Waiting and Mail pages, Retry, and the event lists' tags and next deadlines, as
the user sees them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from portal import clock
from portal.accuracy.waiting import near_deadline_until
from portal.db.tables import AuditEvent, Event, OutgoingMail
from tests.client import PortalClient
from tests.factories import Factory
from tests.queries import counted
from tests.waiting import helpers


async def test_waiting_lists_a_concern_with_no_lead_a_near_check_and_failed_mail(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    no_lead = await make.event(world.other_provider, event_ref="VIS-NOLEAD-1")
    await helpers.concern(no_lead, world.other_provider_user, text="Nobody has answered me")
    await helpers.concern(world.event, world.provider_user, text="The lead will answer this")
    due = near_deadline_until(clock.now()) - timedelta(hours=1)
    await helpers.check(world.event, due, status="in_progress")
    far = await make.event(world.provider, event_ref="INS-FAR-1")
    await helpers.check(far, near_deadline_until(clock.now()) + timedelta(days=7))
    await helpers.mail("failed", to="tom@example.org", subject="Your concern was received")
    await helpers.mail("sent", subject="All went well")
    await client.sign_in_as(world.admin)

    home = (await client.get("/admin")).text
    assert 'href="/admin/waiting">Waiting</a>' in home and 'href="/admin/mail">Mail</a>' in home
    page = (await client.get("/admin/waiting")).text
    concerns, checks, mail = re.split(r'<h2 class="govuk-heading-m" id="[a-z-]+">', page)[1:4]
    assert "VIS-NOLEAD-1" in concerns and "Nobody has answered me" in concerns
    assert "The lead will answer this" not in concerns
    assert world.event.event_ref in checks and "INS-FAR-1" not in checks
    assert clock.format_deadline(due) in checks and "In progress" in checks
    assert f'href="/admin/events/{world.event.id}/deadline"' in checks
    assert "Your concern was received, to tom@example.org" in mail
    assert "All went well" not in mail
    assert 'href="/admin/mail?status=failed"' in mail


async def test_waiting_says_when_nothing_waits(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.admin)
    page = (await client.get("/admin/waiting", htmx=True)).text
    assert "No concerns are waiting for a lead inspector." in page
    assert "No factual accuracy check is due within 2 working days." in page
    assert "No mail has failed." in page


async def test_mail_lists_messages_filters_by_status_and_pages_by_key(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    for n in range(27):
        await helpers.mail("sent", subject=f"Sent message {n:02d}")
    failed = await helpers.mail("failed", to="tom@example.org", subject="Bounced message")
    await client.sign_in_as(world.admin)

    first = (await client.get("/admin/mail")).text
    assert "Showing 1 to 25 of 28 messages" in first
    assert first.index("Bounced message") < first.index("Sent message 26")  # newest first
    assert "SMTPRecipientsRefused: no such mailbox" in first
    assert first.count(">Retry<") == 1 and f'action="/admin/mail/{failed}/retry"' in first
    next_href = unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    assert "after=" in next_href
    second = (await client.get(next_href)).text
    assert "Showing 26 to 28 of 28 messages" in second and "Sent message 00" in second
    assert "Bounced message" not in second

    only_failed = await client.get("/admin/mail?status=failed", htmx=True)
    assert "<html" not in only_failed.text and 'id="results"' in only_failed.text
    assert "Showing 1 to 1 of 1 message" in only_failed.text
    assert "Bounced message" in only_failed.text and "Sent message" not in only_failed.text


async def test_retry_queues_a_failed_message_again_once_and_audits_it(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    failed = await helpers.mail("failed", to="tom@example.org")
    await client.sign_in_as(world.admin)

    response = await client.post(f"/admin/mail/{failed}/retry", {})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/mail?done=Message+queued")
    shown = (await client.get(response.headers["location"])).text
    assert "Message queued to be sent again" in shown
    row = await OutgoingMail.objects().where(OutgoingMail.id == failed).first()
    assert (row.status, row.attempts) == ("queued", 0)

    again = await client.post(f"/admin/mail/{failed}/retry", {}, htmx=True)
    assert again.status_code == 200 and "<html" not in again.text
    assert "This message has not failed" in again.text
    assert await AuditEvent.count().where(AuditEvent.action == "mail retried") == 1
    assert (await client.post("/admin/mail/999999/retry", {})).status_code == 404


async def test_retry_needs_the_csrf_token(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    failed = await helpers.mail("failed")
    await client.sign_in_as(world.admin)
    response = await client.post(f"/admin/mail/{failed}/retry", {}, csrf_token=False)
    assert response.status_code == 403
    row = await OutgoingMail.objects().where(OutgoingMail.id == failed).first()
    assert row.status == "failed"


async def test_the_provider_list_shows_tags_and_the_next_deadline(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    second = await make.event(world.provider, event_ref="VIS-SECOND-1")
    due = datetime.now(UTC) + timedelta(days=20)
    await helpers.check(world.event, due)
    await helpers.evidence_request(world.event, world.lead)
    await helpers.concern(second, world.provider_user)
    await helpers.concern(world.other_event, world.other_provider_user)  # not theirs
    await client.sign_in_as(world.provider_user)

    page = (await client.get("/events")).text
    first_card, second_card = _card(page, world.event.id), _card(page, second.id)
    assert "Check open" in first_card and "Evidence to confirm" in first_card
    assert clock.format_deadline(due) in first_card
    assert "Concern open" not in first_card
    assert "Concern open" in second_card and "Next deadline" in second_card
    assert "None" in second_card
    assert world.other_event.event_ref not in page


async def test_the_inspector_list_shows_open_concerns_and_unanswered_requests(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await helpers.concern(world.event, world.provider_user)
    await helpers.concern(world.event, world.provider_user)
    await helpers.evidence_request(world.event, world.lead)
    await helpers.evidence_request(world.other_event, world.outsider)  # not their team
    await client.sign_in_as(world.inspector)

    card = _card((await client.get("/events")).text, world.event.id)
    assert "2 concerns open" in card and "Evidence request unanswered" in card
    assert "Nothing waiting" not in card

    await client.sign_in_as(world.outsider)
    other = _card((await client.get("/events")).text, world.other_event.id)
    assert "Evidence request unanswered" in other and "concerns open" not in other


async def test_a_closed_event_says_closed(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    await helpers.concern(world.event, world.provider_user)
    await client.sign_in_as(world.lead)
    card = _card((await client.get("/events")).text, world.event.id)
    assert "Closed" in card and "Concern open" not in card


def _card(page: str, event_id: int) -> str:
    start = page.index(f'id="event-{event_id}"')
    end = page.find('class="govuk-summary-card"', start + 1)
    return page[start : end if end != -1 else len(page)]


async def test_the_inspector_list_reads_every_event_in_the_same_few_queries(
    client: PortalClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """Tags for 1 event or 25 cost the same: no query per event."""
    world = await make.world()
    await client.sign_in_as(world.inspector)

    async def count() -> int:
        with counted(caplog) as queries:
            response = await client.get("/events")
        assert response.status_code == 200
        return queries.count

    few = await count()
    for n in range(24):
        event = await make.event(world.provider, event_ref=f"INS-MANY-{n:02d}")
        await make.member(event, world.inspector)
        await helpers.check(event, datetime.now(UTC) + timedelta(days=10 + n))
        await helpers.concern(event, world.provider_user)
        await helpers.evidence_request(event, world.lead)
    many = await count()
    assert many == few
    page = (await client.get("/events")).text
    assert page.count("Concern open") == 24 and page.count("Check open") == 24
