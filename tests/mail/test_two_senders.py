"""The must-show of issue 14: with two real sender processes (`portal send-mail --loop`) on one
database, 200 queued messages each reach the SMTP server exactly once; and a sender killed
(-9) mid-send leaves its message to be sent, once, after its claim lapses."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal import mail
from portal.db.tables import OutgoingMail
from portal.settings import Settings
from tests.conftest import Database
from tests.mail.conftest import Smtp, portal_process

MESSAGES = 200


async def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_two_sender_processes_send_each_message_exactly_once(
    db: Database, smtp: Smtp, tmp_path: Path
) -> None:
    smtp.mailbox.delay = 0.01  # a mail server's pace: both senders are busy at once
    senders = [
        portal_process(
            ["send-mail", "--loop", "--interval", "0.1"],
            database_url=db.url,
            smtp_url=smtp.url,
            data_dir=tmp_path / f"sender{n}",
        )
        for n in range(2)
    ]
    try:
        for sender in senders:  # both running and polling an empty queue
            assert sender.stdout is not None
            line = await asyncio.to_thread(sender.stdout.readline)
            assert line.startswith("Sending queued mail by SMTP every 0.1s"), (
                line + sender.stderr.read()  # type: ignore[union-attr]
            )
        await OutgoingMail.insert(
            *(
                OutgoingMail(to_address=f"p{n}@example.org", subject=f"Message {n}", text_body="Hi")
                for n in range(MESSAGES)
            )
        )

        async def all_received() -> bool:
            return len(smtp.mailbox.subjects) >= MESSAGES

        assert await _wait_for(all_received, 120), len(smtp.mailbox.subjects)
        await asyncio.sleep(1)  # time for a second copy, were one coming
        assert all(sender.poll() is None for sender in senders)  # neither crashed
    finally:
        for sender in senders:
            sender.terminate()
            await asyncio.to_thread(sender.wait, 30)

    received = Counter(smtp.mailbox.subjects)
    assert len(received) == MESSAGES and set(received.values()) == {1}
    rows = await OutgoingMail.select(
        OutgoingMail.status, OutgoingMail.attempts, OutgoingMail.claimed_by
    )
    assert {(row["status"], row["attempts"]) for row in rows} == {("sent", 1)}
    # Each process sent a share: the two really ran at once.
    pids = Counter(row["claimed_by"].split(":")[1] for row in rows)
    assert set(pids) == {str(sender.pid) for sender in senders}, pids


async def test_a_sender_killed_mid_send_leaves_the_message_to_be_sent_once(
    db: Database, settings: Settings, smtp: Smtp, tmp_path: Path
) -> None:
    smtp.mailbox.hang_on = "Stuck"
    mail_id = await mail.enqueue(to="a@example.org", subject="Stuck", text="Hi")
    sender = portal_process(
        ["send-mail"], database_url=db.url, smtp_url=smtp.url, data_dir=tmp_path / "sender"
    )
    try:
        assert await asyncio.to_thread(smtp.mailbox.hung.wait, 60)  # in the middle of DATA
    finally:
        os.kill(sender.pid, signal.SIGKILL)
        await asyncio.to_thread(sender.wait, 30)
    smtp.mailbox.released.set()

    row = await OutgoingMail.objects().where(OutgoingMail.id == mail_id).first()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.claimed_by.split(":")[1] == str(sender.pid)
    assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=mail.CLAIM_SECONDS - 60)
    settings = settings.with_(smtp_url=smtp.url)
    assert await mail.deliver_pending(settings) == 0  # the dead sender's claim still holds
    await OutgoingMail.update(  # as CLAIM_SECONDS of waiting would
        {OutgoingMail.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(OutgoingMail.id == mail_id)
    assert await mail.deliver_pending(settings) == 1
    assert smtp.mailbox.subjects == ["Stuck"]
    row = await OutgoingMail.objects().where(OutgoingMail.id == mail_id).first()
    assert (row.status, row.attempts) == ("sent", 2)
