"""The statements and the help page (portal.web.pages), and what every page carries:
the footer's links to them, the phase banner, and who is signed in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.settings import Settings
from portal.web import csrf
from tests.auth.mailbox import outbox, reset_code_in
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory

STATEMENTS = {
    "/accessibility": "Accessibility statement",
    "/cookies": "Cookies",
    "/privacy": "Privacy notice",
    "/help": "Help",
}
FOOTER = re.compile(r'<div class="govuk-footer">.*?</ul>', re.DOTALL)


def footer_links(page: str) -> dict[str, str]:
    """The footer's links: {href: text}."""
    footer = FOOTER.search(page)
    assert footer, "no footer"
    return dict(re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>', footer[0]))


def section_ids(page: str) -> set[str]:
    return set(re.findall(r'<h[23][^>]* id="([^"]+)"', page))


def contents_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="portal-contents".*?</nav>', page, re.DOTALL)
    assert nav, "no contents list"
    return re.findall(r'href="#([^"]+)"', nav[0])


# -- every page: footer, phase banner, signed-in name --------------------------------


async def test_every_kind_of_page_footer_links_the_statements_and_help(
    client: PortalClient, make: Factory
) -> None:
    """Public pages, each role's pages, a form with errors and the error pages: one footer."""
    world = await make.world()
    pages: list[httpx.Response] = [await client.get(path) for path in STATEMENTS]
    pages += [await client.get("/sign-in"), await client.get("/code-of-conduct")]
    pages.append(await client.post("/sign-in", {"username": "", "password": ""}))  # errors
    pages.append(await client.get("/no-such-page"))  # 404
    await client.sign_in_as(world.provider_user)
    pages.append(await client.get(f"/events/{world.event.id}"))
    pages.append(await client.get(f"/events/{world.other_event.id}"))  # 404, signed in
    pages.append(await client.get("/admin"))  # 403
    await client.sign_in_as(world.lead)
    pages.append(await client.get("/events"))
    await client.sign_in_as(world.admin)
    pages.append(await client.get("/admin"))
    assert {page.status_code for page in pages} == {200, 403, 404}
    for page in pages:
        links = footer_links(page.text)
        for href, text in STATEMENTS.items():
            assert links.get(href) == text, (page.url, links)
        assert links.get("/code-of-conduct") == "Code of conduct"
        # The phase banner, with its feedback link, on every page too.
        assert "govuk-phase-banner" in page.text and ">\n      Beta\n" in page.text
        assert 'href="/help#feedback">give your feedback</a>' in page.text


@pytest.mark.parametrize("who", ["anonymous", "provider", "lead_inspector", "admin"])
async def test_every_html_page_without_parameters_has_the_footer(
    client: PortalClient, make: Factory, who: str
) -> None:
    """Every GET route of the app with no path parameter, as each kind of user: whatever
    page answers (the page, 403, 404), it carries the footer's links and the banner."""
    world = await make.world()
    user = world.user(who)
    if user is not None:
        await client.sign_in_as(user)
    paths = sorted(
        route.path
        for route in client.app.routes
        if "GET" in getattr(route, "methods", ()) and "{" not in route.path
    )
    pages = 0
    for path in paths:
        response = await client.get(path)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # CSV, health, metrics; redirects have no page
        if response.status_code in (301, 302, 303, 307):
            continue
        pages += 1
        links = footer_links(response.text)
        assert all(links.get(href) == text for href, text in STATEMENTS.items()), (path, links)
        assert 'href="/help#feedback">give your feedback</a>' in response.text, path
    assert pages >= 8


async def test_the_header_names_who_is_signed_in(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    assert "Signed in as" not in (await client.get("/help")).text
    for user, start in [
        (world.provider_user, f"/events/{world.event.id}"),
        (world.admin, "/admin"),
    ]:
        await client.sign_in_as(user)
        for path in (start, "/help"):
            page = (await client.get(path)).text
            nav = page[page.index('<nav aria-label="Account"') : page.index("</nav>")]
            assert f"Signed in as <strong>{user.display_name}</strong>" in nav
            assert nav.index("Signed in as") < nav.index("Sign out")


# -- the statements ------------------------------------------------------------------


async def test_accessibility_statement_has_every_required_section(client: PortalClient) -> None:
    page = (await client.get("/accessibility")).text
    for heading in [
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ]:
        assert re.search(rf"<h[23][^>]*>{re.escape(heading)}</h[23]>", page), heading
    assert "partially compliant" in page and "WCAG" in page
    assert "Equality and Human Rights Commission (EHRC)" in page
    assert "Equality Commission for Northern Ireland (ECNI)" in page
    assert "Equality Advisory and Support Service (EASS)" in page
    assert "This service was last tested on 29 November 2026" in page
    for method in ["axe-core", "keyboard only", "JavaScript switched off", "Nu HTML Checker"]:
        assert method in page, method
    assert "the inspection support team on 0300 000 0000" in page  # the support contact
    # The time limits it owns up to (2.2.1) are the ones the settings impose.
    assert "signed out after 30 minutes without using the service" in page
    assert "you are warned 2 minutes before" in page and "12 hours after you sign in" in page


async def test_privacy_notice_says_what_who_why_how_long_and_rights(
    client: PortalClient,
) -> None:
    page = (await client.get("/privacy")).text
    for collected in ["your account", "documents", "survey answers", "an audit log"]:
        assert f"<strong>{collected}</strong>" in page, collected
    assert "<strong>the survey is not anonymous</strong>" in page
    assert "IP" in page and "concerns you raise" in page
    assert "Inspectors do not see the survey" in page  # as survey.service.may_read rules
    assert "public task" in page and "Article 6(1)(e)" in page
    for kept in ["Inspection records", "Survey answers", "Your account", "Technical logs"]:
        assert re.search(rf'<dt class="govuk-summary-list__key">\s*{kept}\s*</dt>', page), kept
    for right in ["ask for a copy", "correct", "delete", "object"]:
        assert right in page, right
    assert "after 30 minutes without using the service, or 12 hours after you sign in" in page
    assert "Information Commissioner’s Office (ICO)" in page and "0303 123 1113" in page
    assert 'href="/cookies"' in page


async def test_help_page_follows_the_quick_start_guide(
    client: PortalClient, settings: Settings
) -> None:
    page = (await client.get("/help")).text
    # The guide's screens, links and buttons, in its words and order.
    steps = [
        "two emails",
        "spam or junk folder",
        "‘Forgotten or change password’",
        "‘Password Reset’",
        "‘Next’",
        "‘Click here’",
        "event ID, the event type",
        "pen portrait",
        "‘Upload or delete a document’",
        "‘Documents Uploaded by Provider’",
        "‘Upload’",
        "‘Yes - Delete’",
        "‘Save’",
        "‘Factual accuracy check’",
        "‘Done’",
        "view only",
        "‘Survey’",
        "most useful",
    ]
    at = page.index("<h1")
    for step in steps:
        found = page.find(step, at)
        assert found > 0, f"{step!r} missing, or not after the step before it"
        at = found
    assert f"After {settings.lockout_attempts} wrong passwords" in page
    assert "the inspection support team on 0300 000 0000" in page
    # Its contents list leads to its own sections, the feedback one included.
    links = contents_links(page)
    assert "feedback" in links and set(links) <= section_ids(page)


# -- the cookies page lists exactly the cookies the portal sets ------------------------


def _cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    found: dict[str, SimpleCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        found.update({name: jar for name in jar})
    return found


async def _every_cookie_set(
    http: AsyncTestClient[Litestar], settings: Settings, username: str
) -> dict[str, SimpleCookie]:
    """Signs in, signs out and resets the password as a browser would; every cookie any
    answer set, by name."""
    seen: dict[str, SimpleCookie] = {}

    def token() -> str:
        seed = http.cookies.get(csrf.anon_cookie(settings.secure_cookies)) or ""
        return csrf.token_for(settings.secret_key, seed)

    page = await http.get("/sign-in")
    seen |= _cookies(page)
    signed_in = await http.post(
        "/sign-in", data={"username": username, "password": PASSWORD, csrf.FIELD: token()}
    )
    assert signed_in.status_code == 303
    seen |= _cookies(signed_in)
    http.cookies.clear()
    seen |= _cookies(await http.get("/forgotten-password"))
    asked = await http.post("/forgotten-password", data={"username": username, csrf.FIELD: token()})
    assert asked.status_code == 303
    code = reset_code_in((await outbox(settings))[-1])
    granted = await http.post(
        "/forgotten-password/code",
        data={"username": username, "code": code, csrf.FIELD: token()},
    )
    assert granted.status_code == 303
    seen |= _cookies(granted)
    return seen


def _listed(page: str) -> dict[str, str]:
    """The cookies page's cards: {name: expires}."""
    rows = re.findall(
        r'<h3 class="govuk-summary-card__title">\s*<code>(.*?)</code>.*?'
        r"Expires\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>",
        page,
        re.DOTALL,
    )
    return {name.replace("<wbr>", ""): expires for name, expires in rows}


def _spoken(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{seconds // 60} minutes"


@pytest.fixture(params=["http", "https"])
async def browser(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], Settings]]:
    if request.param == "https":
        settings = settings.with_(base_url="https://portal.example.org")
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url=f"{request.param}://testserver.local") as http:
        http.follow_redirects = False
        yield http, settings


async def test_cookies_page_lists_exactly_the_cookies_the_portal_sets(
    browser: tuple[AsyncTestClient[Litestar], Settings], make: Factory
) -> None:
    http, settings = browser
    user = await make.user("provider", username="cookie.user")
    seen = await _every_cookie_set(http, settings, user.username)
    page = await http.get("/cookies")
    assert page.status_code == 200
    listed = _listed(page.text)
    assert set(listed) == set(seen), (set(listed), set(seen))
    for name, jar in seen.items():
        max_age = jar[name]["max-age"]
        if max_age:
            # The page says how long it lasts, as the browser was told.
            assert _spoken(int(max_age)) in listed[name], (name, max_age, listed[name])
        else:
            assert listed[name] == "When you close your browser", name
    session = next(name for name in listed if name.endswith("portal_session"))
    assert "after 30 minutes without using the service" in listed[session]
    assert "do not use analytics cookies" in page.text
    assert "govuk-cookie-banner" not in page.text  # nothing to consent to: no banner
