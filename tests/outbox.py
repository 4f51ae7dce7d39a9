"""What the mail queue holds, for the notification tests: each queued mail, and every
link in its text and HTML parts (which must all start with PORTAL_BASE_URL)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from portal.db.tables import OutgoingMail
from portal.settings import Settings

# A public address unlike any default: a link built another way cannot start with it.
BASE_URL = "https://portal.example.test:8443/pp"
TEXT_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app's public address is BASE_URL. A test module takes this fixture with
    `from tests.outbox import settings as settings`."""
    return settings.with_(base_url=BASE_URL)


@dataclass(frozen=True)
class Queued:
    to: str
    subject: str
    text: str
    html: str

    @property
    def links(self) -> list[str]:
        """Every address in the text part and every href of the HTML part."""
        return TEXT_LINK.findall(self.text) + HREF.findall(self.html)


async def queued() -> list[Queued]:
    rows = await OutgoingMail.select(
        OutgoingMail.to_address,
        OutgoingMail.subject,
        OutgoingMail.text_body,
        OutgoingMail.html_body,
    ).order_by(OutgoingMail.id)
    return [
        Queued(row["to_address"], row["subject"], row["text_body"], row["html_body"])
        for row in rows
    ]


async def to(address: str) -> list[Queued]:
    return [mail for mail in await queued() if mail.to == address]


def only_links_to(mail: Queued, *urls: str) -> None:
    """The mail links to each of `urls` (in both parts), and to nothing that does not
    start with the public address."""
    assert mail.links, f"no link in {mail.subject!r}"
    assert_links(mail.text, mail.html, *urls)


def assert_links(text: str, html: str, *expected: str) -> None:
    """Every link and address in either part starts with the public address, and each
    `expected` one is in both parts (in the HTML, as an href)."""
    found = TEXT_LINK.findall(text) + TEXT_LINK.findall(html) + HREF.findall(html)
    assert found, text
    strays = [link for link in found if not link.startswith(BASE_URL + "/")]
    assert strays == [], strays
    for url in expected:
        assert url in TEXT_LINK.findall(text), (url, text)
        assert url in HREF.findall(html), (url, html)
