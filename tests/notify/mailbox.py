"""What the mail queue holds, for the notification tests, and every link in a mail."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.db.tables import OutgoingMail

# A public address unlike any default: a link built another way cannot start with it.
BASE_URL = "https://portal.example.test:8443/x"
TEXT_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
HREF = re.compile(r'href="([^"]+)"')


@dataclass(frozen=True)
class Queued:
    to: str
    subject: str
    text: str
    html: str

    def links(self) -> list[str]:
        """Every address in the text part, and every address and href in the HTML part."""
        return TEXT_LINK.findall(self.text) + TEXT_LINK.findall(self.html)

    def hrefs(self) -> list[str]:
        return HREF.findall(self.html)


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


def assert_links(text: str, html: str, *expected: str) -> None:
    """Every link starts with the public address, and each `expected` one is in both parts."""
    found = TEXT_LINK.findall(text) + TEXT_LINK.findall(html)
    assert found, text
    strays = [link for link in found if not link.startswith(BASE_URL + "/")]
    assert strays == [], strays
    for url in expected:
        assert url in TEXT_LINK.findall(text), (url, text)
        assert url in HREF.findall(html), (url, html)
