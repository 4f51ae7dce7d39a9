"""What other parts may use of accounts and sign-in: the public face of auth.

The account functions here are the service's, with the sign-in page's path (for the
invitation email's link) reversed from its route name. A refusal is
`portal.validation.Refused`; `AccountError` is the same class, by its old name."""

from __future__ import annotations

from typing import Any

from portal.auth import accounts, links
from portal.auth.accounts import deactivate, reactivate, unlock, update_details
from portal.auth.service import home_for
from portal.auth.sessions import SessionStore
from portal.auth.usernames import suggest as suggest_username
from portal.db.tables import User
from portal.settings import Settings
from portal.validation import Refused

AccountError = Refused

__all__ = [
    "AccountError",
    "create_user",
    "deactivate",
    "home_for",
    "reactivate",
    "resend_invitation",
    "suggest_username",
    "unlock",
    "update_details",
]


async def create_user(*, settings: Settings, **account: Any) -> User:
    """`accounts.create_user` (username, email, display_name, role, provider_id,
    actor_id): the account and its two invitation emails, the first linking to the
    sign-in page."""
    return await accounts.create_user(
        settings=settings, sign_in_page=links.path("auth.sign_in"), **account
    )


async def resend_invitation(
    user_id: int,
    actor_id: int | None,
    *,
    settings: Settings,
    sessions: SessionStore | None = None,
) -> None:
    """Both invitation emails again, with a new initial password; the old one is void,
    and so is every session and reset code of the user."""
    await accounts.resend_invitation(
        user_id,
        actor_id,
        settings=settings,
        sign_in_page=links.path("auth.sign_in"),
        sessions=sessions,
    )
