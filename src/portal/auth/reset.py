"""'Forgotten or change password': a code by email, then a new password. No Litestar here.

1. `request_reset(username, ...)`: the same work and the same answer whether or not the
   account exists. A new code voids the user's earlier ones.
2. `check_code(username, code, ...)` (`verify_code` within the rate limits): the code (argon2-hashed in the table) works once, for
   30 minutes; five wrong tries void it. Right: the account is unlocked, and a random
   grant is returned, for the browser to keep in a cookie.
3. `complete(grant, password)`: sets the password and closes the reset.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from portal import audit, clock, mail
from portal.auth import emails, rate_limit
from portal.auth.passwords import hash_password, verify_password
from portal.auth.service import change_password, normalise_username
from portal.auth.tables import PasswordReset
from portal.db.tables import User
from portal.settings import Settings
from portal.validation import Refused

VALID_MINUTES = 30
MAX_CODE_ATTEMPTS = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read and type
CODE_LENGTH = 8
# Both answers to a reset request take at least this long, whatever the work took.
MIN_REQUEST_SECONDS = 0.75

TOO_MANY = "Too many attempts. Wait a few minutes, then try again"
WRONG_CODE = (
    "The code is not correct, or it has expired or already been used. Check the email "
    "we sent you, or ask for a new code"
)


@dataclass(frozen=True)
class VerifyResult:
    grant: str | None
    error: str | None = None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """Shown as two groups of four: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"


def clean_code(code: str) -> str:
    """What the user typed, forgiving case, spaces and dashes."""
    return "".join(c for c in code.upper() if c.isalnum())


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def allowed(
    limiter: rate_limit.RateLimiter, address: str, per_username: rate_limit.Limit, username: str
) -> bool:
    """Within the reset limits: per address, and per username for this step."""
    return await rate_limit.allow_all(
        limiter,
        [
            (rate_limit.RESET_PER_ADDRESS, address),
            (per_username, normalise_username(username)),
        ],
    )


async def request_allowed(limiter: rate_limit.RateLimiter, address: str, username: str) -> bool:
    """Within the limits for asking for a code: per address, and per username *from this
    address*, so nobody elsewhere can use up the owner's requests (issue 16)."""
    return await rate_limit.allow_all(
        limiter,
        [
            (rate_limit.RESET_PER_ADDRESS, address),
            (
                rate_limit.RESET_REQUEST_PER_USERNAME,
                rate_limit.reset_request_subject(normalise_username(username), address),
            ),
        ],
    )


async def request_reset(
    username: str,
    settings: Settings,
    *,
    code_page: str,
    send: bool = True,
) -> None:
    """Send a code to the account's email address, if there is such an active account,
    with a link to `code_page` (the code page's path) with the code filled in.
    Unknown usernames cost the same: the code is made and hashed either way, and the
    answer is held back to a fixed minimum time. `send=False` (rate limit reached)
    does the same work but sends nothing."""
    started = time.monotonic()
    name = normalise_username(username)
    user = await User.objects().where((User.username == name) & User.active.eq(True)).first()
    code = new_code()
    code_hash = await hash_password(code)
    if user is not None and send:
        now = clock.now()
        await PasswordReset.update({PasswordReset.voided_at: now}).where(
            (PasswordReset.user == user.id)
            & PasswordReset.completed_at.is_null()
            & PasswordReset.voided_at.is_null()
        )
        await PasswordReset.insert(
            PasswordReset(
                user=user.id,
                code_hash=code_hash,
                expires_at=now + timedelta(minutes=VALID_MINUTES),
            )
        )
        message = emails.reset_code(
            settings,
            user.display_name,
            format_code(code),
            emails.link(
                settings, code_page, {"username": user.username, "code": format_code(code)}
            ),
            VALID_MINUTES,
        )
        await mail.enqueue(
            to=user.email, subject=message.subject, text=message.text, html=message.html
        )
        await audit.record("password reset requested", actor=user.id)
    else:
        # The same number of writes as above, so the database work matches too.
        await audit.record(
            "password reset requested",
            actor=user.id if user else None,
            detail="rate limited: no code sent" if user else f"unknown username {name[:60]}",
        )
    elapsed = time.monotonic() - started
    if elapsed < MIN_REQUEST_SECONDS:
        await asyncio.sleep(MIN_REQUEST_SECONDS - elapsed)


