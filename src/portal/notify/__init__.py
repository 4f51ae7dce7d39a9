"""Notifications: tell people what happened, by email.

    from portal import notify
    await notify.send("draft_report_published", await notify.provider_users(event_id),
                      event_ref=event.event_ref, deadline=due)

Each message is one source, templates/notify/<message>.md (see `messages`), rendered once
per recipient with the caller's values plus the recipient's `name`, `service_name` and
`support_contact`, into a subject, a plain-text part and an HTML part.

`send` queues each mail with `portal.mail.enqueue` in the caller's transaction and opens
none of its own: a change that rolls back leaves no mail, and a mail is never queued
without its change. The mail worker sends it; a failure is kept for the administrator.

`app.py` calls `install(settings)` when the app is built (with `links.install`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal import mail
from portal.notify.event_facts import NoSuchEvent, event_facts
from portal.notify.messages import Rendered, names, render
from portal.notify.recipients import (
    Recipient,
    lead_inspectors,
    provider_users,
    support_admins,
    user,
)
from portal.settings import Settings

__all__ = [
    "NoSuchEvent",
    "Recipient",
    "Rendered",
    "event_facts",
    "install",
    "lead_inspectors",
    "message_names",
    "preview",
    "provider_users",
    "send",
    "send_about",
    "support_admins",
    "user",
]


@dataclass(frozen=True)
class _Config:
    settings: Settings


_config: _Config | None = None


def install(settings: Settings) -> None:
    """The service's name, support contact and templates, from the app's settings."""
    global _config
    _config = _Config(settings)


def _settings() -> Settings:
    if _config is None:
        raise RuntimeError("portal.notify.install was not called: build the app (create_app)")
    return _config.settings


def preview(message: str, recipient: Recipient, **values: object) -> Rendered:
    """What `send` would queue for `recipient` (nothing is stored)."""
    settings = _settings()
    context = {
        **values,
        "name": recipient.name,
        "service_name": settings.service_name,
        "support_contact": settings.support_contact,
    }
    return render(settings.templates_dir, message, context)


async def send(message: str, to: Iterable[Recipient], **values: object) -> None:
    """Queue `message` for each recipient, in the caller's transaction (if any)."""
    # Every mail is rendered before any is queued: a template error writes nothing.
    rendered = [(recipient, preview(message, recipient, **values)) for recipient in to]
    for recipient, mail_parts in rendered:
        await mail.enqueue(
            to=recipient.email,
            subject=mail_parts.subject,
            text=mail_parts.text,
            html=mail_parts.html,
        )


async def send_about(
    event_id: int, message: str, to: Iterable[Recipient], **values: object
) -> None:
    """`send`, with what every message about an event says of it (`event_facts`)."""
    await send(message, to, **values, **await event_facts(event_id))


def message_names() -> list[str]:
    """Every message with a source in templates/notify/."""
    return names(_settings().templates_dir)
