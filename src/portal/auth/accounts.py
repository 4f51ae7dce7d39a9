"""Account administration, called by the `portal create-user` command and the
support administrator's console: create a user (two invitation emails), resend the
invitation, unlock, deactivate; and the corrections: change a name or email address,
reactivate. No Litestar here.

The caller passes `settings` (for the sign-in link and the session store), the path of
the sign-in page (reversed from its route name: `portal.auth.api` does it) and, when it
has one, the app's session store (`sessions`; otherwise one is built from `settings`).
A refusal is `Refused`, with the id of the field it is about."""

from __future__ import annotations

import re
import secrets

from portal import audit, clock, mail
from portal.auth import emails, password_rules
from portal.auth.passwords import hash_password
from portal.auth.sessions import SessionStore, make_store
from portal.auth.tables import PasswordReset
from portal.db.tables import ROLES, Provider, User, UserSession
from portal.settings import Settings
from portal.validation import Refused

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
# No look-alike characters (0/O, 1/l/I): the password is read from an email and typed.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"


def generate_initial_password(length: int = 14) -> str:
    """Random letters and digits with at least one capital, lower case letter and digit."""
    alphabet = _LOWER + _UPPER + _DIGITS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if password_rules.problem(password) is None and any(c.islower() for c in password):
            return password


async def _end_sessions(user_id: int, settings: Settings, sessions: SessionStore | None) -> None:
    await UserSession.delete().where(UserSession.user == user_id)
    if sessions is not None:
        await sessions.delete_for_user(user_id)
    elif settings.redis_url:
        store = make_store(settings.redis_url, settings.session_hours, prefix=settings.redis_prefix)
        try:
            await store.delete_for_user(user_id)
        finally:
            await store.close()


async def _void_resets(user_id: int) -> None:
    await PasswordReset.update({PasswordReset.voided_at: clock.now()}).where(
        (PasswordReset.user == user_id)
        & PasswordReset.completed_at.is_null()
        & PasswordReset.voided_at.is_null()
    )


async def _get(user_id: int) -> User:
    user = await User.objects().where(User.id == user_id).first()
    if user is None:
        raise Refused("There is no such user")
    return user


def _check_email(email: str) -> None:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise Refused(
            "Enter an email address in the correct format, like name@example.com", "email"
        )


def _check_name(display_name: str) -> None:
    if not display_name or len(display_name) > 200:
        raise Refused("Enter the person’s name (200 characters or fewer)", "display_name")


async def _send_invitation(user: User, settings: Settings, sign_in_page: str) -> None:
    """A new initial password (the old one stops working) and the two emails."""
    password = generate_initial_password()
    await User.update(
        {
            User.password_hash: await hash_password(password),
            User.must_change_password: True,
            User.failed_attempts: 0,
            User.locked_until: None,
        }
    ).where(User.id == user.id)
    first = emails.invitation_username(settings, user.display_name, user.username, sign_in_page)
    second = emails.invitation_password(settings, user.display_name, password)
    await mail.enqueue(to=user.email, subject=first.subject, text=first.text, html=first.html)
    await mail.enqueue(to=user.email, subject=second.subject, text=second.text, html=second.html)


async def create_user(
    *,
    username: str,
    email: str,
    display_name: str,
    role: str,
    provider_id: int | None,
    actor_id: int | None,
    settings: Settings,
    sign_in_page: str,
) -> User:
    """Create an account and send its two invitation emails (username and sign-in link
    first, then the initial password, which must be changed at the first sign-in)."""
    username = username.strip().lower()
    email = email.strip()
    display_name = display_name.strip()
    if not USERNAME_PATTERN.match(username):
        raise Refused(
            "Enter a username of 2 to 100 characters: letters, digits and . _ @ -", "username"
        )
    _check_email(email)
    _check_name(display_name)
    if role not in ROLES:
        raise Refused("Select a role: provider, inspector or admin", "role")
    if role == "provider":
        if provider_id is None or not await Provider.exists().where(Provider.id == provider_id):
            raise Refused("Select the provider this user works for", "provider_id")
    else:
        provider_id = None
    if await User.exists().where(User.username == username):
        raise Refused("A user with that username already exists", "username")
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        role=role,
        provider=provider_id,
        password_hash="",
        must_change_password=True,
    )
    await user.save()
    await _send_invitation(user, settings, sign_in_page)
    await audit.record(
        "account created", actor=actor_id, detail=f"{username} ({role}); invitation sent"
    )
    return await _get(user.id)


async def resend_invitation(
    user_id: int,
    actor_id: int | None,
    *,
    settings: Settings,
    sign_in_page: str,
    sessions: SessionStore | None = None,
) -> None:
    """Send both invitation emails again with a new initial password; the old one is void,
    and so is every session and reset code of the user."""
    user = await _get(user_id)
    if not user.active:
        raise Refused("This account has been deactivated")
    await _send_invitation(user, settings, sign_in_page)
    await _void_resets(user.id)
    await _end_sessions(user.id, settings, sessions)
    await audit.record("invitation resent", actor=actor_id, detail=user.username)


async def unlock(user_id: int, actor_id: int | None) -> None:
    user = await _get(user_id)
    await User.update({User.failed_attempts: 0, User.locked_until: None}).where(User.id == user.id)
    await audit.record("account unlocked", actor=actor_id, detail=user.username)


async def deactivate(
    user_id: int,
    actor_id: int | None,
    *,
    settings: Settings,
    sessions: SessionStore | None = None,
) -> None:
    """The user can no longer sign in or reset their password; their sessions end."""
    user = await _get(user_id)
    await User.update({User.active: False}).where(User.id == user.id)
    await _void_resets(user.id)
    await _end_sessions(user.id, settings, sessions)
    await audit.record("account deactivated", actor=actor_id, detail=user.username)


async def update_details(
    user_id: int, *, display_name: str, email: str, actor_id: int | None
) -> bool:
    """Correct a person's name or email address (checked as at creation; the username
    stays). False when nothing changed (nothing written, nothing audited)."""
    display_name, email = display_name.strip(), email.strip()
    _check_name(display_name)
    _check_email(email)
    user = await _get(user_id)
    changes = [
        f"{label} {old} → {new}"
        for label, old, new in [
            ("name", user.display_name, display_name),
            ("email address", user.email, email),
        ]
        if old != new
    ]
    if not changes:
        return False
    await User.update({User.display_name: display_name, User.email: email}).where(
        User.id == user.id
    )
    await audit.record(
        "account changed", actor=actor_id, detail=f"{user.username}: " + "; ".join(changes)
    )
    return True


async def reactivate(user_id: int, actor_id: int | None) -> bool:
    """A deactivated account can sign in again with the password it had (its sessions
    and reset codes ended at deactivation). False if it was active already."""
    user = await _get(user_id)
    updated = await (
        User.update({User.active: True})
        .where((User.id == user.id) & (User.active == False))  # noqa: E712
        .returning(User.id)
    )
    if not updated:
        return False
    await audit.record("account reactivated", actor=actor_id, detail=user.username)
    return True
