"""Every conduct route × every kind of user, full page and htmx (tests/access.py)."""

from __future__ import annotations

import pytest

from portal.clock import now
from portal.conduct.routes import CONCERN_ANSWERED, REQUEST_ANSWERED
from portal.conduct.tables import Concern, EvidenceConfirmation
from tests.access import AFTER_ACTION_BLOCK, WHO, Expect, check
from tests.client import PortalClient
from tests.factories import Factory, World

COVERS = {
    "conduct.code_of_conduct",
    "conduct.read",
    "conduct.concern_new",
    "conduct.concern_raise",
    "conduct.concern",
    "conduct.concern_respond",
    "conduct.evidence_new",
    "conduct.evidence_request",
    "conduct.evidence",
    "conduct.evidence_answer",
    "conduct.evidence_record",
    "conduct.evidence_record_download",
}


def _matrix(**ok: int | Expect) -> dict[str, str | int | Expect]:
    base: dict[str, str | int | Expect] = {
        "provider": 403,
        "other_provider": 404,
        "team_inspector": 403,
        "lead_inspector": 403,
        "other_inspector": 404,
        "admin": 403,
        "anonymous": "sign-in",
    }
    base.update(ok)
    return base


EVERYONE_ON_EVENT = _matrix(provider=200, team_inspector=200, lead_inspector=200, admin=200)
PROVIDER_ONLY = _matrix(provider=200)
TEAM_ONLY = _matrix(team_inspector=200, lead_inspector=200)
LEAD_ONLY = _matrix(lead_inspector=200)
RECORD = _matrix(team_inspector=200, lead_inspector=200, admin=200)
# Actions done: sent on to the event (303, HX-Redirect); reading confirmed: the full page
# goes back (303), htmx gets the updated block in place.
PROVIDER_ACTS = _matrix(provider=303)
TEAM_ACTS = _matrix(team_inspector=303, lead_inspector=303)
READ_CONFIRMED = _matrix(provider=AFTER_ACTION_BLOCK)


async def _concern(world: World) -> int:
    row = Concern(event=world.event.id, raised_by=world.provider_user.id, text="They were rude.")
    await row.save()
    return row.id


async def _request(world: World) -> int:
    row = EvidenceConfirmation(event=world.event.id, requested_by=world.lead.id)
    await row.save()
    return row.id