async def _open_reset(user_id: int) -> PasswordReset | None:
    """The user's latest code that can still be entered."""
    return (
        await PasswordReset.objects()
        .where(
            (PasswordReset.user == user_id)
            & PasswordReset.used_at.is_null()
            & PasswordReset.voided_at.is_null()
            & PasswordReset.completed_at.is_null()
            & (PasswordReset.expires_at > clock.now())
        )
        .order_by(PasswordReset.id, ascending=False)
        .first()
    )


async def verify_code(username: str, code: str) -> VerifyResult:
    name = normalise_username(username)
    user = await User.objects().where((User.username == name) & User.active.eq(True)).first()
    reset = await _open_reset(user.id) if user else None
    # Verified against a dummy hash when there is no open code: the same time either way.
    ok = await verify_password(reset.code_hash if reset else None, clean_code(code))
    if reset is None or user is None:
        return VerifyResult(grant=None, error=WRONG_CODE)
    now = clock.now()
    if not ok:
        await PasswordReset.update({PasswordReset.attempts: PasswordReset.attempts + 1}).where(
            PasswordReset.id == reset.id
        )
        attempts = reset.attempts + 1
        if attempts >= MAX_CODE_ATTEMPTS:
            await PasswordReset.update({PasswordReset.voided_at: now}).where(
                PasswordReset.id == reset.id
            )
            await audit.record(
                "password reset code voided", actor=user.id, detail=f"{attempts} wrong codes"
            )
        else:
            await audit.record("password reset code wrong", actor=user.id)
        return VerifyResult(grant=None, error=WRONG_CODE)
    grant = secrets.token_urlsafe(32)
    # Single use: only the request that moves used_at from empty gets the grant.
    claimed = await (
        PasswordReset.update({PasswordReset.used_at: now, PasswordReset.grant_hash: _sha256(grant)})
        .where((PasswordReset.id == reset.id) & PasswordReset.used_at.is_null())
        .returning(PasswordReset.id)
    )
    if not claimed:
        return VerifyResult(grant=None, error=WRONG_CODE)
    await User.update({User.failed_attempts: 0, User.locked_until: None}).where(User.id == user.id)
    await audit.record("password reset code verified; account unlocked", actor=user.id)
    return VerifyResult(grant=grant)


async def check_code(
    username: str, code: str, *, address: str, limiter: rate_limit.RateLimiter
) -> str:
    """The grant for a right code, within the rate limits; otherwise `Refused`, next to
    the code."""
    if not await allowed(limiter, address, rate_limit.RESET_CODE_PER_USERNAME, username):
        raise Refused(TOO_MANY, "code")
    result = await verify_code(username, code)
    if result.grant is None:
        raise Refused(result.error or WRONG_CODE, "code")
    return result.grant


async def user_for_grant(grant: str | None) -> tuple[PasswordReset, User] | None:
    """The reset and user a grant (from the cookie) stands for, while it is still good:
    not used to set a password yet, and within 30 minutes of entering the code."""
    if not grant:
        return None
    reset = (
        await PasswordReset.objects()
        .where(
            (PasswordReset.grant_hash == _sha256(grant))
            & PasswordReset.completed_at.is_null()
            & PasswordReset.voided_at.is_null()
        )
        .first()
    )
    if reset is None or reset.used_at is None:
        return None
    if clock.aware(reset.used_at) + timedelta(minutes=VALID_MINUTES) <= clock.now():
        return None
    user = await User.objects().where((User.id == reset.user) & User.active.eq(True)).first()
    if user is None:
        return None
    return reset, user


async def complete(grant: str, new_password: str) -> User | None:
    """Set the new password (already checked against the rule); the grant is then spent."""
    found = await user_for_grant(grant)
    if found is None:
        return None
    reset, user = found
    closed = await (
        PasswordReset.update({PasswordReset.completed_at: clock.now()})
        .where((PasswordReset.id == reset.id) & PasswordReset.completed_at.is_null())
        .returning(PasswordReset.id)
    )
    if not closed:
        return None
    await change_password(user, new_password, actor_id=user.id, notice="password_reset")
    await audit.record("password reset", actor=user.id)
    return user
