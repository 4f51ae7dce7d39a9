"""Published reports are records, over HTTP: the Ofsted documents screen and the profile
list every version (newest first, earlier ones marked superseded); deleting a published
report is not offered, and refused with the error summary when asked for anyway (page
and htmx, nothing written); the accuracy check names the version it is about."""

from __future__ import annotations

import html
import re
from typing import Any

from portal.db.tables import Document
from tests.access import check
from tests.client import PortalClient
from tests.documents.conftest import LimitedClient, upload
from tests.documents.samples import PDF
from tests.factories import Factory, World

REFUSED_V2 = (
    "You cannot delete ‘Draft v2.pdf’ because the draft report has been published and the "
    "factual accuracy check has started. To replace it, upload the new version as a draft "
    "report and select Save."
)
REFUSED_V1 = (
    "You cannot delete ‘Draft v1.pdf’. It is an earlier version of the draft report and is "
    "kept as a record."
)


def ofsted_url(world: World) -> str:
    return f"/events/{world.event.id}/ofsted-documents"


async def publish(
    client: PortalClient, world: World, name: str, kind: str = "draft_report"
) -> None:
    response = await upload(client, ofsted_url(world), [(name, PDF)], data={"kind": kind})
    assert response.status_code == 303
    assert (await client.post(f"{ofsted_url(world)}/save")).status_code == 303


async def documents(world: World) -> dict[str, dict[str, Any]]:
    rows = await Document.select().where(Document.event == world.event.id)
    return {row["file_name"]: row for row in rows}


