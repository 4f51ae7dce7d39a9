"""The Provider Profile page: what the guide says it shows, to whom."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.client import PortalClient
from tests.factories import Factory


async def test_provider_sees_event_team_documents_and_forms(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await make.document(
        world.event, world.lead, side="ofsted", kind="letter", file_name="Notification letter.pdf"
    )
    await make.document(world.event, world.colleague, file_name="Safeguarding policy.pdf")
    await client.sign_in_as(world.provider_user)

    response = await client.get(f"/events/{world.event.id}")

    assert response.status_code == 200
    page = response.text
    assert '<h1 class="govuk-heading-l">Oakfield Primary School</h1>' in page
    assert world.event.event_ref in page
    assert "Inspection dates" in page and "Event type" in page
    assert "Helen Carter HMI" in page and "Lead inspector" in page
    assert "Helen leads on early reading." in page
    assert "David Okafor OI" in page and "Team inspector" in page
    assert "Documents uploaded by Ofsted" in page and "Notification letter.pdf" in page
    assert "Documents uploaded by provider" in page and "Safeguarding policy.pdf" in page
    assert ">Upload or delete a document</a>" in page
    # The task list (govukTaskList) lays the link text out on its own line.
    assert re.search(r">\s*Factual accuracy check\s*</a>", page)
    assert re.search(r">\s*Survey\s*</a>", page)


async def test_lead_inspector_is_listed_first(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.inspector)
    page = (await client.get(f"/events/{world.event.id}")).text
    team = page[page.index('id="ofsted-team"') :]  # the header names who is signed in
    assert team.index("Helen Carter HMI") < team.index("David Okafor OI")


async def test_inspector_sees_same_page_without_provider_upload_link(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.inspector)
    page = (await client.get(f"/events/{world.event.id}")).text
    assert "Oakfield Primary School" in page
    assert "Upload or delete a document</a>" not in page


async def test_staged_documents_are_not_on_the_profile(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await make.document(
        world.event,
        world.lead,
        side="ofsted",
        kind="draft_report",
        file_name="Draft.pdf",
        state="staged",
    )
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{world.event.id}")).text
    assert "Draft.pdf" not in page
    assert "Ofsted has not uploaded any documents yet." in page


async def test_provider_with_one_event_goes_straight_to_it(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.get("/events")
    assert response.status_code in (302, 303)
    assert response.headers["location"] == f"/events/{world.event.id}"


async def test_provider_with_several_events_sees_your_inspections(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    later = await make.event(
        world.provider,
        start_date=date.today() + timedelta(days=30),
        end_date=date.today() + timedelta(days=31),
    )
    await client.sign_in_as(world.provider_user)
    response = await client.get("/events")
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Your inspections</h1>' in response.text
    assert world.event.event_ref in response.text and later.event_ref in response.text
    assert world.other_event.event_ref not in response.text


async def test_inspector_list_groups_current_upcoming_and_past(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    today = date.today()
    past = await make.event(
        world.provider, start_date=today - timedelta(days=40), end_date=today - timedelta(days=39)
    )
    upcoming = await make.event(
        world.other_provider,
        start_date=today + timedelta(days=9),
        end_date=today + timedelta(days=10),
    )
    await make.member(past, world.inspector)
    await make.member(upcoming, world.inspector)
    await client.sign_in_as(world.inspector)
    page = (await client.get("/events")).text
    assert page.index("Current") < page.index(world.event.event_ref) < page.index("Upcoming")
    assert (
        page.index("Upcoming")
        < page.index(upcoming.event_ref)
        < page.index("Past")
        < page.index(past.event_ref)
    )
    assert world.other_event.event_ref not in page  # not on that team


async def test_download_streams_the_file_as_an_attachment(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    content = b"%PDF-1.4\n" + b"x" * 200_000 + b"\n%%EOF\n"
    doc = await make.document(
        world.event,
        world.lead,
        side="ofsted",
        file_name="Rapport d’inspection – été.pdf",
        content=content,
    )
    await client.sign_in_as(world.provider_user)

    response = await client.get(f"/events/{world.event.id}/documents/{doc.id}/download")

    assert response.status_code == 200
    assert response.content == content
    assert len(response.headers.get_list("content-disposition")) == 1
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=UTF-8''Rapport%20d%E2%80%99inspection%20%E2%80%93%20%C3%A9t%C3%A9.pdf"
        in disposition
    )
    assert 'filename="Rapport dinspection  ete.pdf"' in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-type"] == "application/pdf"


async def test_download_of_another_events_document_is_404(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    doc = await make.document(world.other_event, world.other_provider_user)
    await client.sign_in_as(world.provider_user)
    # The document exists, but on another event: the URL under one's own event finds nothing.
    response = await client.get(f"/events/{world.event.id}/documents/{doc.id}/download")
    assert response.status_code == 404


async def test_someone_elses_staged_upload_is_not_downloadable(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.colleague, state="staged")
    await client.sign_in_as(world.provider_user)
    assert (
        await client.get(f"/events/{world.event.id}/documents/{doc.id}/download")
    ).status_code == 404
    await client.sign_in_as(world.colleague)
    assert (
        await client.get(f"/events/{world.event.id}/documents/{doc.id}/download")
    ).status_code == 200


async def test_address_keeps_its_lines_and_is_escaped(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    from portal.db.tables import Provider

    await Provider.update({Provider.address: "1 <b>Road</b>\nTown"}).where(
        Provider.id == world.provider.id
    )
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{world.event.id}")).text
    assert "1 &lt;b&gt;Road&lt;/b&gt;<br>Town" in page


async def test_a_one_day_visit_reads_visit_dates_and_its_date_once(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    visit = await make.event(
        world.provider,
        event_type="visit",
        start_date=date(2026, 12, 12),
        end_date=date(2026, 12, 12),
    )
    await make.member(visit, world.inspector)
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{visit.id}")).text
    row = re.search(r"Visit dates\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>", page)
    assert row and row[1] == "12 December 2026"
    assert "Inspection dates" not in page and "About this visit" in page
    await client.sign_in_as(world.inspector)
    listed = (await client.get("/events")).text
    assert "12 December 2026" in listed and "12 December 2026 to" not in listed


async def test_contents_list_leads_to_every_section_of_the_profile(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    for user in (world.provider_user, world.lead, world.admin):
        await client.sign_in_as(user)
        page = (await client.get(f"/events/{world.event.id}")).text
        nav = page[
            page.index('<nav class="portal-contents"') : page.index(
                "</nav>", page.index('<nav class="portal-contents"')
            )
        ]
        links = re.findall(r'href="#([^"]+)"', nav)
        main = page[page.index("<main") : page.index("</main>")]
        sections = re.findall(r'<h2 class="govuk-heading-m"[^>]* id="([^"]+)"', main)
        assert links == sections, user.username  # every section, in order, and no others
        assert "complaints" not in links  # no final report yet: no complaints section
    await make.document(world.event, world.lead, side="ofsted", kind="final_report")
    page = (await client.get(f"/events/{world.event.id}")).text
    assert re.findall(r'href="#(complaints)"', page) == ["complaints"]
    assert 'id="complaints"' in page
