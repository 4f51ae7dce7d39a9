"""After sign-in the user goes back where they were going (`next`), but only to a page of
this site: never an open redirect to another host, however the address is disguised."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.client import PortalClient
from tests.conftest import Database
from tests.factories import PASSWORD, Factory

# Each would take the browser to another host (browsers read a backslash as a slash and
# drop tabs and newlines inside a URL) or run script; each must lead home instead.
HOSTILE = [
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http://evil.example/events",
    "HTTPS://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "%2F%2Fevil.example",
    "evil.example",
    "javascript:alert(1)",
    "",
]
SAFE = ["/events", "/events/12?tab=documents#top", "/account/password"]
# Odd but harmless: the redirect percent-encodes the control character, so the browser
# stays on this site (it drops a raw tab or newline, which would make "//evil.example").
ODD = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example"]


def browser_stays_on_site(location: str) -> bool:
    """Where a browser goes for this Location, as the URL standard has it read: leading
    and trailing spaces and controls dropped, tabs and newlines removed, \\ taken as /."""
    url = location.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r ")
    url = url.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    parts = urlsplit(url)
    return url.startswith("/") and not url.startswith("//") and not parts.netloc


async def _sign_in(client: PortalClient, make: Factory, target: str, htmx: bool) -> str:
    """Sign in as an administrator (home: /admin) with `next`; where the answer leads.
    A new one each time: the sign-in limit per username is not what is tested here."""
    user = await make.user(role="admin")
    client.sign_out_locally()  # each from the sign-in page, without the last one's session
    response = await client.post(
        "/sign-in", {"username": user.username, "password": PASSWORD, "next": target}, htmx=htmx
    )
    assert response.status_code == (200 if htmx else 303), response.text[:300]
    return response.headers["hx-redirect" if htmx else "location"]


@pytest.mark.parametrize("htmx", [False, True])
async def test_sign_in_never_sends_the_user_off_site(
    client: PortalClient, make: Factory, htmx: bool
) -> None:
    led = {target: await _sign_in(client, make, target, htmx) for target in HOSTILE}
    assert led == dict.fromkeys(HOSTILE, "/admin")


async def test_sign_in_returns_to_a_page_of_this_site(client: PortalClient, make: Factory) -> None:
    assert {target: await _sign_in(client, make, target, False) for target in SAFE} == {
        target: target for target in SAFE
    }


@pytest.mark.parametrize("htmx", [False, True])
async def test_sign_in_with_control_characters_stays_on_site(
    client: PortalClient, make: Factory, htmx: bool
) -> None:
    led = {target: await _sign_in(client, make, target, htmx) for target in ODD}
    assert all(map(browser_stays_on_site, led.values())), led


def test_the_browser_reading_is_itself_right() -> None:
    """The check above would catch a raw tab or backslash."""
    assert not browser_stays_on_site("/\t/evil.example")
    assert not browser_stays_on_site("/\\evil.example")
    assert not browser_stays_on_site(" //evil.example")
    assert browser_stays_on_site("/%09/evil.example")


async def test_signed_in_sign_in_page_never_sends_the_user_off_site(
    client: PortalClient, make: Factory
) -> None:
    await client.sign_in_as(await make.user(role="admin"))
    for target in HOSTILE:
        response = await client.get("/sign-in", params={"next": target})
        assert (response.status_code, response.headers["location"]) == (302, "/admin"), target
    # The query string as a link would carry it: %2F%2F decodes to //.
    response = await client.get("/sign-in?next=%2F%2Fevil.example")
    assert response.headers["location"] == "/admin"


async def test_the_sign_in_form_does_not_carry_a_hostile_next(
    client: PortalClient, db: Database
) -> None:
    for target in HOSTILE:
        page = await client.get("/sign-in", params={"next": target})
        assert page.status_code == 200
        assert "evil.example" not in page.text and "javascript:" not in page.text, target
