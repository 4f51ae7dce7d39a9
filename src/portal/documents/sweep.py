"""The storage sweep: what a crash, a lost database connection or a killed process left
in document storage, removed once it is older than the grace period.

- unfinished uploads (a temporary file, an S3 multipart upload never completed);
- stored files no document row points at (a process killed between storing a file and
  recording it), and files of documents deleted at a Save whose process died before it
  removed them (their rows stay, as history, in state "deleted").

It runs at start-up and then every `sweep_seconds`, in one process at a time across
workers and machines (`portal.locks.run_once`). It would be safe to run in several at
once too (the lock only saves the work): it only deletes what is older than the grace
period, and
nothing in use is: an upload in flight is younger (`save` cuts off one that takes half
the grace period), and a stored file gets its row within moments of being complete. For
each batch of old files the rows are read after the files were listed, so a row recorded
before the listing is always seen. Deleting twice is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from portal import locks
from portal.db.tables import Document
from portal.documents.storage import DocumentStore

log = logging.getLogger("portal.storage")
JOB = "storage-sweep"


@dataclass(frozen=True)
class Swept:
    unfinished: int
    orphans: int


async def sweep(store: DocumentStore, grace_seconds: float) -> Swept:
    unfinished = await store.remove_unfinished(older_than=grace_seconds)
    orphans = 0
    async for names in store.stored(older_than=grace_seconds):
        in_use = {
            row["stored_name"]
            for row in await Document.select(Document.stored_name).where(
                Document.stored_name.is_in(names) & (Document.state != "deleted")
            )
        }
        for name in names:
            if name not in in_use:
                await store.delete(name)
                orphans += 1
    return Swept(unfinished=unfinished, orphans=orphans)


async def sweep_and_log(store: DocumentStore, grace_seconds: float) -> Swept | None:
    """One sweep; what it removed is logged, and a failure is one line (the next sweep
    tries again)."""
    try:
        swept = await sweep(store, grace_seconds)
    except Exception as error:
        log.warning("storage sweep failed: %s: %s", type(error).__name__, error)
        return None
    if swept.unfinished:
        log.warning(
            "removed %d unfinished upload(s) older than %d s", swept.unfinished, grace_seconds
        )
    if swept.orphans:
        log.warning("removed %d stored file(s) that no document points at", swept.orphans)
    return swept


async def sweep_forever(
    store: DocumentStore,
    grace_seconds: float,
    every_seconds: float,
    *,
    redis_url: str = "",
    redis_prefix: str = "portal:",
) -> None:
    """At start-up, then every `every_seconds`, until cancelled: in whichever process
    takes the lock first; the others skip that round."""
    await locks.every(
        JOB,
        every_seconds,
        lambda: sweep_and_log(store, grace_seconds),
        log=log,
        what="storage sweep",
        redis_url=redis_url,
        redis_prefix=redis_prefix,
    )
