"""Sign-in rules. No Litestar here."""

from __future__ import annotations

from dataclasses import dataclass

from portal import audit
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.db.tables import User

WRONG_CREDENTIALS = "The username or password is not correct"


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


async def authenticate(username: str, password: str) -> SignInResult:
    """Check a username and password. The same message, and the same argon2 work,
    whether or not the user exists, so the answer does not reveal who has an account."""
    name = normalise_username(username)
    user = await User.objects().where(User.username == name).first() if name else None
    hashed = user.password_hash if user and user.active else None
    ok = await verify_password(hashed, password)
    if not ok or user is None:
        await audit.record("sign-in failed", actor=user.id if user else None, detail=name[:100])
        return SignInResult(user=None, error=WRONG_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        await user.save([User.password_hash])
    await audit.record("signed in", actor=user.id)
    return SignInResult(user=user)


def home_for(user: User) -> str:
    if user.role == "admin":
        return "/admin"
    return "/events"
