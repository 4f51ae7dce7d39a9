"""A reminder goes out once with two workers running: `portal serve --workers 2`, each
worker with its own periodic reminder task (every second here), on the test's database
(PostgreSQL, or the same SQLite file) and one Redis. Every worker looks; one mail each."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest
from litestar import Litestar

from portal import clock
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import OutgoingMail
from tests import outbox
from tests.accuracy.helpers import open_world, stored
from tests.conftest import REDIS_URL, Database
from tests.deploy.servers import portal_env, serving
from tests.factories import Factory

REMINDER = "Reminder: the factual accuracy check is due by"


# `app`: built for the links the "check is open" mails need (the test's own publishing).


async def reminder_rows() -> list[dict[str, object]]:
    return await OutgoingMail.select(OutgoingMail.to_address, OutgoingMail.status).where(
        OutgoingMail.subject.like(f"{REMINDER}%")
    )


@pytest.mark.redis
async def test_two_workers_send_the_reminder_once(
    db: Database, make: Factory, app: Litestar, tmp_path: Path
) -> None:
    world = await open_world(make)
    due = clock.now() + timedelta(hours=1)  # within a working day: a reminder is due now
    await AccuracyCheck.update({AccuracyCheck.due_at: due}).where(
        AccuracyCheck.event == world.event.id
    )
    await OutgoingMail.delete(force=True)  # the "check is open" mails
    env = portal_env(
        tmp_path / "data",
        PORTAL_DATABASE_URL=db.url,
        PORTAL_REDIS_URL=REDIS_URL.rsplit("/", 1)[0] + "/13",
        PORTAL_REMINDER_SECONDS="1",
        PORTAL_BASE_URL=outbox.BASE_URL,
        PORTAL_SMTP_URL="",
    )

    def serve_a_while() -> list[str]:
        with serving(env, tmp_path / "serve.log", "--workers", "2") as server:
            time.sleep(6)  # six rounds a worker: each worker's task looks several times
            return server.lines()

    lines = await asyncio.to_thread(serve_a_while)
    workers = [line for line in lines if "Started server process" in line]
    assert len(workers) == 2, "\n".join(lines)

    rows = await reminder_rows()
    assert sorted(row["to_address"] for row in rows) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    assert {row["status"] for row in rows} == {"sent"}  # by a worker's mail sender
    assert (await stored(world.event)).reminded_for is not None
    sent = list((tmp_path / "data" / "outbox").glob("*.eml"))
    assert len(sent) == 2
    assert all(REMINDER in path.read_text() for path in sent)
    assert sum("factual accuracy check reminder" in line for line in lines) == 1
