"""The access matrix helper (tests/access.py) holds each cell to its exact answer: the
kinds of wrong answer the old "anything below 400 is allowed" check let through."""

from __future__ import annotations

import httpx
import pytest

from tests.access import AFTER_ACTION_BLOCK, Expect, expectation, problems

URL = "/events/7/survey"


def _answer(status: int, htmx: bool = False, **headers: str) -> httpx.Response:
    request = httpx.Request("POST", f"http://testserver.local{URL}")
    if htmx:
        request.headers["HX-Request"] = "true"
    return httpx.Response(status, headers=headers, request=request)


def test_a_loose_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="must be exact"):
        expectation("ok", URL)
    with pytest.raises(ValueError, match="must be exact"):
        expectation(201, URL)


def test_the_right_answers_pass() -> None:
    assert not problems(_answer(200), 200, URL, htmx=False)
    assert not problems(_answer(303, location="/events/7"), 303, URL, htmx=False)
    assert not problems(_answer(200, True, **{"hx-redirect": "/events/7"}), 303, URL, htmx=True)
    assert not problems(_answer(200, True), AFTER_ACTION_BLOCK, URL, htmx=True)
    sign_in = "/sign-in?next=%2Fevents%2F7%2Fsurvey"
    assert not problems(_answer(303, location=sign_in), "sign-in", URL, htmx=False)
    assert not problems(_answer(200, True, **{"hx-redirect": sign_in}), "sign-in", URL, True)


@pytest.mark.parametrize(
    ("response", "expected", "htmx"),
    [
        (_answer(303, location="/events/7"), 200, False),  # a redirect is not the page
        (_answer(302, location="/events/7"), 303, False),  # 302 after a POST is not 303
        (_answer(200), 303, False),  # the form again is not "saved"
        (_answer(200, True), 303, True),  # htmx: the block, where HX-Redirect was due
        (_answer(200, True, **{"hx-redirect": "/x"}), 200, True),  # and the reverse
        (_answer(200, True, **{"hx-redirect": "/x"}), AFTER_ACTION_BLOCK, True),
        (_answer(303, location="https://evil.example/"), 303, False),  # off site
        (_answer(303, location="/sign-in?next=%2F"), 303, False),  # signed out, not done
        (_answer(303, location="/sign-in?next=%2Fother"), "sign-in", False),  # wrong next
        (_answer(200, True, **{"hx-redirect": "/sign-in"}), "sign-in", True),  # no next
        (_answer(303, location="/sign-in?next=%2Fevents%2F7%2Fsurvey"), "sign-in", True),
        (_answer(404), 403, False),
        (_answer(204), 200, False),
        (_answer(302, location="/a"), Expect(302, 302, to="/b"), False),
    ],
)
def test_wrong_answers_are_caught(
    response: httpx.Response, expected: int | str | Expect, htmx: bool
) -> None:
    assert problems(response, expected, URL, htmx)
