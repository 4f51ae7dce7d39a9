"""Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the store.

Stored in the database, or in Redis when PORTAL_REDIS_URL is set so several workers
share them. Only the hash is stored: a leaked table or dump does not sign anyone in.

A session ends at the first of: `idle` without a request (30 minutes by default), or
`lifetime` after signing in (12 hours), however busy. Both stores keep one moment, the
session's end, moved on by requests (at most once a minute: `TOUCH_EVERY`, so a busy
page does not write on every request) but never past signing in + `lifetime`. A session
found past its end is removed and reported as ended, with why ("idle" or "absolute"),
so the next page can say why the user has to sign in again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from portal import clock, redis_clients
from portal.db.prepared import Param, Prepared, loaded
from portal.db.tables import User, UserSession

COOKIE_NAME = "portal_session"
# A request moves the session's end on only when that gains more than this: a page's
# requests within the same minute write nothing. The idle timeout is exact to this much
# (a 30th of it, for a short one as a test sets: static/js/session-timeout.js agrees).
TOUCH_EVERY = timedelta(seconds=60)


def touch_every(idle: timedelta) -> timedelta:
    return min(TOUCH_EVERY, idle / 30)


# Redis keeps an ended session's record this long after its absolute end, so that the
# next request can still tell "signed out after 30 minutes" from "never signed in".
ENDED_KEPT = timedelta(hours=1)

Ended = Literal["idle", "absolute"]


def cookie_name(secure: bool) -> str:
    """Over https (settings.secure_cookies) the session cookie is `__Host-` prefixed:
    Secure, this host only, path /, so neither plain http nor a subdomain can set it."""
    return f"__Host-{COOKIE_NAME}" if secure else COOKIE_NAME


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionData:
    user_id: int
    expires_at: datetime
    ends_by: datetime | None = None  # the absolute end


@dataclass(frozen=True)
class Resumed:
    """What a request's session token stands for: the signed-in user and when the
    session ends if nothing else happens; or, for a session that has just ended, why."""

    user: User | None = None
    expires_at: datetime | None = None
    ends_by: datetime | None = None  # the absolute end: signing in + lifetime
    ended: Ended | None = None

    def seconds_left(self) -> int:
        """Until the session ends if nothing else happens (the timeout warning's clock)."""
        return _seconds_until(self.expires_at)

    def seconds_to_end(self) -> int:
        """Until the absolute end, however busy the user is."""
        return _seconds_until(self.ends_by)


def _seconds_until(moment: datetime | None) -> int:
    return 0 if moment is None else max(0, int((moment - clock.now()).total_seconds()))


def _why(expires_at: datetime, absolute_end: datetime) -> Ended:
    return "absolute" if expires_at >= absolute_end - timedelta(seconds=1) else "idle"


def _next_end(created_at: datetime, lifetime: timedelta, idle: timedelta) -> datetime:
    return min(clock.now() + idle, created_at + lifetime)


def user_from_row(row: dict[str, Any]) -> User:
    return loaded(User, row)


# The signed-in user of a session in one round trip (every request asks).
USER_OF_SESSION = Prepared(
    User.raw(
        'SELECT portal_user.*, user_session.expires_at AS "session_expires_at", '
        'user_session.created_at AS "session_created_at" '
        "FROM user_session JOIN portal_user "
        'ON portal_user.id = user_session."user" AND portal_user.active '
        "WHERE user_session.token_hash = {}",
        Param("token_hash"),
    )
)
USER_BY_ID = Prepared(User.raw("SELECT * FROM portal_user WHERE id = {} AND active", Param("id")))


class SessionStore(Protocol):
    lifetime: timedelta
    idle: timedelta

    async def create(self, user_id: int) -> str: ...
    async def get(self, token: str) -> SessionData | None: ...
    async def resume(self, token: str, *, touch: bool = False) -> Resumed:
        """The session as of this request, its end moved on (`touch`: whatever it gains).
        A session past its end is removed and comes back as `ended`."""
        ...

    async def user_for(self, token: str) -> User | None:
        """The active user the session signs in, or None (unknown, expired, deactivated)."""
        ...

    async def delete(self, token: str) -> None: ...
    async def delete_for_user(self, user_id: int, *, keep: str | None = None) -> None: ...
    async def close(self) -> None: ...


class DatabaseSessionStore:
    def __init__(self, lifetime: timedelta, idle: timedelta | None = None) -> None:
        self.lifetime = lifetime
        self.idle = idle if idle is not None else lifetime

    async def create(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        now = clock.now()
        await UserSession.insert(
            UserSession(
                token_hash=_hash(token),
                user=user_id,
                csrf_token="",
                created_at=now,
                expires_at=_next_end(now, self.lifetime, self.idle),
            )
        )
        return token

    async def get(self, token: str) -> SessionData | None:
        row = (
            await UserSession.select(UserSession.user, UserSession.expires_at)
            .where(UserSession.token_hash == _hash(token))
            .first()
        )
        if row is None:
            return None
        expires_at = clock.aware(row["expires_at"])
        if expires_at <= clock.now():
            await self.delete(token)
            return None
        return SessionData(user_id=row["user"], expires_at=expires_at)

    async def resume(self, token: str, *, touch: bool = False) -> Resumed:
        row = await USER_OF_SESSION.first(token_hash=_hash(token))
        if row is None:
            return Resumed()
        expires_at = clock.aware(row.pop("session_expires_at"))
        created_at = clock.aware(row.pop("session_created_at"))
        if expires_at <= clock.now():
            await self.delete(token)
            return Resumed(ended=_why(expires_at, created_at + self.lifetime))
        later = _next_end(created_at, self.lifetime, self.idle)
        gain = later - expires_at
        if gain > timedelta(0) and (touch or gain >= touch_every(self.idle)):
            await UserSession.update({UserSession.expires_at: later}).where(
                UserSession.token_hash == _hash(token)
            )
            expires_at = later
        return Resumed(
            user=user_from_row(row), expires_at=expires_at, ends_by=created_at + self.lifetime
        )

    async def user_for(self, token: str) -> User | None:
        return (await self.resume(token)).user

    async def delete(self, token: str) -> None:
        await UserSession.delete().where(UserSession.token_hash == _hash(token))

    async def delete_for_user(self, user_id: int, *, keep: str | None = None) -> None:
        query = UserSession.delete().where(UserSession.user == user_id)
        if keep:
            query = query.where(UserSession.token_hash != _hash(keep))
        await query

    async def close(self) -> None:
        return None


class RedisSessionStore:
    def __init__(
        self, url: str, lifetime: timedelta, prefix: str = "portal:", idle: timedelta | None = None
    ) -> None:
        self.redis = redis_clients.connect(url, name="portal-sessions")  # named in CLIENT LIST
        self.lifetime = lifetime
        self.idle = idle if idle is not None else lifetime
        self.prefix = prefix

    def _key(self, token_hash: str) -> str:
        return f"{self.prefix}session:{token_hash}"

    def _user_key(self, user_id: int) -> str:
        return f"{self.prefix}user-sessions:{user_id}"

    async def create(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        token_hash = _hash(token)
        now = clock.now()
        # Kept past the absolute end (ENDED_KEPT) so an ended session still says why.
        seconds = max(1, int((self.lifetime + ENDED_KEPT).total_seconds()))
        payload = self._payload(user_id, now, _next_end(now, self.lifetime, self.idle))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(token_hash), payload, ex=seconds)
            pipe.sadd(self._user_key(user_id), token_hash)
            pipe.expire(self._user_key(user_id), seconds)
            await pipe.execute()
        return token

    @staticmethod
    def _payload(user_id: int, created_at: datetime, expires_at: datetime) -> str:
        return json.dumps(
            {
                "user_id": user_id,
                "created_at": created_at.isoformat(),
                "expires_at": expires_at.isoformat(),
            }
        )

    async def _session(self, token: str, *, touch: bool = False) -> SessionData | Ended | None:
        """The live session (its end moved on), why it ended, or None if there is none."""
        key = self._key(_hash(token))
        raw = await self.redis.get(key)
        if raw is None:
            return None
        data = json.loads(raw)
        user_id = int(data["user_id"])
        expires_at = datetime.fromisoformat(data["expires_at"])
        created_at = datetime.fromisoformat(data.get("created_at") or data["expires_at"])
        if expires_at <= clock.now():
            await self.delete(token)
            return _why(expires_at, created_at + self.lifetime)
        later = _next_end(created_at, self.lifetime, self.idle)
        gain = later - expires_at
        if gain > timedelta(0) and (touch or gain >= touch_every(self.idle)):
            # xx: only while it still exists (a sign-out in between stays signed out).
            await self.redis.set(
                key, self._payload(user_id, created_at, later), xx=True, keepttl=True
            )
            expires_at = later
        return SessionData(
            user_id=user_id, expires_at=expires_at, ends_by=created_at + self.lifetime
        )

    async def get(self, token: str) -> SessionData | None:
        session = await self._session(token)
        return session if isinstance(session, SessionData) else None

    async def resume(self, token: str, *, touch: bool = False) -> Resumed:
        session = await self._session(token, touch=touch)
        if not isinstance(session, SessionData):
            return Resumed(ended=session)
        row = await USER_BY_ID.first(id=session.user_id)
        if row is None:
            return Resumed()
        return Resumed(
            user=user_from_row(row), expires_at=session.expires_at, ends_by=session.ends_by
        )

    async def user_for(self, token: str) -> User | None:
        return (await self.resume(token)).user

    async def delete(self, token: str) -> None:
        await self.redis.delete(self._key(_hash(token)))

    async def delete_for_user(self, user_id: int, *, keep: str | None = None) -> None:
        keep_hash = _hash(keep) if keep else None
        hashes = [h.decode() for h in await self.redis.smembers(self._user_key(user_id))]
        doomed = [h for h in hashes if h != keep_hash]
        if doomed:
            await self.redis.delete(*[self._key(h) for h in doomed])
            await self.redis.srem(self._user_key(user_id), *doomed)

    async def close(self) -> None:
        await self.redis.aclose()


def make_store(
    redis_url: str, hours: int, idle_seconds: int | None = None, *, prefix: str = "portal:"
) -> SessionStore:
    lifetime = timedelta(hours=hours)
    idle = timedelta(seconds=idle_seconds) if idle_seconds else lifetime
    if redis_url:
        return RedisSessionStore(redis_url, lifetime, prefix=prefix, idle=idle)
    return DatabaseSessionStore(lifetime, idle)
