"""The account messages, sent through the pages that cause them: who gets each, what it
says, and where its links go (PORTAL_BASE_URL)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portal import clock
from portal.app import create_app
from portal.db.tables import User
from portal.settings import Settings
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory
from tests.html_check import record_page
from tests.outbox import BASE_URL, Queued, assert_links, queued

NEW = "Kestrel42 nest"
SUPPORT = "the inspection support team on 0300 000 0000"  # the test settings' contact
SIGN_IN = f"{BASE_URL}/sign-in"
FORGOTTEN = f"{BASE_URL}/forgotten-password"


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings.with_(base_url=BASE_URL))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[PortalClient]:
    """Over https, as the public address says (its cookies are Secure)."""
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as http:
        http.follow_redirects = False
        yield PortalClient(http, app, record_page)


async def _mail_to(address: str) -> list[Queued]:
    return [mail for mail in await queued() if mail.to == address]


async def test_changing_ones_password_tells_that_user(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    user = world.provider_user
    await client.sign_in_as(user)
    response = await client.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 303
    (mail,) = await queued()  # to that user only
    assert mail.to == user.email
    assert mail.subject == "Your Provider Portal password has been changed"
    assert f"Dear {user.display_name}," in mail.text
    assert "using ‘Change password’" in mail.text
    assert f"If this was not you, contact {SUPPORT} straight away" in mail.text
    assert f"If this was not you, contact {SUPPORT} straight away" in mail.html
    assert_links(mail.text, mail.html, FORGOTTEN, SIGN_IN)


async def test_a_refused_change_sends_nothing(client: PortalClient, make: Factory) -> None:
    user = await make.user()
    await client.sign_in_as(user)
    response = await client.post(
        "/account/password",
        {"current_password": "wrong one", "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 200 and "not correct" in response.text
    assert await queued() == []


async def test_the_first_sign_ins_change_sends_nothing(client: PortalClient, make: Factory) -> None:
    user = await make.user(must_change_password=True)
    await client.sign_in_as(user)
    response = await client.post(
        "/account/password", {"new_password": NEW, "confirm_password": NEW}
    )
    assert response.status_code == 303
    assert await queued() == []  # their first own password: nothing to warn about


async def test_resetting_the_password_tells_that_user(client: PortalClient, make: Factory) -> None:
    user = await make.user(username="priya")
    await client.post("/forgotten-password", {"username": "priya"})
    (code_mail,) = await _mail_to(user.email)
    code = reset_code_in_text(code_mail.text)
    response = await client.post("/forgotten-password/code", {"username": "priya", "code": code})
    assert response.status_code == 303
    response = await client.post(
        "/forgotten-password/new-password", {"new_password": NEW, "confirm_password": NEW}
    )
    assert response.status_code == 303
    code_mail, mail = await _mail_to(user.email)
    assert mail.subject == "Your Provider Portal password has been reset"
    assert "using ‘Forgotten or change password’" in mail.text
    assert f"If this was not you, contact {SUPPORT} straight away" in mail.text
    assert_links(mail.text, mail.html, FORGOTTEN, SIGN_IN)
    assert len(await queued()) == 2


def reset_code_in_text(text: str) -> str:
    found = re.search(r"Your code is: ([A-Z0-9]{4}-[A-Z0-9]{4})", text)
    assert found, text
    return found.group(1)


async def test_a_lockout_tells_that_user_once(client: PortalClient, make: Factory) -> None:
    user = await make.user(username="sam")
    for _ in range(5):
        response = await client.post("/sign-in", {"username": "sam", "password": "wrong"})
    assert "Your account is locked" in response.text
    for _ in range(3):  # while it is locked nothing is counted, and no more mail
        await client.post("/sign-in", {"username": "sam", "password": "wrong"})
    await client.post("/sign-in", {"username": "sam", "password": PASSWORD})
    (mail,) = await queued()
    assert mail.to == user.email
    assert mail.subject == "Your Provider Portal account is locked"
    assert "after 5 wrong passwords in a row" in mail.text
    locked = await User.objects().where(User.id == user.id).first()
    assert f"It unlocks by itself at {clock.format_datetime(locked.locked_until)}" in mail.text
    assert f"contact {SUPPORT}" in mail.text
    assert_links(mail.text, mail.html, FORGOTTEN, SIGN_IN)


async def test_wrong_passwords_for_an_unknown_name_send_nothing(client: PortalClient) -> None:
    for _ in range(6):
        await client.post("/sign-in", {"username": "nobody", "password": "wrong"})
    assert await queued() == []
