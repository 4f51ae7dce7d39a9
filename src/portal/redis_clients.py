"""Every Redis client is made here, one way: a connection Redis dropped (a restart, a
failover, an idle timeout on the way) is retried once on a new connection, so the first
request after a restart succeeds instead of failing on the dead socket; a Redis that does
not answer fails within TIMEOUT seconds (a command is not sent twice to a Redis that timed
out) (the user then sees the service's "unavailable"
page), never hangs a request.

redis-py's own default retry does not reach clients made with `from_url` (their pool's
connections get none), hence the explicit `retry`.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError

TIMEOUT = 5.0  # seconds to connect, and for an answer to a command
RETRIES = 1  # a dropped connection is tried again once, at once on a new connection
HEALTH_CHECK_SECONDS = 30  # a connection idle this long is PINGed before it is used


def connect(url: str, *, name: str, timeout: float = TIMEOUT) -> Redis:
    """A client for `url`, named `name` in Redis's CLIENT LIST."""
    return Redis.from_url(
        url,
        client_name=name,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        socket_keepalive=True,
        health_check_interval=HEALTH_CHECK_SECONDS,
        # Only a dropped connection is retried: a Redis that does not answer is not asked
        # twice (the user would wait twice as long for the same "unavailable" page).
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES, (ConnectionError,)),
        retry_on_error=[ConnectionError],
    )
