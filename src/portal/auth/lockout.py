"""Wrong passwords in a row lock an account: ONE rule, whoever the username belongs to.

The rule: each wrong password counts one; the `max_attempts`th in a row locks the name
for `lock_minutes` from that moment and starts the count again; while locked nothing is
counted and even the right password is refused; a right password clears the count.

A real account keeps its count and lock in its row (`User.failed_attempts`,
`User.locked_until`: the administrator sees and clears them). A username with no account
keeps the same two things in the rate limiter's store (database or Redis) and goes
through the same steps, so nobody can tell the two apart by when a lock starts or ends
(the earlier fixed 15-minute window for unknown names let a guess at a window's edge
show which names exist). The one difference is tidiness: an unknown name's count is
forgotten `UNKNOWN_KEPT` after its latest wrong password (storage is bounded); a real
account's count stays until a right password, a lock or an unlock (see docs/SECURITY.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portal import audit, clock, notify
from portal.auth.rate_limit import RateLimiter
from portal.db.tables import User

UNKNOWN_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Rule:
    max_attempts: int
    lock_minutes: int


def _keys(name: str) -> tuple[str, str]:
    return f"password-failures:{name}", f"password-locked:{name}"


async def is_locked(user: User | None, name: str, limiter: RateLimiter | None) -> bool:
    if user is not None:
        until = clock.aware(user.locked_until)
        return until is not None and until > clock.now()
    if limiter is None or not name:
        return False
    return await limiter.until(_keys(name)[1]) is not None


async def count_failure(
    user: User | None, name: str, rule: Rule, limiter: RateLimiter | None, *, what: str
) -> bool:
    """Count one wrong password for `user` (or for `name` when there is no such account);
    True when this one locks it. `what` names the check in the audit log."""
    now = clock.now()
    lock_until = now + timedelta(minutes=rule.lock_minutes)
    if user is None:
        await audit.record(f"{what} failed", actor=None, detail=name[:100])
        if limiter is None or not name:
            return False
        failures_key, locked_key = _keys(name)
        failed = await limiter.add(failures_key, now + UNKNOWN_KEPT)
        if failed < rule.max_attempts:
            return False
        await limiter.clear(failures_key)
        await limiter.add(locked_key, lock_until)
        return True
    await User.update({User.failed_attempts: User.failed_attempts + 1}).where(User.id == user.id)
    row = await User.select(User.failed_attempts).where(User.id == user.id).first()
    failed = row["failed_attempts"]
    await audit.record(f"{what} failed", actor=user.id, detail=f"wrong password {failed}")
    if failed < rule.max_attempts:
        return False
    async with User._meta.db.transaction():  # the lock and the user's email, together
        # Only the request that starts the lock (the count still full) tells the user:
        # two wrong passwords at once lock the account once, and send one email.
        started = await (
            User.update({User.failed_attempts: 0, User.locked_until: lock_until})
            .where((User.id == user.id) & (User.failed_attempts >= rule.max_attempts))
            .returning(User.id)
        )
        if started:
            await audit.record(
                "account locked", actor=user.id, detail=f"{failed} wrong passwords in a row"
            )
            await notify.send(
                "account_locked",
                await notify.user(user.id),
                locked_at=now,
                locked_until=lock_until,
                attempts=failed,
            )
    return True
