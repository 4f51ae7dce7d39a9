"""Publishing the final report tells the provider's users, with how to complain."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar

from portal.documents.publishing import published
from tests import outbox
from tests.factories import Factory
from tests.outbox import settings as settings  # the public address is outbox.BASE_URL


async def test_the_final_report_published_says_how_to_complain(
    make: Factory, app: Litestar
) -> None:
    world = await make.world()
    await make.document(world.event, world.lead, side="ofsted", kind="final_report")
    await published(world.event.id, "letter", datetime.now(UTC))
    assert await outbox.queued() == []  # a letter is not a report

    await published(world.event.id, "final_report", datetime.now(UTC))
    mails = await outbox.queued()
    assert sorted(mail.to for mail in mails) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    for mail in mails:
        assert mail.subject == (
            f"The final report has been published: Oakfield Primary School "
            f"({world.event.event_ref})"
        )
        assert "If you want to complain" in mail.text
        assert "you can complain to Ofsted" in mail.text
        outbox.only_links_to(
            mail,
            f"{outbox.BASE_URL}/events/{world.event.id}#ofsted-documents",
            f"{outbox.BASE_URL}/events/{world.event.id}#complaints",
            f"{outbox.BASE_URL}/code-of-conduct#complaints",
        )
    assert await outbox.to(world.lead.email) == []
