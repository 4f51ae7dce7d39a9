"""What the mail queue holds, for the notification tests: each queued mail, and every
link in its text and HTML parts (which must all start with PORTAL_BASE_URL)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.db.tables import OutgoingMail

# A public address unlike any default: a link built another way cannot start with it.
BASE_URL = "https://portal.example.test:8443/pp"
_TEXT_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
_HREF = re.compile(r'href="([^"]+)"')


@dataclass(frozen=True)
class Queued:
    to: str
    subject: str
    text: str
    html: str

    @property
    def links(self) -> list[str]:
        """Every address in the text part and every href of the HTML part."""
        return _TEXT_LINK.findall(self.text) + _HREF.findall(self.html)


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
    found = mail.links
    assert found, f"no link in {mail.subject!r}"
    for url in urls:
        assert url in _TEXT_LINK.findall(mail.text), (url, mail.text)
        assert url in _HREF.findall(mail.html), (url, mail.html)
    strays = [link for link in found if not link.startswith(BASE_URL + "/")]
    assert strays == [], strays
