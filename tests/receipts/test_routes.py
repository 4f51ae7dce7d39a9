"""'Activity and receipts' and a receipt: what the reader sees, and what is not there."""

from __future__ import annotations

from html import unescape

from portal.receipts.api import record
from tests.client import PortalClient
from tests.factories import Factory

SHA = "3f" * 32


async def test_activity_lists_each_submission_with_who_when_and_files(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    files = [{"name": "Safeguarding policy.pdf", "size": 2048, "sha256": SHA}]
    saved = await record(world.event.id, world.provider_user.id, "documents", "1 saved", files)
    concern = await record(world.event.id, world.colleague.id, "concern", "Concern 1 raised")
    await record(world.other_event.id, world.other_provider_user.id, "survey", "Survey saved")
    await client.sign_in_as(world.lead)
    response = await client.get(f"/events/{world.event.id}/activity")
    assert response.status_code == 200
    page = unescape(response.text)
    assert '<h1 class="govuk-heading-l">Activity and receipts</h1>' in page
    assert page.index(concern) < page.index(saved)  # newest first
    assert f"<strong>{saved}</strong>" in response.text
    assert "Documents saved" in page and "Concern raised" in page
    assert "Safeguarding policy.pdf" in page and SHA in page and "2.0 KB" in page
    assert world.provider_user.display_name in page and world.colleague.display_name in page
    assert f"/events/{world.event.id}/activity/{saved}" in page
    assert page.count("View receipt") == 2  # the other event's survey is not listed
    assert 'media="print"' in page


async def test_activity_with_nothing_submitted_says_so(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.get(f"/events/{world.event.id}/activity")
    assert "Nothing has been submitted on this" in response.text


async def test_receipt_shows_the_reference_files_and_print_link(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    files = [{"name": "Plan.docx", "size": 10, "sha256": SHA}]
    reference = await record(world.event.id, world.provider_user.id, "documents", "1 saved", files)
    await client.sign_in_as(world.provider_user)
    response = await client.get(f"/events/{world.event.id}/activity/{reference}")
    assert response.status_code == 200
    page = unescape(response.text)
    assert f"<strong>{reference}</strong>" in response.text
    assert "Receipt: documents saved" in page
    assert "Plan.docx" in page and SHA in page and "10 bytes" in page
    assert world.provider_user.display_name in page
    assert world.event.event_ref in page
    # The link is there for receipts.js to show; without JavaScript it stays hidden.
    assert '<p class="govuk-body portal-print-link" hidden>' in page
    assert "Print this page" in page
    assert "js/receipts" in page


async def test_a_reference_read_out_in_lower_case_finds_the_receipt(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    reference = await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    await client.sign_in_as(world.admin)
    response = await client.get(f"/events/{world.event.id}/activity/{reference.lower()}")
    assert response.status_code == 200
    assert reference in response.text


async def test_another_events_receipt_is_not_found_here(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    elsewhere = await make.event(world.provider)  # the same provider's other event
    reference = await record(elsewhere.id, world.provider_user.id, "survey", "Survey saved")
    await client.sign_in_as(world.provider_user)
    assert (await client.get(f"/events/{world.event.id}/activity/{reference}")).status_code == 404
    assert (await client.get(f"/events/{elsewhere.id}/activity/{reference}")).status_code == 200
    assert (await client.get(f"/events/{world.event.id}/activity/PP-2222-2222")).status_code == 404


async def test_the_profile_links_to_activity_and_receipts(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    for user in (world.provider_user, world.lead, world.admin):
        await client.sign_in_as(user)
        page = (await client.get(f"/events/{world.event.id}")).text
        assert f'href="/events/{world.event.id}/activity">Activity and receipts</a>' in page
