"""Each submission gets a reference, shown in its confirmation and stored with what was
submitted; a submission that fails leaves no receipt."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from portal.conduct.tables import EvidenceConfirmation
from portal.db.tables import Document
from portal.receipts.tables import Submission
from portal.survey.tables import SurveyResponse
from tests.accuracy.helpers import open_world, stored
from tests.client import PortalClient
from tests.documents.conftest import upload
from tests.documents.samples import PDF
from tests.factories import Factory

REFERENCE = re.compile(r"PP-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")


async def submissions(event_id: int) -> list[dict[str, Any]]:
    return await (
        Submission.select()
        .where(Submission.event == event_id)
        .order_by(Submission.id)
        .output(load_json=True)
    )


def banner_reference(location: str) -> str:
    done = parse_qs(urlparse(location).query)["done"][0]
    found = REFERENCE.search(done)
    assert found, done
    assert f"Your reference is {found.group(0)}" in done
    return found.group(0)


def fail_after_the_receipt(monkeypatch: pytest.MonkeyPatch, service: Any) -> None:
    """`service.record_submission` writes the receipt, then the change fails: the whole
    transaction, receipt included, must roll back."""
    real = service.record_submission

    async def then_fail(*args: Any, **kwargs: Any) -> str:
        await real(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "record_submission", then_fail)


async def test_a_documents_save_has_a_reference_with_its_files(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    old = await make.document(world.event, world.colleague, file_name="old-plan.pdf")
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/documents"
    await upload(client, url, [("policy.pdf", PDF)])
    await client.post(f"{url}/{old.id}/delete")
    response = await client.post(f"{url}/save")
    reference = banner_reference(response.headers["location"])
    profile = await client.get(response.headers["location"])
    assert f"Your reference is {reference}" in profile.text
    [row] = await submissions(world.event.id)
    assert row["reference"] == reference
    assert row["kind"] == "documents"
    assert row["actor"] == world.provider_user.id
    assert row["summary"] == "Documents uploaded by provider: 1 saved; 1 deleted (old-plan.pdf)"
    assert row["details"]["files"] == [
        {"name": "policy.pdf", "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}
    ]
    # and it is listed, and has its receipt
    activity = await client.get(f"/events/{world.event.id}/activity")
    assert reference in activity.text and hashlib.sha256(PDF).hexdigest() in activity.text
    receipt = await client.get(f"/events/{world.event.id}/activity/{reference}")
    assert receipt.status_code == 200 and "policy.pdf" in receipt.text


async def test_a_documents_save_that_fails_leaves_no_receipt(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/documents"
    await upload(client, url, [("policy.pdf", PDF)])
    from portal.documents import service

    fail_after_the_receipt(monkeypatch, service)
    assert (await client.post(f"{url}/save")).status_code == 500
    assert await submissions(world.event.id) == []
    assert (await Document.select(Document.state))[0]["state"] == "staged"


async def test_nothing_to_save_is_no_submission(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/documents/save")
    assert "reference" not in response.headers["location"]
    assert await submissions(world.event.id) == []


async def test_the_accuracy_check_done_has_a_reference_shown_on_the_check(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    check_url = f"/events/{world.event.id}/accuracy-check"
    response = await client.post(
        check_url, {"action": "done", "wants_to_comment": "no", "confirmed": "yes"}
    )
    assert response.status_code == 303
    [row] = await submissions(world.event.id)
    assert row["kind"] == "accuracy" and row["actor"] == world.provider_user.id
    assert row["summary"].endswith("draft report: No")
    page = (await client.get(check_url)).text
    assert f"Your reference is <strong>{row['reference']}</strong>" in page
    assert f"/events/{world.event.id}/activity/{row['reference']}" in page
    # the lead inspector reads the same check, with its reference
    await client.sign_in_as(world.lead)
    assert row["reference"] in (await client.get(check_url)).text


async def test_an_accuracy_check_that_fails_to_complete_leaves_no_receipt(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    from portal.accuracy import service

    fail_after_the_receipt(monkeypatch, service)
    response = await client.post(
        f"/events/{world.event.id}/accuracy-check",
        {"action": "done", "wants_to_comment": "no", "confirmed": "yes"},
    )
    assert response.status_code == 500
    assert await submissions(world.event.id) == []
    assert (await stored(world.event)).completed_at is None


async def test_a_survey_save_with_answers_has_a_reference(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/survey", {"rating_overall": "agree"})
    reference = banner_reference(response.headers["location"])
    [row] = await submissions(world.event.id)
    assert (row["reference"], row["kind"], row["summary"]) == (
        reference,
        "survey",
        "Survey answers saved",
    )
    assert "agree" not in str(row["details"])  # the team sees that it was sent, not what


async def test_an_empty_survey_save_is_no_submission(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/survey", {})
    assert "reference" not in parse_qs(urlparse(response.headers["location"]).query)["done"][0]
    assert await submissions(world.event.id) == []


async def test_a_survey_save_that_fails_leaves_no_receipt(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    from portal.survey import service

    fail_after_the_receipt(monkeypatch, service)
    response = await client.post(f"/events/{world.event.id}/survey", {"rating_overall": "agree"})
    assert response.status_code == 500
    assert await submissions(world.event.id) == []
    assert await SurveyResponse.count() == 0


async def test_a_concern_raised_has_a_reference(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        f"/events/{world.event.id}/concerns", {"concern": "The inspector arrived late."}
    )
    reference = banner_reference(response.headers["location"])
    [row] = await submissions(world.event.id)
    assert (row["reference"], row["kind"]) == (reference, "concern")
    assert row["summary"] == "A concern: The inspector arrived late."


async def test_an_evidence_answer_has_a_reference_page_and_htmx(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    for number in (1, 2):
        await EvidenceConfirmation(
            event=world.event.id, message=f"Request {number}", requested_by=world.lead.id
        ).save()
    ids = [r["id"] for r in await EvidenceConfirmation.select(EvidenceConfirmation.id)]
    await client.sign_in_as(world.provider_user)
    base = f"/events/{world.event.id}/evidence-confirmations"
    response = await client.post(
        f"{base}/{ids[0]}/answer", {"answer": "outstanding", "outstanding": "Minutes of June."}
    )
    reference = banner_reference(response.headers["location"])
    fragment = await client.post(f"{base}/{ids[1]}/answer", {"answer": "all_provided"}, htmx=True)
    rows = await submissions(world.event.id)
    assert [r["kind"] for r in rows] == ["evidence", "evidence"]
    assert rows[0]["reference"] == reference
    assert rows[0]["summary"] == "Some evidence is still outstanding: Minutes of June."
    assert f"Your reference is <strong>{rows[1]['reference']}</strong>" in fragment.text


async def test_an_evidence_answer_that_fails_leaves_no_receipt(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make.world()
    await EvidenceConfirmation(
        event=world.event.id, message="Request", requested_by=world.lead.id
    ).save()
    [request] = await EvidenceConfirmation.select(EvidenceConfirmation.id)
    from portal.conduct import service

    fail_after_the_receipt(monkeypatch, service)
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/evidence-confirmations/{request['id']}/answer"
    assert (await client.post(url, {"answer": "all_provided"})).status_code == 500
    assert await submissions(world.event.id) == []
    [row] = await EvidenceConfirmation.select(EvidenceConfirmation.answered_at)
    assert row["answered_at"] is None
