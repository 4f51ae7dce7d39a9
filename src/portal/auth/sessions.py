"""Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the store.

Stored in the database, or in Redis when PORTAL_REDIS_URL is set so several workers
share them. Only the hash is stored: a leaked table or dump does not sign anyone in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from portal import clock, redis_clients
from portal.db.prepared import Param, Prepared
from portal.db.tables import User, UserSession

COOKIE_NAME = "portal_session"


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


def user_from_row(row: dict[str, object]) -> User:
    user = User(_ignore_missing=True, **row)
    user._exists_in_db = True
    return user


# The signed-in user of a session in one round trip (every request asks).
USER_OF_SESSION = Prepared(
    User.raw(
        'SELECT portal_user.*, user_session.expires_at AS "session_expires_at" '
        "FROM user_session JOIN portal_user "
        'ON portal_user.id = user_session."user" AND portal_user.active '
        "WHERE user_session.token_hash = {}",
        Param("token_hash"),
    )
)
USER_BY_ID = Prepared(User.raw("SELECT * FROM portal_user WHERE id = {} AND active", Param("id")))


class SessionStore(Protocol):
    async def create(self, user_id: int) -> str: ...
    async def get(self, token: str) -> SessionData | None: ...
    async def user_for(self, token: str) -> User | None:
        """The active user the session signs in, or None (unknown, expired, deactivated)."""
        ...

    async def delete(self, token: str) -> None: ...
    async def delete_for_user(self, user_id: int, *, keep: str | None = None) -> None: ...
    async def close(self) -> None: ...


class DatabaseSessionStore:
    def __init__(self, lifetime: timedelta) -> None:
        self.lifetime = lifetime

    async def create(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        await UserSession.insert(
            UserSession(
                token_hash=_hash(token),
                user=user_id,
                csrf_token="",
                expires_at=clock.now() + self.lifetime,
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

    async def user_for(self, token: str) -> User | None:
        row = await USER_OF_SESSION.first(token_hash=_hash(token))
        if row is None:
            return None
        if clock.aware(row.pop("session_expires_at")) <= clock.now():
            await self.delete(token)
            return None
        return user_from_row(row)

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
    def __init__(self, url: str, lifetime: timedelta, prefix: str = "portal:") -> None:
        self.redis = redis_clients.connect(url, name="portal-sessions")  # named in CLIENT LIST
        self.lifetime = lifetime
        self.prefix = prefix

    def _key(self, token_hash: str) -> str:
        return f"{self.prefix}session:{token_hash}"

    def _user_key(self, user_id: int) -> str:
        return f"{self.prefix}user-sessions:{user_id}"

    async def create(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        token_hash = _hash(token)
        expires_at = clock.now() + self.lifetime
        seconds = int(self.lifetime.total_seconds())
        payload = json.dumps({"user_id": user_id, "expires_at": expires_at.isoformat()})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(token_hash), payload, ex=seconds)
            pipe.sadd(self._user_key(user_id), token_hash)
            pipe.expire(self._user_key(user_id), seconds)
            await pipe.execute()
        return token

    async def get(self, token: str) -> SessionData | None:
        raw = await self.redis.get(self._key(_hash(token)))
        if raw is None:
            return None
        data = json.loads(raw)
        return SessionData(
            user_id=int(data["user_id"]), expires_at=datetime.fromisoformat(data["expires_at"])
        )

    async def user_for(self, token: str) -> User | None:
        session = await self.get(token)
        if session is None:
            return None
        row = await USER_BY_ID.first(id=session.user_id)
        return None if row is None else user_from_row(row)

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


def make_store(redis_url: str, hours: int) -> SessionStore:
    lifetime = timedelta(hours=hours)
    if redis_url:
        return RedisSessionStore(redis_url, lifetime)
    return DatabaseSessionStore(lifetime)
