"""Event pages kept once rendered (portal.web.page_cache): a second view costs only the
session and the access check, and what a viewer sees is never older than the event."""

from __future__ import annotations

import gzip
import re

import pytest

from portal.db.tables import Provider, TeamMember
from portal.web.banner import with_banner
from portal.web.page_cache import PageCache, fixed_widths_hold
from tests.auth.moving_clock import MovingClock, moving_clock  # noqa: F401 (a fixture)
from tests.client import PortalClient
from tests.factories import Factory
from tests.queries import counted

NONCE = re.compile(r'nonce="([^"]+)"')


def without_nonces(html: str) -> str:
    return NONCE.sub('nonce=""', html)


async def test_a_second_view_costs_only_the_session_and_the_access_check(
    client: PortalClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}"
    with counted(caplog) as first:
        fresh = await client.get(url)
    with counted(caplog) as second:
        kept = await client.get(url)
    assert fresh.status_code == kept.status_code == 200
    assert first.count > 2
    assert second.count == 2, second
    assert without_nonces(kept.text) == without_nonces(fresh.text)
    assert kept.headers["content-type"] == fresh.headers["content-type"]


async def test_every_change_to_what_the_page_shows_shows_at_once(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.lead)
    url = f"/events/{world.event.id}"
    assert "Oakfield Primary School" in (await client.get(url)).text

    await Provider.update({Provider.name: "Oakfield Academy"}).where(
        Provider.id == world.provider.id
    )
    assert "Oakfield Academy" in (await client.get(url)).text

    await TeamMember.update({TeamMember.pen_portrait: "Helen now leads on maths."}).where(
        TeamMember.user == world.lead.id
    )
    assert "Helen now leads on maths." in (await client.get(url)).text

    await make.document(
        world.event, world.lead, side="ofsted", kind="other", file_name="Timetable.pdf"
    )
    assert "Timetable.pdf" in (await client.get(url)).text


async def test_each_visitor_gets_their_own_form_token_and_script_nonce(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}"
    await client.sign_in_as(world.provider_user)
    first = await client.get(url)
    async with PortalClient.for_app(client.app) as other:
        await other.sign_in_as(world.provider_user)  # the same person, another browser
        second = await other.get(url)
        assert other.csrf_token != client.csrf_token
        assert other.csrf_token in second.text
        assert client.csrf_token not in second.text
    for page in (first, second):
        header = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
        assert header is not None
        assert set(NONCE.findall(page.text)) == {header.group(1)}
    assert NONCE.findall(first.text)[0] != NONCE.findall(second.text)[0]


async def test_a_page_with_a_banner_is_made_for_that_request_only(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}"
    await client.get(url)
    signed = with_banner(_RequestLike(client), url, "Your documents have been saved")
    assert "Your documents have been saved" in (await client.get(signed)).text
    assert "Your documents have been saved" not in (await client.get(url)).text


async def test_the_page_is_made_again_when_the_minute_turns(
    client: PortalClient,
    make: Factory,
    moving_clock: MovingClock,  # noqa: F811 (the fixture)
) -> None:
    """Deadlines pass and checks close with time alone: a page is kept a minute at most."""
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}"
    cache: PageCache = client.app.state.page_cache
    await client.get(url)
    made = cache.misses
    moving_clock.advance(seconds=30)
    await client.get(url)
    assert cache.misses == made
    moving_clock.advance(seconds=31)
    await client.get(url)
    assert cache.misses == made + 1


