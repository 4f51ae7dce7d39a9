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

from portal import clock
from portal.db.tables import UserSession

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


class SessionStore(Protocol):
    async def create(self, user_id: int) -> str: ...
    async def get(self, token: str) -> SessionData | None: ...
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
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url, client_name="portal-sessions")  # named in CLIENT LIST
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