def text(page: str) -> str:
    """The page's words, tags and extra spaces out."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def summary(page: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert match, "no error summary"
    return text(match.group(0))


async def test_lead_publishes_two_versions_and_both_are_listed(
    client: PortalClient, limited_client: LimitedClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.lead)
    await publish(client, world, "Draft v1.pdf")
    page = await client.get(ofsted_url(world))
    assert "Draft report, version 1" in text(page.text)
    assert "Earlier versions of reports" not in page.text
    v1 = (await documents(world))["Draft v1.pdf"]
    assert f"/ofsted-documents/{v1['id']}/delete" not in page.text  # delete not offered

    await publish(client, world, "Draft v2.pdf")
    stored = await documents(world)
    assert (stored["Draft v1.pdf"]["state"], stored["Draft v2.pdf"]["state"]) == (
        "superseded",
        "live",
    )
    for response in (
        await client.get(ofsted_url(world)),
        await client.get(ofsted_url(world), htmx=True),
    ):
        words = text(response.text)
        assert "Draft v2.pdf Draft report, version 2" in words
        earlier = words[words.index("Earlier versions of reports") :]
        assert "Draft v1.pdf Draft report, version 1" in earlier
        assert "Superseded" in earlier
        assert f"/ofsted-documents/{v1['id']}/delete" not in response.text
        assert f"/ofsted-documents/{stored['Draft v2.pdf']['id']}/delete" not in response.text
        # The earlier version is still there to download.
        assert f"/documents/{v1['id']}/download" in response.text

    # The provider sees both on the profile, newest first, the earlier one superseded.
    async with limited_client() as provider:
        await provider.sign_in_as(world.provider_user)
        profile = await provider.get(f"/events/{world.event.id}")
        section = text(profile.text[profile.text.index('id="ofsted-documents"') :])
        assert section.index("Draft v2.pdf") < section.index("Draft v1.pdf")
        assert "Draft v2.pdf Draft report, version 2" in section
        assert re.search(r"Draft v1\.pdf Draft report, version 1 Superseded on \d", section)
        download = await provider.get(f"/events/{world.event.id}/documents/{v1['id']}/download")
        assert download.status_code == 200 and download.content == PDF


async def test_deleting_a_published_report_is_refused(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.lead)
    await publish(client, world, "Draft v1.pdf")
    await publish(client, world, "Draft v2.pdf")
    before = await documents(world)
    for name, message in (("Draft v2.pdf", REFUSED_V2), ("Draft v1.pdf", REFUSED_V1)):
        url = f"{ofsted_url(world)}/{before[name]['id']}/delete"
        for htmx in (False, True):
            for response in (
                await client.get(url, htmx=htmx),
                await client.post(url, {}, htmx=htmx),
            ):
                assert response.status_code == 200
                assert "HX-Redirect" not in response.headers
                assert summary(response.text) == f"There is a problem {message}"
                assert '<a href="#kind">' in response.text
                if htmx:
                    assert response.text.lstrip().startswith('<div id="document-list">')
                else:
                    assert "<title>Error: Documents Uploaded by Ofsted" in response.text
    assert await documents(world) == before  # nothing written
    # Save afterwards deletes nothing either.
    await client.post(f"{ofsted_url(world)}/save")
    assert {name: row["state"] for name, row in (await documents(world)).items()} == {
        "Draft v1.pdf": "superseded",
        "Draft v2.pdf": "live",
    }


async def test_a_final_report_once_published_is_kept_too(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.inspector)  # a team inspector may publish too
    await publish(client, world, "Final v1.pdf", "final_report")
    await publish(client, world, "Final v2.pdf", "final_report")
    stored = await documents(world)
    assert (stored["Final v1.pdf"]["version"], stored["Final v1.pdf"]["state"]) == (1, "superseded")
    assert (stored["Final v2.pdf"]["version"], stored["Final v2.pdf"]["state"]) == (2, "live")
    response = await client.post(f"{ofsted_url(world)}/{stored['Final v2.pdf']['id']}/delete", {})
    assert summary(response.text).startswith(
        "There is a problem You cannot delete ‘Final v2.pdf’ because the final report has been "
        "published."
    )
    assert (await documents(world))["Final v2.pdf"]["state"] == "live"


async def test_who_may_try_and_on_which_event(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.lead)
    await publish(client, world, "Draft v1.pdf")
    report = (await documents(world))["Draft v1.pdf"]
    url = f"{ofsted_url(world)}/{report['id']}/delete"
    expected = {
        "provider": 403,
        "other_provider": 404,
        "team_inspector": 200,  # the refusal, with the error summary
        "lead_inspector": 200,
        "other_inspector": 404,
        "admin": 403,
        "anonymous": "sign-in",
    }
    for who, answer in expected.items():
        await check(client, world, who, "POST", url, answer)
        await check(client, world, who, "GET", url, answer)
    assert (await documents(world))["Draft v1.pdf"]["state"] == "live"
    # The report asked for through another event's address: not there.
    await client.sign_in_as(world.outsider)
    other = f"/events/{world.other_event.id}/ofsted-documents/{report['id']}/delete"
    assert (await client.post(other, {})).status_code == 404
    assert (await client.get(other)).status_code == 404


async def test_the_check_names_its_version_and_keeps_it_once_completed(
    client: PortalClient, limited_client: LimitedClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.lead)
    await publish(client, world, "Draft v1.pdf")
    check_url = f"/events/{world.event.id}/accuracy-check"
    async with limited_client() as provider:
        await provider.sign_in_as(world.provider_user)
        page = text((await provider.get(check_url)).text)
        assert "Draft inspection report: Draft v1.pdf" in page
        assert re.search(r"Version 1, published \d+ \w+ \d{4} at \d", page)

        # A new version while the check is open: the check is about it now.
        await publish(client, world, "Draft v2.pdf")
        page = text((await provider.get(check_url)).text)
        assert "Draft inspection report: Draft v2.pdf" in page
        assert "Version 2, published" in page

        done = await provider.post(
            check_url,
            {"wants_to_comment": "no", "confirmed": "yes", "comments": "", "action": "done"},
        )
        assert done.status_code == 303

    # Completed on version 2; version 3 comes after: the check still links to version 2.
    await publish(client, world, "Draft v3.pdf")
    v2 = (await documents(world))["Draft v2.pdf"]
    page = await client.get(check_url)
    words = text(page.text)
    assert "Draft inspection report: Draft v2.pdf" in words
    assert f"/documents/{v2['id']}/download" in page.text
    assert re.search(r"Version 2, published .*?\. A newer version was published on \d", words)
    assert 'href="/events/' in page.text and "#ofsted-documents" in page.text
