"""Each page's SQL query budget. A page asks the database a fixed number of times,
whatever the data: the budget holds with a handful of rows and again after many more
are added (a query per row or per section fails here first). Counts, not timings:
they do not flake. bench/pages.py measures what the queries cost."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.conduct.tables import Concern, ConductReading, EvidenceConfirmation
from portal.db.tables import AuditEvent, OutgoingMail
from portal.receipts.api import record
from tests.client import PortalClient
from tests.factories import Factory, World
from tests.queries import counted

FILE = {"name": "plan.pdf", "size": 1, "sha256": "0" * 64}  # a submission's file


@dataclass(frozen=True)
class Page:
    who: str
    path: str  # {event} is the world's event
    budget: int
    htmx: bool = False


# session and user (1) + the event and the user's place on it (1) + what the page shows.
PAGES = [
    Page("provider", "/events/{event}", 10),
    Page("lead_inspector", "/events/{event}", 10),
    Page("admin", "/events/{event}", 10),
    Page("lead_inspector", "/events", 5),  # + checks, open concerns, open requests
    Page("provider", "/events/{event}/documents", 3),
    Page("provider", "/events/{event}/documents", 3, htmx=True),
    Page("lead_inspector", "/events/{event}/ofsted-documents", 3),
    Page("provider", "/events/{event}/accuracy-check", 4),
    Page("provider", "/events/{event}/survey", 3),
    Page("lead_inspector", "/events/{event}/activity", 3),
    Page("provider", "/code-of-conduct", 1),
    Page("provider", "/events/{event}/concerns/new", 3),  # + whether there is a lead
    Page("lead_inspector", "/events/{event}/evidence-record", 5),
    Page("admin", "/admin", 1),
    Page("admin", "/admin/events", 3),
    Page("admin", "/admin/users", 3),
    Page("admin", "/admin/audit", 3),
    Page("admin", "/admin/waiting", 4),
    Page("admin", "/admin/mail", 3),
    Page("admin", "/admin/mail?status=failed", 3, htmx=True),
    Page("anonymous", "/sign-in", 0),
]


async def _more_rows(make: Factory, world: World) -> None:
    """Many more of everything the pages list."""
    for number in range(12):
        await make.document(world.event, world.provider_user, file_name=f"p{number}.pdf")
        await make.document(world.event, world.lead, side="ofsted", file_name=f"o{number}.pdf")
        inspector = await make.user("inspector")
        await make.member(world.event, inspector, "team")
        no_lead = await make.event(world.provider)
        await Concern(event=no_lead.id, text="No lead", raised_by=world.provider_user.id).save()
        await OutgoingMail(
            to_address="a@example.org", subject="S", text_body="", status="failed"
        ).save()
        await Concern(
            event=world.event.id, text=f"Concern {number}", raised_by=world.provider_user.id
        ).save()
        await EvidenceConfirmation(
            event=world.event.id, message=f"Request {number}", requested_by=world.lead.id
        ).save()
        await ConductReading(event=world.event.id, user=inspector.id).save()
        await AuditEvent(action="test", detail=f"row {number}").save()
        await record(world.event.id, inspector.id, "documents", f"Save {number}", files=[FILE])


async def _count(
    client: PortalClient, world: World, page: Page, caplog: pytest.LogCaptureFixture
) -> int:
    with counted(caplog) as queries:
        response = await client.get(page.path.format(event=world.event.id), htmx=page.htmx)
    assert response.status_code == 200, (page, response.status_code)
    assert queries.at_most(page.budget), f"{page}: over budget, {queries}"
    return queries.count


@pytest.mark.parametrize(
    "page", PAGES, ids=lambda p: f"{p.who}-{p.path}-{'htmx' if p.htmx else 'page'}"
)
async def test_a_page_keeps_its_query_budget_as_rows_grow(
    client: PortalClient, make: Factory, page: Page, caplog: pytest.LogCaptureFixture
) -> None:
    world = await make.world()
    user = world.user(page.who)
    if user is not None:
        await client.sign_in_as(user)
    few = await _count(client, world, page, caplog)
    await _more_rows(make, world)
    many = await _count(client, world, page, caplog)
    assert many == few, f"{page}: {few} queries with few rows, {many} with many"