async def test_a_screen_and_its_htmx_block_are_kept_apart(
    client: PortalClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/documents"
    block = await client.get(url, htmx=True)
    page = await client.get(url)
    with counted(caplog) as queries:
        block_again = await client.get(url, htmx=True)
    assert queries.count == 2, queries
    assert "<html" not in block.text and 'id="document-list"' in block.text
    assert page.text.startswith("<!DOCTYPE html>") and 'id="document-list"' in page.text
    assert without_nonces(block_again.text) == without_nonces(block.text)


async def test_another_person_never_gets_a_page_made_for_someone_else(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    url = f"/events/{world.event.id}"
    await client.sign_in_as(world.lead)
    lead_page = (await client.get(url)).text
    await client.sign_in_as(world.inspector)
    inspector_page = (await client.get(url)).text
    assert world.lead.display_name in lead_page
    assert without_nonces(lead_page) != without_nonces(inspector_page)
    assert client.csrf_token in inspector_page


def test_the_least_recently_used_page_goes_first() -> None:
    cache = PageCache(size=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") is not None  # now b is the oldest
    cache.put("c", "C")
    assert cache.get("b") is None
    assert [kept.texts for kept in (cache.get("a"), cache.get("c"))] == [("A",), ("C",)]


VALUES = {
    "csrf_token": "d068a8b1c24fb1e92641a2ae7607bf8a0e39f2aec5b1d0e3c2f1a9b8e7d6c5b4",
    "csp_nonce": "N0nce-of-22-characters",
    "session_ends_in": "001800",
    "session_ends_by": "043190",
}


def test_only_its_own_markers_are_filled_in() -> None:
    cache = PageCache()
    marker = cache.markers["csrf_token"]
    kept = cache.put("k", f'<input value="{marker}"> csrf_token csp_nonce pc0000csrftoken')
    token = VALUES["csrf_token"]
    assert kept.html(VALUES) == f'<input value="{token}"> csrf_token csp_nonce pc0000csrftoken'


def test_the_kept_gzip_is_the_filled_in_page_and_nearly_as_small() -> None:
    cache = PageCache()
    m = cache.markers
    rows = "".join(f"<tr><td>Document {n}.pdf</td><td>{n * 37} KB</td></tr>" for n in range(200))
    html = (
        f'<body data-token="{m["csrf_token"]}"><script nonce="{m["csp_nonce"]}"></script>'
        f"<table>{rows}</table>"
        f'<form><input value="{m["csrf_token"]}"></form><table>{rows}</table>'
        f'<dialog data-ends-in="{m["session_ends_in"]}" data-ends-by="{m["session_ends_by"]}">'
        f'<script nonce="{m["csp_nonce"]}"></script></body>'
    )
    kept = cache.put("k", html)
    body = kept.html(VALUES).encode()
    answer = kept.gzip({name: value.encode() for name, value in VALUES.items()}, body)
    assert gzip.decompress(answer) == body
    assert VALUES["csrf_token"].encode() in body and b"pc" not in body
    # Back-references reach past the fixed-width values: near what gzip of the whole page
    # gives (each piece has its own block headers); without them this page is 1.9x.
    assert len(answer) < len(gzip.compress(body, 6)) * 1.2


def test_a_value_of_another_width_goes_uncompressed_by_us() -> None:
    assert fixed_widths_hold(VALUES)
    assert not fixed_widths_hold({**VALUES, "csp_nonce": "short"})
    assert not fixed_widths_hold({**VALUES, "session_ends_in": "5"})


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [
        ("br, gzip, deflate", True),
        ("gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0, br", False),
        ("br", False),
        ("", False),
    ],
)
async def test_gzip_goes_only_to_a_browser_that_takes_it(
    client: PortalClient, make: Factory, accept: str, gzipped: bool
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}"
    made = await client.get(url, headers={"Accept-Encoding": accept})
    kept = await client.get(url, headers={"Accept-Encoding": accept})
    # Made for its request, a page is compressed as any page is (brotli first).
    assert made.headers.get("content-encoding") != "gzip" or "br" not in accept
    assert (kept.headers.get("content-encoding") == "gzip") is gzipped
    for answer in (made, kept):
        assert answer.status_code == 200
        assert "accept-encoding" in answer.headers["vary"].lower()
        assert "Oakfield Primary School" in answer.text


class _RequestLike:
    """with_banner reads only the app (its secret key)."""

    def __init__(self, client: PortalClient) -> None:
        self.app = client.app


async def test_the_timeout_warning_on_a_kept_page_counts_from_this_request(
    client: PortalClient,
    make: Factory,
    moving_clock: MovingClock,  # noqa: F811 (the fixture)
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}"
    cache: PageCache = client.app.state.page_cache
    ends_by = re.compile(r'data-ends-by="(\d+)"')
    first = ends_by.search((await client.get(url)).text)
    moving_clock.advance(seconds=20)
    made = cache.misses
    second = ends_by.search((await client.get(url)).text)
    assert cache.misses == made  # the kept page
    assert first is not None and second is not None
    assert int(first.group(1)) - int(second.group(1)) == 20


async def test_the_sign_in_page_is_kept_with_each_visitors_own_token(
    client: PortalClient, db: object
) -> None:
    cache: PageCache = client.app.state.page_cache
    await client.get("/sign-in")  # made (and the pre-session cookie set)
    made = cache.misses
    page = await client.get("/sign-in")
    assert cache.misses == made
    assert f'name="csrf_token" value="{client.csrf_token}"' in page.text
    async with PortalClient.for_app(client.app) as other:
        await other.get("/sign-in")
        second = await other.get("/sign-in")
        assert cache.misses == made
        assert f'name="csrf_token" value="{other.csrf_token}"' in second.text
        assert other.csrf_token != client.csrf_token
    kept = len(cache)
    with_next = await client.get("/sign-in?next=/events")  # made for this request only
    assert 'name="next" value="/events"' in with_next.text
    assert len(cache) == kept
    assert 'name="next"' not in (await client.get("/sign-in")).text
