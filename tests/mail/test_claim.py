"""The mail queue's claim, on SQLite and PostgreSQL: senders running at once never take the
same message; a message whose sender died is sent after its claim lapses, and marked sent
once; a message that cannot be built is failed at once and listed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from portal import mail
from portal.db.tables import OutgoingMail
from portal.settings import Settings
from tests.conftest import Database
from tests.mail.conftest import SRC, Smtp


async def _queue(count: int) -> list[int]:
    rows = [
        OutgoingMail(to_address=f"p{n}@example.org", subject=f"Message {n}", text_body="Hi")
        for n in range(count)
    ]
    await OutgoingMail.insert(*rows)
    return [row["id"] for row in await OutgoingMail.select(OutgoingMail.id)]


async def _lapse_claims() -> None:
    """What CLAIM_SECONDS of waiting would do."""
    await OutgoingMail.update(
        {OutgoingMail.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(OutgoingMail.status == "queued")


async def test_two_claims_never_take_the_same_message(db: Database) -> None:
    ids = await _queue(8)
    now = datetime.now(UTC)
    first, second = await asyncio.gather(mail._claim("a", now, 5), mail._claim("b", now, 5))
    taken = [row.id for row in first] + [row.id for row in second]
    assert sorted(taken) == ids  # every message once, none twice
    assert {len(first), len(second)} == {5, 3}
    assert await mail._claim("c", now, 5) == []  # all held
    rows = await OutgoingMail.select(OutgoingMail.claimed_by, OutgoingMail.attempts)
    assert sorted(row["claimed_by"] for row in rows) == ["a"] * len(first) + ["b"] * len(second)
    assert {row["attempts"] for row in rows} == {1}  # the try is counted when taken


async def test_senders_at_once_send_each_message_once(
    db: Database, settings: Settings, smtp: Smtp
) -> None:
    smtp.mailbox.delay = 0.005
    await _queue(60)
    settings = settings.with_(smtp_url=smtp.url)
    counts = await asyncio.gather(*(mail.deliver_pending(settings, limit=4) for _ in range(4)))
    assert sum(counts) == 60
    assert sorted(smtp.mailbox.subjects) == sorted(f"Message {n}" for n in range(60))
    statuses = await OutgoingMail.select(OutgoingMail.status, OutgoingMail.attempts)
    assert {(row["status"], row["attempts"]) for row in statuses} == {("sent", 1)}


async def test_a_dead_senders_message_is_sent_after_its_claim_lapses_and_marked_once(
    db: Database, settings: Settings, smtp: Smtp
) -> None:
    settings = settings.with_(smtp_url=smtp.url)
    (mail_id,) = await _queue(1)
    assert len(await mail._claim("dead-sender", datetime.now(UTC), 10)) == 1  # then it died
    assert await mail.deliver_pending(settings) == 0  # still its: not sent by another
    assert smtp.mailbox.subjects == []
    await _lapse_claims()
    assert await mail.deliver_pending(settings) == 1
    assert smtp.mailbox.subjects == ["Message 0"]
    row = await OutgoingMail.objects().where(OutgoingMail.id == mail_id).first()
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.claimed_by != "dead-sender"


async def test_a_slow_sender_whose_claim_lapsed_cannot_mark_the_message(db: Database) -> None:
    await _queue(1)
    (slow,) = await mail._claim("slow", datetime.now(UTC), 10)
    await _lapse_claims()
    (second,) = await mail._claim("second", datetime.now(UTC), 10)

    async def mark_sent(row: mail.Claimed, token: str) -> list[dict[str, int]]:
        return await (
            OutgoingMail.update({OutgoingMail.status: "sent"})
            .where(mail._ours(row, token))
            .returning(OutgoingMail.id)
        )

    assert await mark_sent(slow, "slow") == []  # the message is the second sender's now
    assert await mark_sent(second, "second") == [{"id": second.id}]
    assert await mark_sent(second, "second") == []  # marked sent once


async def test_a_message_that_kills_its_sender_is_failed_after_the_last_try(
    db: Database, settings: Settings, smtp: Smtp
) -> None:
    (mail_id,) = await _queue(1)
    for _ in range(mail.MAX_ATTEMPTS):  # each sender dies mid-send
        assert len(await mail._claim("dying", datetime.now(UTC), 10)) == 1
        await _lapse_claims()
    assert await mail.deliver_pending(settings.with_(smtp_url=smtp.url)) == 0
    assert smtp.mailbox.subjects == []
    (failed,) = await mail.failed_mail()
    assert failed.id == mail_id and failed.attempts == mail.MAX_ATTEMPTS
    assert failed.last_error == "The sender stopped during the last try."


async def test_a_claim_that_could_lapse_mid_send_is_handed_back(
    db: Database, settings: Settings, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pass may hold its batch only while there is time for one more send in the claim.
    monkeypatch.setattr(mail, "CLAIM_SECONDS", 60.05)
    monkeypatch.setattr(mail, "SEND_SECONDS", 60)
    smtp.mailbox.delay = 0.1
    await _queue(3)
    settings = settings.with_(smtp_url=smtp.url)
    assert await mail.deliver_pending(settings) == 1
    rows = await OutgoingMail.select(
        OutgoingMail.status, OutgoingMail.attempts, OutgoingMail.next_attempt_at
    ).order_by(OutgoingMail.id)
    assert [(row["status"], row["attempts"]) for row in rows] == [
        ("sent", 1),
        ("queued", 0),  # handed back untried, due at once
        ("queued", 0),
    ]
    assert all(row["next_attempt_at"] <= datetime.now(UTC) for row in rows[1:])


async def test_a_line_break_in_a_subject_is_flattened(
    db: Database, settings: Settings, smtp: Smtp
) -> None:
    await mail.enqueue(to="a@example.org", subject="Oakfield\r\nPrimary\n School", text="Hi")
    assert await mail.deliver_pending(settings.with_(smtp_url=smtp.url)) == 1
    assert smtp.mailbox.subjects == ["Oakfield Primary School"]


async def test_a_message_that_cannot_be_built_is_failed_at_once_and_listed(
    db: Database, settings: Settings, smtp: Smtp
) -> None:
    mail_id = await mail.enqueue(to="a@example.org\nBcc: b@example.org", subject="S", text="Hi")
    good_id = await mail.enqueue(to="c@example.org", subject="After it", text="Hi")
    settings = settings.with_(smtp_url=smtp.url)
    assert await mail.deliver_pending(settings) == 1  # the next message still goes
    assert smtp.mailbox.subjects == ["After it"]
    row = await OutgoingMail.objects().where(OutgoingMail.id == mail_id).first()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error.startswith("The message cannot be built: ")
    assert await mail.status_of(good_id) == "sent"
    # The administrator sees it with `portal failed-mail`.
    listing = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal.cli", "failed-mail"],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": SRC,
            "PORTAL_DATABASE_URL": db.url,
            "PORTAL_DATA_DIR": str(settings.data_dir),
            "PORTAL_SECRET_KEY": "test-secret-key",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    assert f"{mail_id:<6} a@example.org" in listing.stdout
    assert "after 1 tries: The message cannot be built" in listing.stdout
    assert listing.stdout.endswith("1 failed message.\n")
