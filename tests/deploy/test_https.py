"""Served over https (PORTAL_BASE_URL): both cookies are `__Host-` prefixed and Secure,
and every response carries HSTS. Over plain http nothing of that (a browser would refuse
a Secure cookie there, and the demo must keep working)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.settings import Settings
from portal.web import csrf
from tests.factories import PASSWORD, Factory

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
async def https(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(settings.with_(base_url="https://portal.example.org"))
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        client.follow_redirects = False
        yield client


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


async def test_https_sign_in_uses_host_prefixed_secure_cookies(
    https: AsyncTestClient[Litestar], make: Factory
) -> None:
    user = await make.user("admin", username="secure.admin")
    page = await https.get("/sign-in")
    assert page.headers["strict-transport-security"] == HSTS
    [presession] = set_cookies(page)
    assert presession.startswith("__Host-portal_presession=")
    assert "; Secure" in presession and "Path=/" in presession and "Domain" not in presession

    token = csrf.token_for("test-secret-key", https.cookies["__Host-portal_presession"])
    signed_in = await https.post(
        "/sign-in",
        data={"username": user.username, "password": PASSWORD, csrf.FIELD: token},
    )
    assert signed_in.status_code == 303
    [session] = [c for c in set_cookies(signed_in) if "portal_session" in c]
    assert session.startswith("__Host-portal_session=")
    assert "secure" in session.lower() and "path=/" in session.lower()
    assert "domain" not in session.lower()

    # The __Host- cookie is the one read back: the admin is signed in.
    admin = await https.get("/admin")
    assert admin.status_code == 200 and "Sign out" in admin.text
    assert admin.headers["strict-transport-security"] == HSTS

    session_token = https.cookies["__Host-portal_session"]
    signed_out = await https.post(
        "/sign-out", data={csrf.FIELD: csrf.token_for("test-secret-key", session_token)}
    )
    [cleared] = [c for c in set_cookies(signed_out) if "portal_session" in c]
    assert cleared.startswith('__Host-portal_session=""') or cleared.startswith(
        "__Host-portal_session=;"
    )
    assert "secure" in cleared.lower()  # else a browser ignores the clearing


async def test_plain_http_has_plain_cookies_and_no_hsts(settings: Settings) -> None:
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as http:
        page = await http.get("/sign-in")
    assert "strict-transport-security" not in page.headers
    [presession] = set_cookies(page)
    assert presession.startswith("portal_presession=") and "Secure" not in presession


def test_secure_cookies_follow_the_base_url() -> None:
    assert Settings(base_url="https://portal.example.org").secure_cookies
    assert not Settings(base_url="http://127.0.0.1:8000").secure_cookies
