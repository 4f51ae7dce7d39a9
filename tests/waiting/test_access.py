"""The Waiting and Mail pages and Retry × every kind of user, full page and htmx: only
the administrator gets in; anyone else signed in is refused (403), no session means sign in."""

from __future__ import annotations

import pytest

from tests.access import WHO, check
from tests.client import PortalClient
from tests.factories import Factory
from tests.waiting import helpers

ADMIN_ONLY = {who: 403 for who in WHO} | {"admin": 200, "anonymous": "sign-in"}

COVERS = {"admin.waiting", "admin.mail", "admin.mail_retry"}


@pytest.mark.parametrize("who", WHO)
async def test_waiting_and_mail_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    sent = await helpers.mail("sent")
    # Retrying a sent message writes nothing: the administrator is shown the list (200)
    # both times, so the plain and the htmx request get the same answer.
    for method, url in [
        ("GET", "/admin/waiting"),
        ("GET", "/admin/mail?status=failed"),
        ("POST", f"/admin/mail/{sent}/retry"),
    ]:
        await check(client, world, who, method, url, ADMIN_ONLY[who], {})