@pytest.mark.parametrize("who", WHO)
async def test_code_of_conduct_page_is_public(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    await check(client, world, who, "GET", "/code-of-conduct", 200)


@pytest.mark.parametrize("who", WHO)
async def test_confirm_reading_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/code-of-conduct/read"
    await check(client, world, who, "POST", url, READ_CONFIRMED[who])


@pytest.mark.parametrize("who", WHO)
async def test_raise_concern_page_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await check(
        client, world, who, "GET", f"/events/{world.event.id}/concerns/new", PROVIDER_ONLY[who]
    )


@pytest.mark.parametrize("who", WHO)
async def test_raise_concern_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/concerns"
    await check(client, world, who, "POST", url, PROVIDER_ACTS[who], {"concern": "Too rushed."})


@pytest.mark.parametrize("who", WHO)
async def test_concern_page_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    concern_id = await _concern(world)
    url = f"/events/{world.event.id}/concerns/{concern_id}"
    await check(client, world, who, "GET", url, EVERYONE_ON_EVENT[who])


@pytest.mark.parametrize("who", WHO)
async def test_concern_response_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    concern_id = await _concern(world)
    url = f"/events/{world.event.id}/concerns/{concern_id}/response"
    # Empty answers: the lead gets the form back with errors (200), the others no further.
    await check(client, world, who, "POST", url, LEAD_ONLY[who], {"response": "", "action": ""})


@pytest.mark.parametrize("who", WHO)
async def test_answered_concern_response_access(
    client: PortalClient, make: Factory, who: str
) -> None:
    """Already answered: the lead sees it as it is, with a message (200, full page and
    htmx alike); nothing changes, whoever tries."""
    world = await make.world()
    concern_id = await _concern(world)
    await Concern.update(
        {Concern.response: "Sorry.", Concern.action_taken: "None.", Concern.responded_at: now()}
    ).where(Concern.id == concern_id)
    url = f"/events/{world.event.id}/concerns/{concern_id}/response"
    data = {"response": "Changed", "action": "Changed"}
    await check(client, world, who, "POST", url, LEAD_ONLY[who], data)
    if who == "lead_inspector":
        for htmx in (False, True):
            page = (await client.post(url, data, htmx=htmx)).text
            assert CONCERN_ANSWERED in page and "Sorry." in page and "Send response" not in page
    row = await Concern.objects().where(Concern.id == concern_id).first()
    assert (row.response, row.action_taken) == ("Sorry.", "None.")


@pytest.mark.parametrize("who", WHO)
async def test_request_evidence_page_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/evidence-confirmations/new"
    await check(client, world, who, "GET", url, TEAM_ONLY[who])


@pytest.mark.parametrize("who", WHO)
async def test_request_evidence_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/evidence-confirmations"
    await check(client, world, who, "POST", url, TEAM_ACTS[who], {"message": ""})


@pytest.mark.parametrize("who", WHO)
async def test_evidence_request_page_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    request_id = await _request(world)
    url = f"/events/{world.event.id}/evidence-confirmations/{request_id}"
    await check(client, world, who, "GET", url, EVERYONE_ON_EVENT[who])


@pytest.mark.parametrize("who", WHO)
async def test_answer_evidence_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    request_id = await _request(world)
    url = f"/events/{world.event.id}/evidence-confirmations/{request_id}/answer"
    await check(client, world, who, "POST", url, PROVIDER_ONLY[who], {"answer": ""})


@pytest.mark.parametrize("who", WHO)
async def test_answered_evidence_request_access(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    request_id = await _request(world)
    await EvidenceConfirmation.update(
        {EvidenceConfirmation.answer: "all_provided", EvidenceConfirmation.answered_at: now()}
    ).where(EvidenceConfirmation.id == request_id)
    url = f"/events/{world.event.id}/evidence-confirmations/{request_id}/answer"
    data = {"answer": "outstanding", "outstanding": "Minutes."}
    await check(client, world, who, "POST", url, PROVIDER_ONLY[who], data)
    if who == "provider":
        for htmx in (False, True):
            page = (await client.post(url, data, htmx=htmx)).text
            assert REQUEST_ANSWERED in page and "Send answer" not in page
    row = await EvidenceConfirmation.objects().where(EvidenceConfirmation.id == request_id).first()
    assert (row.answer, row.outstanding) == ("all_provided", "")


@pytest.mark.parametrize("who", WHO)
async def test_evidence_record_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await check(client, world, who, "GET", f"/events/{world.event.id}/evidence-record", RECORD[who])


@pytest.mark.parametrize("who", WHO)
async def test_evidence_record_download_access(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}/evidence-record/download"
    await check(client, world, who, "GET", url, RECORD[who])


CLOSED_POSTS = [
    ("provider", "/code-of-conduct/read", {}),
    ("provider", "/concerns", {"concern": "Late"}),
    ("lead_inspector", "/concerns/{concern}/response", {"response": "a", "action": "b"}),
    ("team_inspector", "/evidence-confirmations", {"message": ""}),
    ("provider", "/evidence-confirmations/{request}/answer", {"answer": "all_provided"}),
]


@pytest.mark.parametrize(("who", "path", "data"), CLOSED_POSTS)
async def test_nothing_changes_on_a_closed_event(
    client: PortalClient, make: Factory, who: str, path: str, data: dict[str, str]
) -> None:
    world = await make.world()
    concern_id = await _concern(world)
    request_id = await _request(world)
    world.event.status = "closed"
    await world.event.save()
    url = f"/events/{world.event.id}" + path.format(concern=concern_id, request=request_id)
    await check(client, world, who, "POST", url, 403, data)
