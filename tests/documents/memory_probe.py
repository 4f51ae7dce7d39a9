"""Run as a program: stream 100 MB into a store (disk or S3), then out of it, and print
how much the process's resident memory grew at its highest (sampled every 5 ms), in
MiB, and the seconds each took: `upload_mib upload_s download_mib download_s`. `python -m tests.documents.memory_probe
disk DIR` or `... s3 BUCKET ENDPOINT`, or `... clamd DIR SOCKET` (disk, every chunk
streamed through clamd on its way in). A program of its own, so that nothing else in
the process (a test run) counts towards the peak."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

from portal.documents.scan import Clamd
from portal.documents.storage import DocumentStore, StoredFile
from portal.documents.storage_disk import DiskStore

TOTAL = 100 * 1024 * 1024
CHUNK = 64 * 1024  # about what a server hands the app at a time


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1024 / 1024


class Peak(threading.Thread):
    """The highest resident memory seen while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.highest = rss_mib()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.005):
            self.highest = max(self.highest, rss_mib())


async def stream(total: int) -> AsyncIterator[bytes]:
    block = bytes(range(256)) * (CHUNK // 256)
    for _ in range(total // CHUNK):
        yield block


async def save(store: DocumentStore, total: int, scanner: Clamd | None) -> StoredFile:
    if scanner is None:
        return await store.save(stream(total), max_bytes=TOTAL)
    async with scanner.scanning(stream(total)) as scanned:
        return await store.save(scanned, max_bytes=TOTAL)


async def main(store: DocumentStore, scanner: Clamd | None = None) -> None:
    await save(store, 4 * 1024 * 1024, scanner)  # warm up: clients, threads
    before = rss_mib()
    peak = Peak()
    peak.start()
    started = time.perf_counter()
    stored = await save(store, TOTAL, scanner)
    seconds = time.perf_counter() - started
    peak.done.set()
    peak.join()
    assert stored.size == TOTAL
    upload_grew = peak.highest - before
    opened = await store.open(stored.stored_name)
    assert opened is not None and opened.size == TOTAL
    before_download = rss_mib()
    peak = Peak()
    peak.start()
    started = time.perf_counter()
    received = 0
    async for chunk in opened.chunks:
        received += len(chunk)
    download_seconds = time.perf_counter() - started
    peak.done.set()
    peak.join()
    assert received == TOTAL
    print(
        f"{upload_grew:.1f} {seconds:.2f} "
        f"{peak.highest - before_download:.1f} {download_seconds:.2f}"
    )
    await store.close()


if __name__ == "__main__":
    kind = sys.argv[1]
    scanner = None
    if kind in ("disk", "clamd"):
        chosen: DocumentStore = DiskStore(Path(sys.argv[2]))
        scanner = Clamd(sys.argv[3]) if kind == "clamd" else None
    else:
        from portal.documents.storage_s3 import S3Store

        chosen = S3Store(sys.argv[2], "documents", endpoint_url=sys.argv[3])
    asyncio.run(main(chosen, scanner))
