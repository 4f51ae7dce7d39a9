"""Answers rendered for htmx: one block of the page, then the page's <title> as it
now stands, so a swap that shows or clears errors changes the document title the way
a full page would ("Error: " first while errors show). Partial templates get none."""

from __future__ import annotations

import re

from portal.db.tables import Provider
from tests.accuracy.helpers import open_world
from tests.client import PortalClient
from tests.factories import Factory


def fragment_title(html: str) -> str | None:
    """The <title> at the top level of a fragment, as htmx would take it."""
    titles = re.findall(r"<title>(.*?)</title>", html, re.S)
    assert len(titles) <= 1
    return titles[0] if titles else None


async def test_a_swap_with_errors_titles_the_page_as_an_error_and_a_clean_one_does_not(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/accuracy-check"
    bad = {"action": "done", "wants_to_comment": "yes", "comments": ""}
    errors = await client.post(url, bad, htmx=True)
    assert "govuk-error-summary" in errors.text
    assert "<html" not in errors.text
    assert fragment_title(errors.text) == "Error: Factual accuracy check – Provider Portal"

    saved = await client.post(url, {"action": "save", "wants_to_comment": "yes"}, htmx=True)
    assert "govuk-error-summary" not in saved.text
    assert fragment_title(saved.text) == "Factual accuracy check – Provider Portal"


async def test_the_title_is_escaped_once(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await Provider.update({Provider.name: "Smith & Sons <Nursery>"}).where(
        Provider.id == world.provider.id
    )
    await client.sign_in_as(world.provider_user)
    bad = {"most_1": "staff", "most_2": "staff"}
    response = await client.post(f"/events/{world.event.id}/survey", bad, htmx=True)
    assert fragment_title(response.text) == (
        "Error: Survey: Smith &amp; Sons &lt;Nursery&gt; – Provider Portal"
    )
    page = await client.get(f"/events/{world.event.id}/survey")
    assert "<title>Survey: Smith &amp; Sons &lt;Nursery&gt; – Provider Portal</title>" in page.text


async def test_a_fragment_of_a_partial_template_has_no_title(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post(f"/events/{world.event.id}/code-of-conduct/read", {}, htmx=True)
    assert "You confirmed that you have read the code of conduct on" in response.text
    assert fragment_title(response.text) is None
