"""What a restore needs of both document stores (disk, and S3 on a moto server): `put`
keeps a file under the name given, whole or not at all, and `all_stored` lists every
complete file whatever its age."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from portal.documents.storage import DocumentStore, TooLarge
from portal.documents.storage_disk import DiskStore
from portal.documents.storage_s3 import PART_SIZE, S3Store
from tests.s3 import REGION, Bucket, s3_bucket, s3_server  # noqa: F401  (fixtures)


@pytest.fixture(params=["disk", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    if request.param == "disk":
        yield DiskStore(tmp_path / "files")
        return
    bucket: Bucket = request.getfixturevalue("s3_bucket")
    s3 = S3Store(bucket.name, "documents", endpoint_url=bucket.server.endpoint_url, region=REGION)
    yield s3
    await s3.close()


async def pieces(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(store: DocumentStore, name: str) -> bytes:
    opened = await store.open(name)
    assert opened is not None
    return b"".join([chunk async for chunk in opened.chunks])


async def listed(store: DocumentStore) -> list[str]:
    return sorted([name async for batch in store.all_stored() for name in batch])


async def test_put_keeps_a_file_under_the_name_given(store: DocumentStore) -> None:
    name = secrets.token_hex(16)
    data = secrets.token_bytes(PART_SIZE + 1000)  # more than one S3 part: multipart
    kept = await store.put(name, pieces(data), max_bytes=len(data))
    assert kept.stored_name == name and kept.size == len(data)
    assert kept.sha256 == hashlib.sha256(data).hexdigest()
    assert await read(store, name) == data


async def test_put_refuses_a_name_that_is_not_a_stored_name(store: DocumentStore) -> None:
    with pytest.raises(ValueError, match="bad stored name"):
        await store.put("../../etc/passwd", pieces(b"x"), max_bytes=10)
    assert await listed(store) == []


async def test_put_past_its_size_keeps_nothing(store: DocumentStore) -> None:
    name = secrets.token_hex(16)
    with pytest.raises(TooLarge):
        await store.put(name, pieces(secrets.token_bytes(200_000)), max_bytes=100_000)
    assert not await store.exists(name)
    assert await listed(store) == []


async def test_all_stored_lists_every_complete_file_even_one_just_written(
    store: DocumentStore,
) -> None:
    names = sorted(secrets.token_hex(16) for _ in range(3))
    for name in names:
        await store.put(name, pieces(b"%PDF-1.4\n"), max_bytes=100)
    assert await listed(store) == names
    # The sweep's listing leaves out what is younger than its age: not this one.
    young = [n async for batch in store.stored(older_than=3600) for n in batch]
    assert young == []
