"""Password hashing with argon2id that cannot stall the site.

Each hash (64 MiB, t=3, p=4: argon2-cffi's defaults) takes about 0.1 s of CPU spread over
four threads argon2 itself starts, one per lane. Twenty people signing in at once would
otherwise take every core from the event loop, and every page with it. So hashing and
verifying run:

- behind an anyio `CapacityLimiter` sized to the machine (a hash at a time per four
  cores, at least one): the sign-ins queue on the event loop, not in the kernel;
- in their own worker threads, started at a lower OS priority (nice 10; argon2's lane
  threads inherit it), so the scheduler gives the event loop the CPU when both want it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

T = TypeVar("T")

# argon2id with the library's recommended parameters (RFC 9106's second choice).
_hasher = PasswordHasher()

LANES = _hasher.parallelism
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
# Concurrent hashes: each already spreads over LANES cores, so more at once adds memory
# (64 MiB each) and no throughput.
CONCURRENT_HASHES = max(1, CORES // LANES)
NICE = 10  # added to the hashing threads' nice value (lower priority; no privilege needed)


def _lower_priority() -> None:
    """Run in each hashing thread as it starts. Linux keeps a nice value per thread."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):  # not Linux: hash at normal priority
        pass


_threads = ThreadPoolExecutor(
    max_workers=CONCURRENT_HASHES, thread_name_prefix="argon2", initializer=_lower_priority
)
# One limiter per event loop: anyio's asyncio limiter belongs to the loop it first waits on
# (tests and commands run several loops in one process; the thread pool bounds them all).
_limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()


def limiter() -> anyio.CapacityLimiter:
    """This event loop's hashing limiter."""
    loop = asyncio.get_running_loop()
    if loop not in _limiters:
        _limiters[loop] = anyio.CapacityLimiter(CONCURRENT_HASHES)
    return _limiters[loop]


async def _in_hashing_thread(func: Callable[..., T], *args: str) -> T:
    async with limiter():
        return await asyncio.get_running_loop().run_in_executor(_threads, func, *args)


# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


async def hash_password(password: str) -> str:
    return await _in_hashing_thread(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    return await _in_hashing_thread(_verify, stored_hash or "", password)


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
