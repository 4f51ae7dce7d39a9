"""The mail worker while the database is down: one log line a pass, no traceback (issue 16
#6: 650 tracebacks for a 7 s outage), and it keeps trying."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from portal import mail
from portal.db import engine as db_engine
from portal.settings import Settings


async def test_a_database_outage_is_one_line_a_pass(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_engine.bind("postgresql://postgres@127.0.0.1:1/nothing-listens-here")
    caplog.set_level(logging.INFO, logger="portal.mail")
    worker = asyncio.create_task(mail.worker(Settings(data_dir=tmp_path), interval=0.05))
    await asyncio.sleep(0.5)
    worker.cancel()
    records = [r for r in caplog.records if r.name == "portal.mail"]
    assert len(records) >= 2  # it kept trying
    for record in records:
        assert record.levelno == logging.WARNING and not record.exc_info
        assert record.getMessage().startswith("mail worker pass failed, retrying in 0.05s: ")
        assert "\n" not in record.getMessage()
