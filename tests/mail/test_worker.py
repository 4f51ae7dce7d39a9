"""The mail worker while the database is down: one line when the outage starts and one when
it ends, no traceback (issue 16 #6: 650 tracebacks for a 7 s outage), and it keeps trying:
what was queued is sent once the database is back."""

from __future__ import annotations

import asyncio
import logging
import time

from portal import mail
from portal.db import engine as db_engine
from portal.settings import Settings
from tests.conftest import Database
from tests.web.services import free_port, log_records


async def test_a_database_outage_is_one_line_when_it_starts_and_one_when_it_ends(
    db: Database, settings: Settings
) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing-listens-here"
    with log_records("portal.mail") as records:
        db_engine.bind(down)
        worker = asyncio.create_task(mail.worker(settings, interval=0.02))
        try:
            await asyncio.sleep(0.6)  # about thirty passes, every one failing
            assert len(records) == 1
            db_engine.bind(db.url)
            await mail.enqueue(to="head@oakfield.example", subject="Back", text="Hello")
            deadline = time.monotonic() + 10
            while not list(settings.outbox_dir.glob("*.eml")):
                assert time.monotonic() < deadline, "the queued mail was never sent"
                await asyncio.sleep(0.05)
        finally:
            worker.cancel()
    started, ended = records
    assert started.levelno == logging.ERROR and not started.exc_info
    assert started.getMessage().startswith(
        "mail worker cannot send: database unavailable (ConnectionRefusedError: "
    )
    assert "trying again every 0.02s, quietly until it works" in started.getMessage()
    assert ended.levelno == logging.WARNING and not ended.exc_info
    assert ended.getMessage().startswith("mail worker sending again after ")
    passes = int(ended.getMessage().split("(")[1].split()[0])
    assert passes >= 10  # it kept trying all along
    assert all("\n" not in r.getMessage() for r in records)
