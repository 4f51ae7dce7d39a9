"""The factual accuracy check's mails: the draft report published (the check is open),
'Done' (the provider's receipt, the lead inspector's notice), each in the transaction of
the change that causes it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar

from portal import notify
from portal.accuracy import notices, service
from portal.accuracy.forms import Answers
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import Document, OutgoingMail
from portal.documents import publishing
from tests import outbox
from tests.accuracy.helpers import access_for, open_world, publish_draft, stored
from tests.factories import Factory
from tests.outbox import settings as settings  # the public address is outbox.BASE_URL

PUBLISHED = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # a Friday: due 5pm Friday 4 December
DUE = "5pm on Friday 4 December 2026"
YES = Answers(wants_to_comment="yes", confirmed=True, comments="Paragraph 3: we have 212 pupils.")


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _links(app: Litestar) -> None:
    """The app is built: links and messages know the public address."""


def check_url(event_id: int) -> str:
    return f"{outbox.BASE_URL}/events/{event_id}/accuracy-check"


async def test_the_draft_report_published_tells_every_provider_user_once(make: Factory) -> None:
    world = await make.world()
    await publish_draft(make, world, world.event, PUBLISHED)
    mails = await outbox.queued()
    assert sorted(mail.to for mail in mails) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    for mail in mails:
        assert mail.subject == f"Check the draft report for factual accuracy by {DUE}"
        assert "The factual accuracy check is now open. Complete it by:" in mail.text
        assert DUE in mail.text and world.event.event_ref in mail.text
        assert "Oakfield Primary School" in mail.text
        assert "the inspection support team on 0300 000 0000" in mail.text  # more time
        outbox.only_links_to(mail, check_url(world.event.id))
    first = next(mail for mail in mails if mail.to == world.provider_user.email)
    assert f"Dear {world.provider_user.display_name}," in first.text

    # A second draft (a replayed Save, a new version) does not open it, or mail, again.
    await publish_draft(make, world, world.event, PUBLISHED)
    assert await OutgoingMail.count() == 2


async def test_a_save_that_rolls_back_publishes_nothing_and_mails_no_one(
    make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents Save, the check and its mails are one transaction."""
    from portal.documents import service as documents

    world = await make.world()
    draft = await make.document(
        world.event, world.lead, side="ofsted", kind="draft_report", state="staged"
    )
    real = publishing.open_check

    async def open_then_fail(event_id: int, at: datetime, **how: Any) -> None:
        await real(event_id, at, **how)
        assert await OutgoingMail.count() == 2  # queued, inside the Save's transaction
        raise Boom

    monkeypatch.setattr(publishing, "open_check", open_then_fail)
    access = await access_for(world.lead, world.event)
    with pytest.raises(Boom):
        await documents.save(access, "ofsted", make.files)
    assert await OutgoingMail.count() == 0
    assert await AccuracyCheck.count() == 0
    row = await Document.select(Document.state).where(Document.id == draft.id).first()
    assert row == {"state": "staged"}

    monkeypatch.setattr(publishing, "open_check", real)
    await documents.save(access, "ofsted", make.files)
    assert await AccuracyCheck.count() == 1
    assert await OutgoingMail.count() == 2


async def test_done_sends_the_provider_a_receipt_and_the_lead_a_notice(make: Factory) -> None:
    world = await open_world(make, PUBLISHED)
    await OutgoingMail.delete(force=True)  # the "check is open" mails
    access = await access_for(world.provider_user, world.event)
    assert await service.complete(await service.state(access), YES) == service.SAVED
    completed_at = (await stored(world.event)).completed_at
    assert completed_at is not None

    receipts = [
        *await outbox.to(world.provider_user.email),
        *await outbox.to(world.colleague.email),
    ]
    assert len(receipts) == 2
    for mail in receipts:
        assert mail.subject.startswith(
            f"Factual accuracy check sent to Ofsted: Oakfield Primary School "
            f"({world.event.event_ref})"
        )
        assert (
            f"{world.provider_user.display_name} completed the factual accuracy check" in mail.text
        )
        assert "Do you wish to make any comments about the factual accuracy" in mail.text
        assert YES.comments in mail.text
        assert "I confirm that I have entered all my comments on the draft report: Yes" in mail.text
        found = re.search(r"Your reference is (PP-[A-Z0-9]{4}-[A-Z0-9]{4})\.", mail.text)
        assert found, mail.text
        assert mail.subject.endswith(f", reference {found[1]}")
        receipt = f"{outbox.BASE_URL}/events/{world.event.id}/activity/{found[1]}"
        outbox.only_links_to(mail, check_url(world.event.id), receipt)

    [notice] = await outbox.to(world.lead.email)
    assert notice.subject == (
        f"Factual accuracy check completed: Oakfield Primary School ({world.event.event_ref})"
    )
    assert "The provider wishes to make comments" in notice.text
    assert f"Reference: {found[1]}" in notice.text
    assert YES.comments not in notice.text  # the answers are read in the portal
    outbox.only_links_to(notice, check_url(world.event.id))
    assert await outbox.to(world.inspector.email) == []  # a team inspector is not told
    assert len(await outbox.queued()) == 3


async def test_done_that_rolls_back_completes_nothing_and_mails_no_one(
    make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await open_world(make, PUBLISHED)
    await OutgoingMail.delete(force=True)
    real = notify.send

    async def fail_on_the_lead(message: str, to: Any, **values: Any) -> None:
        await real(message, to, **values)
        if message == "accuracy_check_completed":  # after the receipts were queued
            raise Boom

    monkeypatch.setattr(notices.notify, "send", fail_on_the_lead)
    access = await access_for(world.provider_user, world.event)
    with pytest.raises(Boom):
        await service.complete(await service.state(access), YES)
    assert await OutgoingMail.count() == 0
    check = await stored(world.event)
    assert (check.status, check.completed_at) == ("not_started", None)

    monkeypatch.setattr(notices.notify, "send", real)
    assert await service.complete(await service.state(access), YES) == service.SAVED
    assert await OutgoingMail.count() == 3
