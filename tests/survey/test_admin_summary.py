"""The support administrator's survey pages: the summary across events, each
response, pages of responses, and the CSV download."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

from portal import clock
from portal.survey import forms, service
from tests.client import PortalClient
from tests.factories import Factory


async def _three_responses(make: Factory):
    world = await make.world()
    third = await make.event(world.provider)
    await service.save(
        world.event.id,
        world.provider_user.id,
        forms.read(
            {
                "rating_professional": "strongly_agree",
                "rating_overall": "agree",
                "most_1": "planning_call",
                "most_2": "staff",
                "least_1": "governors",
                "why": '=HYPERLINK("http://evil.example")',
                "improve": "Tell us the timetable earlier.\nAnd the lunch plan.",
            }
        ),
        at=datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
    )
    await service.save(
        world.other_event.id,
        world.other_provider_user.id,
        forms.read(
            {
                "rating_professional": "strongly_agree",
                "rating_overall": "disagree",
                "most_1": "staff",
                "least_1": "planning_call",
                "least_2": "governors",
            }
        ),
        at=datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
    )
    # Saved with nothing in it: not submitted, so neither counted nor listed.
    await service.save(third.id, world.colleague.id, forms.read({}))
    return world, third


async def test_summary_counts_ratings_and_activities(make: Factory) -> None:
    await _three_responses(make)
    summary = await service.summary()
    assert summary.responses == 2
    assert summary.ratings["professional"]["strongly_agree"] == 2
    assert summary.ratings["overall"] == {
        "strongly_agree": 0,
        "agree": 1,
        "disagree": 1,
        "strongly_disagree": 0,
        "not_applicable": 0,
        "": 0,
    }
    assert summary.ratings["courteous"][""] == 2  # not answered
    assert summary.activities["staff"] == {"most": 2, "least": 0}
    assert summary.activities["planning_call"] == {"most": 1, "least": 1}
    assert summary.activities["governors"] == {"most": 0, "least": 2}
    assert summary.activities["final_feedback"] == {"most": 0, "least": 0}


async def test_admin_page_shows_summary_and_each_response(
    client: PortalClient, make: Factory
) -> None:
    world, third = await _three_responses(make)
    await client.sign_in_as(world.admin)
    response = await client.get("/admin/surveys")
    assert response.status_code == 200
    page = unescape(response.text)
    assert '<h1 class="govuk-heading-l">Survey responses</h1>' in page
    assert "2 responses." in page
    row = re.search(
        r"<th scope=\"row\"[^>]*>The inspection was carried out professionally</th>(.*?)</tr>",
        page,
        re.DOTALL,
    )
    assert row is not None
    cells = re.findall(r"<td[^>]*>(\d+)</td>", row.group(1))
    assert cells == ["2", "0", "0", "0", "0", "0"]
    row = re.search(r">Meetings with staff</th>(.*?)</tr>", page, re.DOTALL)
    assert row is not None
    assert re.findall(r"<td[^>]*>(\d+)</td>", row.group(1)) == ["2", "0"]
    # Each response, most recently saved first, links to the read-only form.
    assert page.index(world.other_event.event_ref) < page.index(world.event.event_ref)
    assert f'href="/events/{world.event.id}/survey"' in page
    assert f'href="/events/{third.id}/survey"' not in page
    assert 'href="/admin/surveys.csv"' in page


async def test_admin_pages_are_paginated(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    start = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    refs = []
    for n in range(21):
        event = await make.event(world.provider)
        refs.append(event.event_ref)
        await service.save(
            event.id,
            world.provider_user.id,
            forms.read({"most_1": "staff"}),
            at=start + timedelta(days=n),
        )
    await client.sign_in_as(world.admin)
    first = (await client.get("/admin/surveys")).text
    assert "21 responses." in first
    assert refs[20] in first and refs[1] in first and refs[0] not in first
    assert 'href="/admin/surveys?page=2"' in first
    second = (await client.get("/admin/surveys?page=2")).text
    assert refs[0] in second and refs[20] not in second
    assert "(page 2 of 2)" in second
    # One paging rule (portal.web.paging): past the end shows the last page, and a page
    # that is not a number or below 1 the first.
    past = await client.get("/admin/surveys?page=3")
    assert past.status_code == 200 and "(page 2 of 2)" in past.text
    assert refs[0] in past.text and refs[20] not in past.text
    for wrong in ("0", "-4", "two"):
        first_again = await client.get(f"/admin/surveys?page={wrong}")
        assert first_again.status_code == 200 and "(page 1 of 2)" in first_again.text
        assert refs[20] in first_again.text and refs[0] not in first_again.text


async def test_admin_page_with_no_responses(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.admin)
    page = (await client.get("/admin/surveys")).text
    assert "No provider has filled in the survey yet." in page
    assert "There are no responses yet." in page


async def test_csv_holds_every_submitted_response(client: PortalClient, make: Factory) -> None:
    world, _ = await _three_responses(make)
    await client.sign_in_as(world.admin)
    response = await client.get("/admin/surveys.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    name = f"survey-responses-{clock.today().isoformat()}.csv"
    assert disposition == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert response.headers["cache-control"] == "private, no-store"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Event ID"] for row in rows] == [world.event.event_ref, world.other_event.event_ref]
    first = rows[0]
    assert first["Provider"] == "Oakfield Primary School"
    assert first["URN"] == world.provider.urn
    assert first["Last saved by"] == world.provider_user.display_name
    assert first["Last saved"] == "3 November 2026 at 10:00am"
    assert first["The inspection was carried out professionally"] == "Strongly agree"
    assert first["The inspectors were courteous and respectful"] == ""
    assert first["Overall I am satisfied with how the inspection was carried out"] == "Agree"
    assert first["Most useful activity 1"] == "The planning call with the lead inspector"
    assert first["Most useful activity 2"] == "Meetings with staff"
    assert first["Most useful activity 3"] == ""
    assert first["Least useful activity 1"] == "Meetings with governors, trustees or owners"
    # A spreadsheet must not run what a provider typed as a formula.
    assert first["Why these activities were the most or least useful"] == (
        '\'=HYPERLINK("http://evil.example")'
    )
    assert first["How the inspection could be improved"] == (
        "Tell us the timetable earlier.\nAnd the lunch plan."
    )
    assert rows[1]["Overall I am satisfied with how the inspection was carried out"] == ("Disagree")


async def test_csv_with_no_responses_has_only_the_header(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.admin)
    text = (await client.get("/admin/surveys.csv")).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Event ID,Provider,URN")
