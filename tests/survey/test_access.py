"""The survey's routes × every kind of user, full page and htmx alike (tests/access.py)."""

from __future__ import annotations

from html import unescape

import pytest

from portal.db.tables import Event
from portal.survey import forms, service
from tests.access import WHO, check
from tests.client import PortalClient
from tests.factories import Factory

# Provider users fill it in; inspectors on the team learn only whether it was submitted
# (on the profile page), so the form itself is 403 for them; the administrator reads it.
READ = {
    "provider": 200,
    "other_provider": 404,
    "team_inspector": 403,
    "lead_inspector": 403,
    "other_inspector": 404,
    "admin": 200,
    "anonymous": "sign-in",
}
# Checking answers shows the form again (200); saving sends the provider on (303).
CHANGE = {**READ, "admin": 403}
SAVE = {**CHANGE, "provider": 303}
# A change after the event closed is "already done": the provider gets the answers view
# only with the message, 200, and nothing is written (asserted below).
CLOSED_CHANGE = CHANGE
ADMIN_ONLY = {
    "provider": 403,
    "other_provider": 403,
    "team_inspector": 403,
    "lead_inspector": 403,
    "other_inspector": 403,
    "admin": 200,
    "anonymous": "sign-in",
}
ANSWER = {"rating_overall": "agree", "most_1": "staff"}

COVERS = {"survey.form", "survey.save", "survey.validate", "survey.admin", "survey.admin_csv"}


@pytest.mark.parametrize("who", WHO)
async def test_survey_form_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await check(client, world, who, "GET", f"/events/{world.event.id}/survey", READ[who])


@pytest.mark.parametrize("who", WHO)
async def test_survey_save_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/survey"
    await check(client, world, who, "POST", url, SAVE[who], ANSWER)


@pytest.mark.parametrize("who", WHO)
async def test_survey_validate_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/survey/validate"
    await check(client, world, who, "POST", url, CHANGE[who], ANSWER)


@pytest.mark.parametrize("who", WHO)
async def test_closed_event_survey_is_view_only(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read(ANSWER))
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    base = f"/events/{world.event.id}/survey"
    await check(client, world, who, "GET", base, READ[who])
    await check(client, world, who, "POST", base, CLOSED_CHANGE[who], ANSWER)
    await check(client, world, who, "POST", f"{base}/validate", CLOSED_CHANGE[who], ANSWER)
    saved = await service.response_for(world.event.id)
    assert saved is not None and saved.answers.activities["most_1"] == "staff"
    assert saved.answers.ratings == {"overall": "agree"}
    if who == "provider":
        for url in (base, f"{base}/validate"):
            for htmx in (False, True):
                changed = {"rating_overall": "disagree", "most_1": "leaders"}
                response = await client.post(url, changed, htmx=htmx)
                assert response.status_code == 200
                assert service.CLOSED in unescape(response.text)
                assert "<select" not in response.text  # view only
                if htmx:
                    assert response.headers["hx-retarget"] == "#survey-form"
        saved = await service.response_for(world.event.id)
        assert saved is not None and saved.answers.activities["most_1"] == "staff"


@pytest.mark.parametrize("who", WHO)
async def test_other_event_survey_is_hidden(client: PortalClient, make: Factory, who: str) -> None:
    """The other provider's event, seen from the same cast: the mirror image of the above."""
    world = await make.world()
    mirror = {
        "provider": 404,
        "other_provider": 200,
        "team_inspector": 404,
        "lead_inspector": 404,
        "other_inspector": 403,
        "admin": 200,
        "anonymous": "sign-in",
    }
    await check(client, world, who, "GET", f"/events/{world.other_event.id}/survey", mirror[who])


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", ["/admin/surveys", "/admin/surveys?page=1", "/admin/surveys.csv"])
async def test_admin_survey_pages_access(
    client: PortalClient, make: Factory, who: str, url: str
) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read(ANSWER))
    await check(client, world, who, "GET", url, ADMIN_ONLY[who])


async def test_unknown_event_survey_is_404(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    assert (await client.get("/events/999999/survey")).status_code == 404
    assert (await client.post("/events/999999/survey", ANSWER)).status_code == 404


async def test_save_without_csrf_token_is_refused(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/survey", ANSWER, csrf_token=False)
    assert response.status_code == 403
    assert await service.response_for(world.event.id) is None
