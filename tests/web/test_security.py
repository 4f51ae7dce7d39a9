"""The page shell's promises: security headers everywhere, CSRF on every POST, error
pages in the service's style and never a stack trace."""

from __future__ import annotations

import re

import pytest

from tests.client import PortalClient
from tests.factories import Factory


@pytest.mark.parametrize(
    "path", ["/sign-in", "/no-such-page", "/static/css/portal.css", "/accessibility"]
)
async def test_security_headers_on_every_response(client: PortalClient, path: str) -> None:
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1)
    assert "frame-ancestors 'none'" in csp
    # Styles, fonts and fetches: our own origin only, by the default.
    assert csp.startswith("default-src 'self';")
    assert not re.search(r"(style|font|connect)-src", csp)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_every_inline_script_carries_the_nonce(client: PortalClient) -> None:
    response = await client.get("/sign-in")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)


async def test_not_found_page_is_in_service_style(client: PortalClient) -> None:
    response = await client.get("/events/123456789")
    # Anonymous: sign in first, whether or not the event exists (nothing to learn here).
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fevents%2F123456789"
    response = await client.get("/nothing-here")
    assert response.status_code == 404
    assert "<title>Page not found – Provider Portal</title>" in response.text
    assert "govuk-generic-header" in response.text


async def test_post_without_csrf_token_is_refused(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post("/sign-out", {}, csrf_token=False)
    assert response.status_code == 403
    assert "Your form could not be sent" in response.text
    # Still signed in: the forged sign-out did nothing.
    assert (await client.get(f"/events/{world.event.id}")).status_code == 200


async def test_csrf_token_of_another_session_is_refused(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.colleague)
    colleagues_token = client.csrf_token
    await client.sign_in_as(world.provider_user)
    response = await client.post("/sign-out", {}, csrf_token=colleagues_token)
    assert response.status_code == 403


async def test_htmx_post_sends_the_token_as_a_header(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.post("/sign-out", {}, htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/signed-out"


async def test_body_carries_the_token_for_htmx(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{world.event.id}")).text
    assert f'data-hx-headers="{{&#34;X-CSRF-Token&#34;: &#34;{client.csrf_token}&#34;}}"' in page


async def test_server_error_shows_a_plain_page_and_no_trace(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.provider_user)
    # A real fault: a corrupt row whose stored name is a path. The store refuses it.
    from portal.db.tables import Document

    await Document.update({Document.stored_name: "../../etc/passwd"}).where(Document.id == doc.id)
    await client.sign_in_as(world.provider_user)
    response = await client.get(f"/events/{world.event.id}/documents/{doc.id}/download")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "Traceback" not in response.text and "passwd" not in response.text


async def test_anonymous_htmx_request_gets_hx_redirect(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    response = await client.get(f"/events/{world.event.id}", htmx=True)
    assert response.headers["hx-redirect"] == f"/sign-in?next=%2Fevents%2F{world.event.id}"


async def test_page_shell_has_skip_link_live_region_and_footer_links(client: PortalClient) -> None:
    page = (await client.get("/sign-in")).text
    assert 'href="#main-content"' in page and "Skip to main content" in page
    assert page.count('aria-live="polite"') == 1
    assert 'href="/accessibility"' in page and 'href="/code-of-conduct"' in page
    assert "govuk-header__logotype" not in page  # no crown: a generic service header
    assert ">Forgotten or change password</a>" in page
