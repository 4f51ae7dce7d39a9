"""The access matrix helper: one route, every kind of user, full page and htmx alike, each
answer checked to its exact status.

What a cell may expect (the full page's answer, then the htmx one's):
- 200: the page (or the form again, with its errors): 200; htmx: 200, its block, and no
  redirect. 204: nothing to show, both.
- 303: the action was done and the browser is sent on: 303 with a Location on this site;
  htmx: 200 with HX-Redirect to the same place.
- 302: a page that stands for another (home, the sign-in page when signed in): 302 with a
  Location, htmx alike.
- 403, 404: refused, or not there for this user: that status, both.
- "sign-in": no session: 303 to /sign-in?next=<this URL>; htmx: 200 with HX-Redirect there.
- `Expect(...)` for anything else: `AFTER_ACTION_BLOCK` (303 for the full page, the updated
  block for htmx), or a redirect's exact target with `to=`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx
from litestar import Litestar

from tests.client import PortalClient
from tests.factories import World

WHO = [
    "provider",
    "other_provider",
    "team_inspector",
    "lead_inspector",
    "other_inspector",
    "admin",
    "anonymous",
]


# Route name -> the kinds of user its matrix has checked, in this process. A test_access
# module names the routes it covers in COVERS; the completeness test holds every route
# of the app to being named by one, and the module check (conftest) holds each named
# route to having been checked for every kind of user.
CHECKED: defaultdict[str, set[str]] = defaultdict(set)

SIGN_IN = "sign-in"


@dataclass(frozen=True)
class Expect:
    """The exact answer to the full page request and to the htmx one."""

    full: int
    htmx: int
    to: str | None = None  # where a redirect leads, when the cell says
    htmx_redirect: bool = True  # a 303 becomes HX-Redirect (False: htmx gets its block)


# After an action the full page is sent on (303); htmx gets the updated block in place.
AFTER_ACTION_BLOCK = Expect(303, 200, htmx_redirect=False)
_BY_STATUS = {status: Expect(status, status) for status in (200, 204, 302, 403, 404)}
_BY_STATUS[303] = Expect(303, 200)

Expected = int | str | Expect


def route_name(app: Litestar, method: str, url: str) -> str:
    """The name of the route that answers `method url`."""
    _, handler, *_ = app.asgi_router.handle_routing(urlsplit(url).path, method)  # type: ignore[arg-type]
    return str(handler.name)


def sign_in_url(url: str) -> str:
    """Where a request without a session is sent: sign in, then back to `url`."""
    return f"/sign-in?next={quote(url, safe='')}"


def expectation(expected: Expected, url: str) -> Expect:
    if isinstance(expected, Expect):
        return expected
    if expected == SIGN_IN:
        return Expect(303, 200, to=sign_in_url(url))
    if expected in _BY_STATUS:
        return _BY_STATUS[expected]  # type: ignore[index]
    raise ValueError(f"an access matrix cell must be exact: 200, 204, 302, 303, 403, 404, "
                     f"'sign-in' or Expect(...), not {expected!r}")  # fmt: skip


def _on_site(location: str) -> bool:
    parts = urlsplit(location)
    return location.startswith("/") and not location.startswith("//") and not parts.netloc


def problems(response: httpx.Response, expected: Expected, url: str, htmx: bool) -> list[str]:
    """How `response` differs from the cell's exact answer (empty: it is the answer)."""
    want = expectation(expected, url)
    status = want.htmx if htmx else want.full
    found: list[str] = []
    if response.status_code != status:
        found.append(f"status {response.status_code}, expected {status}")
    location = response.headers.get("location")
    hx_redirect = response.headers.get("hx-redirect")
    redirects = status in (302, 303) or (htmx and want.full == 303 and want.htmx_redirect)
    target = location if status in (302, 303) else hx_redirect
    if redirects:
        if not target:
            found.append("no " + ("Location" if status in (302, 303) else "HX-Redirect"))
        elif want.to is not None and target != want.to:
            found.append(f"sent to {target}, expected {want.to}")
        elif want.to is None and (not _on_site(target) or target.startswith("/sign-in")):
            found.append(f"sent to {target}")
    else:
        if location:
            found.append(f"unexpected Location {location}")
        if hx_redirect:
            found.append(f"unexpected HX-Redirect {hx_redirect}")
    return found


def assert_answer(
    response: httpx.Response, expected: Expected, who: str, method: str, url: str, htmx: bool
) -> None:
    found = problems(response, expected, url, htmx)
    assert not found, f"{who} {method} {url} htmx={htmx}: {'; '.join(found)}"


def place(location: str) -> str:
    """Where a redirect leads, without its banner's words: a submission's banner carries
    its own reference (portal.receipts), new with each request."""
    parts = urlsplit(location)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("done", "sig")]
    return parts._replace(query=urlencode(query)).geturl()


async def check(
    client: PortalClient,
    world: World,
    who: str,
    method: str,
    url: str,
    expected: Expected,
    data: dict[str, Any] | None = None,
) -> None:
    CHECKED[route_name(client.app, method, url)].add(who)
    expectation(expected, url)  # a loose cell fails before any request
    user = world.user(who)
    client.sign_out_locally()
    if user is not None:
        await client.sign_in_as(user)
    answers = []
    for htmx in (False, True):
        if method == "GET":
            response = await client.get(url, htmx=htmx)
        else:
            response = await client.post(url, data or {}, htmx=htmx)
        answers.append(response)
        assert_answer(response, expected, who, method, url, htmx)
    full, fragment = answers
    want = expectation(expected, url)
    if want.full == 303 and want.htmx_redirect:  # the same place, whichever way it was asked
        assert place(fragment.headers["hx-redirect"]) == place(full.headers["location"]), (
            who,
            method,
            url,
        )
    if want.full == 302:
        assert fragment.headers["location"] == full.headers["location"], (who, method, url)
