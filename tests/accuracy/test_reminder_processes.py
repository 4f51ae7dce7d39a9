"""Two processes at once (two cron runs, or cron beside a server's round) on the same
database, PostgreSQL or the same SQLite file: the reminder goes out once."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from portal import clock
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import OutgoingMail
from tests import outbox
from tests.accuracy.helpers import open_world, stored
from tests.conftest import Database
from tests.factories import Factory

PORTAL = Path(sys.executable).parent / "portal"


async def run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(PORTAL),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_two_send_reminders_at_once_send_it_once(
    db: Database, make: Factory, tmp_path: Path
) -> None:
    world = await open_world(make)
    due = clock.now() + timedelta(hours=1)  # within a working day, whatever the day
    await AccuracyCheck.update({AccuracyCheck.due_at: due}).where(
        AccuracyCheck.event == world.event.id
    )
    await OutgoingMail.delete(force=True)  # the "check is open" mails
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": db.url,
        "PORTAL_DATA_DIR": str(tmp_path / "cron"),
        "PORTAL_BASE_URL": outbox.BASE_URL,
    }
    results = await asyncio.gather(*(run("send-reminders", env=env) for _ in range(2)))
    assert [code for code, _ in results] == [0, 0], results
    said = sorted(next(line for line in out.splitlines() if "queued" in line) for _, out in results)
    assert said == [
        "0 factual accuracy check reminders queued.",
        "1 factual accuracy check reminder queued.",
    ]
    mails = await outbox.queued()
    assert sorted(mail.to for mail in mails) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    for mail in mails:
        assert mail.subject.startswith("Reminder: the factual accuracy check is due by")
        outbox.only_links_to(mail, f"{outbox.BASE_URL}/events/{world.event.id}/accuracy-check")
    # The command sent them (no server needed): .eml files in its outbox.
    assert len(list((tmp_path / "cron" / "outbox").glob("*.eml"))) == 2
    assert (await stored(world.event)).reminded_for is not None

    # A third run, later: nothing more.
    code, out = await run("send-reminders", env=env)
    assert code == 0 and "0 factual accuracy check reminders queued." in out
    assert await OutgoingMail.count() == 2
