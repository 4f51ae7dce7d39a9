"""Reading what the portal sent: the outbox's .eml files, or an SMTP server's messages."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default

from portal.mail import deliver_pending
from portal.settings import Settings


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=default)  # type: ignore[return-value]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return part.get_content()


async def outbox(settings: Settings) -> list[EmailMessage]:
    """Deliver what is queued, then every mail in the outbox, oldest first."""
    await deliver_pending(settings)
    if not settings.outbox_dir.exists():
        return []
    return [parse(path.read_bytes()) for path in sorted(settings.outbox_dir.glob("*.eml"))]


def reset_code_in(message: EmailMessage) -> str:
    match = re.search(r"Your code is: ([A-Z0-9]{4}-[A-Z0-9]{4})", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def initial_password_in(message: EmailMessage) -> str:
    match = re.search(r"password for the .+ is: (\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


async def sign_in_for_real(client, username: str, password: str):  # type: ignore[no-untyped-def]
    """Sign in through the form, and let the test client use the new session (for CSRF)."""
    from portal.auth.sessions import COOKIE_NAME

    response = await client.post("/sign-in", {"username": username, "password": password})
    token = client.http.cookies.get(COOKIE_NAME)
    if response.status_code == 303 and token:
        client.session_token = token
    return response
