"""Sign-in rules: passwords, lockout, rate limits, changing one's password. No Litestar here."""

from __future__ import annotations

from dataclasses import dataclass

from portal import audit, clock, metrics, notify
from portal.auth import lockout, rate_limit
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.auth.sessions import SessionStore
from portal.db.tables import User
from portal.settings import Settings
from portal.validation import Refused

WRONG_CREDENTIALS = "The username or password is not correct"
LOCKED = (
    "Your account is locked after {attempts} wrong passwords in a row. It unlocks by itself "
    "after {minutes} minutes. To unlock it now, use ‘Forgotten or change password’ "
    "or contact your inspection support administrator"
)
TOO_MANY = "Too many attempts to sign in. Wait a minute, then try again"
WRONG_CURRENT = "Your current password is not correct"
TOO_MANY_CURRENT = "Too many attempts. Wait a minute, then try again"


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None
    locked: bool = False


def normalise_username(username: str) -> str:
    return username.strip().lower()


def locked_message(rule: lockout.Rule) -> str:
    return LOCKED.format(attempts=rule.max_attempts, minutes=rule.lock_minutes)


async def _refusal(
    user: User | None,
    name: str,
    ok: bool,
    rule: lockout.Rule,
    limiter: rate_limit.RateLimiter | None,
    *,
    what: str = "sign-in",
) -> SignInResult | None:
    """The lockout's answer to a checked password (None: let it through). Locked names
    are refused, even with the right password; a wrong one counts (lockout.py)."""
    if await lockout.is_locked(user, name, limiter):
        await audit.record(f"{what} refused: account locked", actor=user.id if user else None)
        return SignInResult(user=None, error=locked_message(rule), locked=True)
    if ok and user is not None:
        return None
    if await lockout.count_failure(user, name, rule, limiter, what=what):
        metrics.locked_out()
        return SignInResult(user=None, error=locked_message(rule), locked=True)
    return SignInResult(user=None, error=WRONG_CREDENTIALS)


async def authenticate(
    username: str,
    password: str,
    *,
    max_attempts: int = 5,
    lock_minutes: int = 15,
    limiter: rate_limit.RateLimiter | None = None,
) -> SignInResult:
    """Check a username and password. The same message, and the same argon2 work,
    whether or not the user exists, so the answer does not reveal who has an account:
    an unknown username locks by the same rule as a real one (portal.auth.lockout)."""
    name = normalise_username(username)
    user = await User.objects().where(User.username == name).first() if name else None
    if user is not None and not user.active:
        user = None
    ok = await verify_password(user.password_hash if user else None, password)
    refused = await _refusal(user, name, ok, lockout.Rule(max_attempts, lock_minutes), limiter)
    if refused is not None or user is None:
        return refused or SignInResult(user=None, error=WRONG_CREDENTIALS)

    changes: dict = {}
    if user.failed_attempts or user.locked_until is not None:
        changes.update({User.failed_attempts: 0, User.locked_until: None})
    if needs_rehash(user.password_hash):
        changes[User.password_hash] = await hash_password(password)
    if changes:
        await User.update(changes).where(User.id == user.id)
        user = await User.objects().where(User.id == user.id).first()
    await audit.record("signed in", actor=user.id)
    return SignInResult(user=user)


async def _within_limits(limiter: rate_limit.RateLimiter, address: str, username: str) -> bool:
    """The sign-in limits (per address, per username): the one gate for every password
    check, signing in and 'Change password' alike."""
    return await rate_limit.allow_all(
        limiter,
        [
            (rate_limit.SIGN_IN_PER_ADDRESS, address),
            (rate_limit.SIGN_IN_PER_USERNAME, normalise_username(username)),
        ],
    )


async def sign_in(
    username: str,
    password: str,
    *,
    address: str,
    limiter: rate_limit.RateLimiter,
    settings: Settings,
) -> User:
    """The user these credentials sign in, within the rate limits (per address and per
    username) and the lockout; otherwise `Refused`, next to the username."""
    if not await _within_limits(limiter, address, username):
        await audit.record("sign-in rate limited", actor=None, detail=username[:100])
        metrics.sign_in("rate_limited")
        raise Refused(TOO_MANY, "username")
    result = await authenticate(
        username,
        password,
        max_attempts=settings.lockout_attempts,
        lock_minutes=settings.lockout_minutes,
        limiter=limiter,
    )
    metrics.sign_in("success" if result.user else "locked" if result.locked else "failure")
    if result.user is None:
        raise Refused(result.error or WRONG_CREDENTIALS, "username")
    return result.user


async def sign_out(user: User | None, token: str | None, *, sessions: SessionStore) -> None:
    """End this session (the cookie goes too, in the route)."""
    if token:
        await sessions.delete(token)
    if user is not None:
        await audit.record("signed out", actor=user.id)


def home_for(user: User) -> str:
    """The name of the route a user starts from."""
    if user.must_change_password:
        return "auth.change_password"
    if user.role == "admin":
        return "admin.home"
    return "events.list"


async def change_password(
    user: User, new_password: str, *, actor_id: int | None, notice: str = ""
) -> None:
    """Set a password the user chose (the rule has been checked by the caller). With
    `notice` (a message of portal.notify), the user is told by email: queued in the same
    transaction as the change, so neither happens without the other."""
    password_hash = await hash_password(new_password)  # argon2 first: no lock held meanwhile
    async with User._meta.db.transaction():
        await User.update(
            {
                User.password_hash: password_hash,
                User.must_change_password: False,
                User.failed_attempts: 0,
                User.locked_until: None,
            }
        ).where(User.id == user.id)
        if notice:
            await notify.send(notice, await notify.user(user.id), changed_at=clock.now())


async def change_own_password(
    user: User,
    current: str,
    new: str,
    *,
    sessions: SessionStore,
    keep_session: str | None,
    limiter: rate_limit.RateLimiter,
    address: str,
    settings: Settings,
) -> None:
    """A signed-in user chooses a new password (the rule is checked by the form): the
    current one must be right (unless this is the first sign-in's forced change) and
    the new one different. The current password is checked behind the sign-in's rate
    limits and lockout: 'Change password' is no side door for guessing it. Every other
    session of the user ends; `keep_session` goes on."""
    first = user.must_change_password
    if not first:
        if not await _within_limits(limiter, address, user.username):
            await audit.record("change password rate limited", actor=user.id)
            raise Refused(TOO_MANY_CURRENT, "current_password")
        ok = await verify_password(user.password_hash, current)
        rule = lockout.Rule(settings.lockout_attempts, settings.lockout_minutes)
        refused = await _refusal(
            user, user.username, ok, rule, limiter, what="change password: current password"
        )
        if refused is not None:
            message = refused.error if refused.locked else WRONG_CURRENT
            raise Refused(message or WRONG_CURRENT, "current_password")
        if user.failed_attempts:
            await User.update({User.failed_attempts: 0}).where(User.id == user.id)
    if await verify_password(user.password_hash, new):
        raise Refused(
            "Your new password must be different from the one you have now", "new_password"
        )
    # The first sign-in's change is the user's first own password: nothing to warn about.
    await change_password(user, new, actor_id=user.id, notice="" if first else "password_changed")
    await audit.record(
        "password chosen at first sign-in" if first else "password changed", actor=user.id
    )
    await sessions.delete_for_user(user.id, keep=keep_session)
    user.must_change_password = False
