"""The account emails, each with a plain-text and an HTML part. Their links are
`link(settings, path)`: the site's base URL joined with a path the caller reversed from
a route name (a service has no app to reverse it)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from portal.settings import Settings


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def _html(paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Provider Portal'
        f"</title></head>\n<body>\n{body}\n</body></html>\n"
    )


def link(settings: Settings, path: str, query: dict[str, str] | None = None) -> str:
    """The absolute URL of `path` (reversed from a route name), with `query` if given."""
    url = settings.base_url.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url


def invitation_username(
    settings: Settings, display_name: str, username: str, sign_in_page: str
) -> Mail:
    url = link(settings, sign_in_page)
    service = settings.service_name
    text = (
        f"Dear {display_name},\n\n"
        f"An account has been created for you on Ofsted's {service}.\n\n"
        f"Your username is: {username}\n\n"
        f"Sign in here: {url}\n\n"
        "We are sending your password in a second email. If you cannot find it, check your "
        "spam or junk folder.\n\n"
        f"If you did not expect this email, contact {settings.support_contact}.\n"
    )
    html = _html(
        [
            f"Dear {escape(display_name)},",
            f"An account has been created for you on Ofsted’s {escape(service)}.",
            f"Your username is: <strong>{escape(username)}</strong>",
            f'<a href="{escape(url)}">Sign in to the {escape(service)}</a> ({escape(url)})',
            "We are sending your password in a second email. If you cannot find it, check "
            "your spam or junk folder.",
            f"If you did not expect this email, contact {escape(settings.support_contact)}.",
        ]
    )
    return Mail(f"Your {service} username", text, html)


def invitation_password(settings: Settings, display_name: str, password: str) -> Mail:
    service = settings.service_name
    text = (
        f"Dear {display_name},\n\n"
        f"Your password for the {service} is: {password}\n\n"
        "Your username is in the first email we sent you. When you first sign in, you will "
        "be asked to choose a new password.\n\n"
        "Any password we sent you before no longer works.\n"
    )
    html = _html(
        [
            f"Dear {escape(display_name)},",
            f"Your password for the {escape(service)} is: <code>{escape(password)}</code>",
            "Your username is in the first email we sent you. When you first sign in, you "
            "will be asked to choose a new password.",
            "Any password we sent you before no longer works.",
        ]
    )
    return Mail(f"Your {service} password", text, html)


def reset_code(settings: Settings, display_name: str, code: str, link: str, minutes: int) -> Mail:
    service = settings.service_name
    text = (
        f"Dear {display_name},\n\n"
        f"Someone asked to reset the password of your {service} account.\n\n"
        f"Your code is: {code}\n\n"
        f"Enter it on the page where you asked for it, or open this link: {link}\n\n"
        f"The code works once, for {minutes} minutes.\n\n"
        "If you did not ask for this, you can ignore this email: your password has not "
        f"changed. If you are worried, contact {settings.support_contact}.\n"
    )
    html = _html(
        [
            f"Dear {escape(display_name)},",
            f"Someone asked to reset the password of your {escape(service)} account.",
            f"Your code is: <strong>{escape(code)}</strong>",
            f'Enter it on the page where you asked for it, or <a href="{escape(link)}">'
            "open the page with the code filled in</a>.",
            f"The code works once, for {minutes} minutes.",
            "If you did not ask for this, you can ignore this email: your password has not "
            f"changed. If you are worried, contact {escape(settings.support_contact)}.",
        ]
    )
    return Mail(f"Your {service} password reset code", text, html)
