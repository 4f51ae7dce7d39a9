"""The survey pages: the form, Save, the htmx fragments, and what each reader sees."""

from __future__ import annotations

import re
from html import unescape

from portal.db.tables import Event
from portal.survey import forms, service
from portal.survey.tables import SurveyResponse
from tests.client import PortalClient
from tests.factories import Factory

FULL = {
    **{forms.rating_field(key): "agree" for key in service.STATEMENTS},
    "rating_overall": "strongly_agree",
    "most_1": "planning_call",
    "most_2": "leaders",
    "most_3": "final_feedback",
    "least_1": "governors",
    "least_2": "staff",
    "least_3": "safeguarding",
    "why": "The planning call set the tone.\nMeetings with governors were short.",
    "improve": "Give us the timetable a day earlier.",
}


def selected(page: str, name: str) -> str:
    """The value of the selected option of the <select name=...>."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.DOTALL)
    assert select, name
    option = re.search(r'<option value="([^"]*)"\s*selected', select.group(0))
    return option.group(1) if option else ""


def checked(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="radio" value="([^"]*)" checked', page)
    return found.group(1) if found else ""


async def test_provider_sees_an_empty_form_that_says_it_is_optional(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.get(f"/events/{world.event.id}/survey")
    assert response.status_code == 200
    page = unescape(response.text)
    assert '<h1 class="govuk-heading-l">Survey</h1>' in page
    assert "This survey is optional" in page
    assert "not anonymous" in page and "follow up" in page
    assert "It takes about 10 minutes" in page
    for statement in service.STATEMENTS.values():
        assert re.search(rf"<legend[^>]*>\s*{re.escape(statement)}\s*</legend>", page), statement
    assert page.count('type="radio"') == 7 * 5
    for rating in ["Strongly agree", "Agree", "Disagree", "Strongly disagree", "Not applicable"]:
        assert len(re.findall(rf"<label[^>]*>\s*{rating}\s*</label>", page)) == 7, rating
    for n in (1, 2, 3):
        for which in ("Most", "Least"):
            assert re.search(rf"<label[^>]*>\s*{which} useful activity {n}\s*</label>", page)
    assert page.count("<fieldset") == 7 + 2
    assert "The 3 activities you found most useful" in page
    assert "The 3 activities you found least useful" in page
    assert "Why were these activities the most or least useful?" in page
    assert "How could the inspection be improved?" in page
    assert re.search(r"<button[^>]*>\s*Save\s*</button>", page)
    assert f'data-hx-post="/events/{world.event.id}/survey/validate"' in page
    assert "Last saved by" not in page


async def test_provider_saves_and_returns_to_the_profile_with_a_banner(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/survey", FULL)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/events/{world.event.id}?done=")
    profile = await client.get(response.headers["location"])
    assert "Your survey answers have been saved" in profile.text
    assert "Saved on" in profile.text

    again = unescape((await client.get(f"/events/{world.event.id}/survey")).text)
    assert checked(again, "rating_professional") == "agree"
    assert checked(again, "rating_overall") == "strongly_agree"
    assert selected(again, "most_1") == "planning_call"
    assert selected(again, "least_3") == "safeguarding"
    assert "The planning call set the tone.\nMeetings with governors were short." in again
    assert f"Last saved by {world.provider_user.display_name} on" in again


async def test_partial_answers_save(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        f"/events/{world.event.id}/survey", {"rating_feedback": "disagree", "least_1": "staff"}
    )
    assert response.status_code == 303
    saved = await service.response_for(world.event.id)
    assert saved is not None
    assert saved.answers.ratings == {"feedback": "disagree"}
    assert saved.answers.activities["least_1"] == "staff"


async def test_colleague_edits_what_was_saved(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    await client.post(f"/events/{world.event.id}/survey", FULL)
    client.sign_out_locally()
    await client.sign_in_as(world.colleague)
    changed = {**FULL, "most_3": "", "rating_views": "not_applicable"}
    response = await client.post(f"/events/{world.event.id}/survey", changed, htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith(f"/events/{world.event.id}?done=")
    page = unescape((await client.get(f"/events/{world.event.id}/survey")).text)
    assert selected(page, "most_3") == ""
    assert checked(page, "rating_views") == "not_applicable"
    assert f"Last saved by {world.colleague.display_name}" in page
    assert await SurveyResponse.count() == 1


async def test_duplicate_activity_keeps_every_value_and_saves_nothing(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    bad = {**FULL, "least_2": "leaders"}
    response = await client.post(f"/events/{world.event.id}/survey", bad)
    assert response.status_code == 200
    page = unescape(response.text)
    assert "<title>Error: Survey" in page
    assert "There is a problem" in page
    message = "Least useful activity 2 must be different from most useful activity 2"
    assert f'<a href="#least_2">{message}' in page
    assert 'id="least_2-error"' in page
    assert selected(page, "least_2") == "leaders"
    assert selected(page, "most_1") == "planning_call"
    assert checked(page, "rating_overall") == "strongly_agree"
    assert "Give us the timetable a day earlier." in page
    assert await SurveyResponse.count() == 0


async def test_htmx_save_with_errors_returns_the_form_block(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    bad = {"most_1": "staff", "most_2": "staff", "improve": "Keep this text"}
    response = await client.post(f"/events/{world.event.id}/survey", bad, htmx=True)
    assert response.status_code == 200
    body = unescape(response.text)
    assert body.lstrip().startswith('<div id="survey-form">')
    assert "<html" not in body and "govuk-footer" not in body
    assert "govuk-error-summary" in body
    assert "Most useful activity 2 must be different from most useful activity 1" in body
    assert selected(body, "most_2") == "staff"
    assert "Keep this text" in body
    assert await SurveyResponse.count() == 0


async def test_validate_returns_the_activities_with_errors_and_saves_nothing(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        f"/events/{world.event.id}/survey/validate",
        {"most_1": "learners", "least_1": "learners", "rating_overall": "agree"},
        htmx=True,
    )
    assert response.status_code == 200
    body = unescape(response.text)
    assert body.lstrip().startswith('<div id="survey-activities"')
    # Only the menus: no headings or summary to steal the focus from the menu in use.
    assert "<h1" not in body and "<h2" not in body and "govuk-error-summary" not in body
    assert "Least useful activity 1 must be different from most useful activity 1" in body
    assert 'data-announce="There is a problem: Least useful activity 1' in body
    assert selected(body, "least_1") == "learners"
    assert await SurveyResponse.count() == 0


async def test_validate_without_problems_announces_nothing(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        f"/events/{world.event.id}/survey/validate", {"most_1": "learners"}, htmx=True
    )
    assert response.status_code == 200
    assert "data-announce" not in response.text
    assert "govuk-error-message" not in response.text
    assert selected(response.text, "most_1") == "learners"


async def test_validate_without_htmx_shows_the_whole_form(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        f"/events/{world.event.id}/survey/validate", {"most_1": "staff", "most_2": "staff"}
    )
    assert response.status_code == 200
    assert "<title>Error: Survey" in response.text
    assert "govuk-error-summary" in response.text
    assert await SurveyResponse.count() == 0


async def test_text_too_long_is_refused_with_the_text_kept(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/survey", {"improve": "z" * 2001})
    assert response.status_code == 200
    assert "How the inspection could be improved must be 2000 characters or fewer" in (
        response.text
    )
    assert "z" * 2001 in response.text


async def test_closed_event_shows_the_answers_view_only(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read(FULL))
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    await client.sign_in_as(world.provider_user)
    page = unescape((await client.get(f"/events/{world.event.id}/survey")).text)
    assert "the survey can no longer be changed" in page
    assert '<form method="post" action="/events/' not in page
    assert "Meetings with leaders and managers" in page
    assert "Strongly agree" in page
    assert "The planning call set the tone.<br>Meetings with governors were short." in page
    response = await client.post(f"/events/{world.event.id}/survey", {"why": "A new reason"})
    assert response.status_code == 200
    done = unescape(response.text)
    assert service.CLOSED in done and "govuk-notification-banner" in done
    assert "<select" not in done and "The planning call set the tone.<br>" in done
    assert "A new reason" not in done
    saved = await service.response_for(world.event.id)
    assert saved is not None and saved.answers.why.startswith("The planning call")


async def test_admin_reads_the_response_but_cannot_change_it(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read(FULL))
    await client.sign_in_as(world.admin)
    page = unescape((await client.get(f"/events/{world.event.id}/survey")).text)
    assert "Give us the timetable a day earlier." in page
    assert "<select" not in page
    assert f"Last saved by {world.provider_user.display_name}" in page
    assert (await client.post(f"/events/{world.event.id}/survey", FULL)).status_code == 403


async def test_inspector_sees_only_submitted_on_the_profile(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read(FULL))
    await client.sign_in_as(world.inspector)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert "Submitted" in profile
    assert f'href="/events/{world.event.id}/survey"' not in profile
    assert "Give us the timetable" not in profile
    response = await client.get(f"/events/{world.event.id}/survey")
    assert response.status_code == 403
    assert "Give us the timetable" not in response.text
