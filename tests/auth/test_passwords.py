"""Password hashing waits its turn: a bounded number of real argon2 hashes at once, in
threads at a lower OS priority than the event loop, and signing in still works."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from argon2 import PasswordHasher

from portal.auth import passwords
from portal.auth.passwords import hash_password, verify_password
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory


class CountingHasher(PasswordHasher):
    """argon2's own hasher, counting the hashes in flight and the threads' nice values."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.in_flight = self.most = self.calls = 0
        self.nice: set[int] = set()

    def _counted(self, call):  # type: ignore[no-untyped-def]
        with self.lock:
            self.in_flight += 1
            self.calls += 1
            self.most = max(self.most, self.in_flight)
            self.nice.add(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        try:
            return call()
        finally:
            with self.lock:
                self.in_flight -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        return self._counted(lambda: super(CountingHasher, self).hash(password, salt=salt))

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        return self._counted(lambda: super(CountingHasher, self).verify(hash, password))


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher


def test_the_limit_is_sized_to_the_machine() -> None:
    # A hash already spreads over its 4 lanes (argon2's threads): one at a time per 4 cores.
    cores = len(os.sched_getaffinity(0))
    assert passwords.LANES == 4
    assert passwords.CONCURRENT_HASHES == max(1, cores // 4)


async def test_twenty_sign_ins_at_once_hash_a_few_at_a_time(counting: CountingHasher) -> None:
    stored = await hash_password("Kestrel42 nest")
    counting.most = counting.calls = 0
    right = [verify_password(stored, "Kestrel42 nest") for _ in range(10)]
    wrong = [verify_password(stored, "not it") for _ in range(10)]
    results = await asyncio.gather(*right, *wrong)
    assert results == [True] * 10 + [False] * 10
    assert counting.calls == 20
    assert counting.most == passwords.CONCURRENT_HASHES
    # Every hash ran below the event loop's priority (argon2's lane threads inherit it).
    loop_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert counting.nice == {min(19, loop_nice + passwords.NICE)}


async def test_hash_and_verify_are_argon2id_64_mib_t3_p4() -> None:
    stored = await hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await verify_password(stored, PASSWORD)
    assert not await verify_password(stored, PASSWORD + "x")
    assert not await verify_password(None, PASSWORD)  # unknown user: same work, no match
    assert not passwords.needs_rehash(stored)


async def test_sign_in_through_the_form_still_works(
    client: PortalClient, make: Factory, counting: CountingHasher
) -> None:
    user = await make.user()
    counting.calls = 0
    right = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert right.status_code == 303
    assert right.headers["location"] == "/events"
    client.sign_out_locally()
    wrong = await client.post("/sign-in", {"username": user.username, "password": "nope"})
    assert "The username or password is not correct" in wrong.text
    assert counting.calls == 2  # both answers came from argon2, in the hashing threads
    loop_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert counting.nice == {min(19, loop_nice + passwords.NICE)}
