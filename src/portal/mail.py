"""Outgoing mail. `enqueue` stores a message; `deliver_pending` (run by the worker
started with the app, and by tests) sends it through PORTAL_SMTP_URL, or, when that
is unset, writes it as a complete .eml file to <data dir>/outbox/.

Failed sends are retried with a growing delay and, after the last try, kept with
status "failed" and the error, visible to the administrator: never dropped."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlparse

from portal.db.tables import OutgoingMail
from portal.settings import Settings

log = logging.getLogger("portal.mail")
MAX_ATTEMPTS = 5


async def enqueue(*, to: str, subject: str, text: str, html: str = "") -> int:
    row = OutgoingMail(to_address=to, subject=subject, text_body=text, html_body=html)
    await row.save()
    return row.id


def build_message(settings: Settings, row: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="provider-portal.invalid")
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


async def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    import aiosmtplib

    url = urlparse(settings.smtp_url)
    implicit_tls = url.scheme == "smtps"
    await aiosmtplib.send(
        message,
        hostname=url.hostname or "localhost",
        port=url.port or (465 if implicit_tls else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=implicit_tls,
        # STARTTLS whenever the server offers it; insisted on when ?starttls=required.
        start_tls=True if "starttls=required" in (url.query or "") else None,
        timeout=30,
    )


def _write_outbox(outbox: Path, message: EmailMessage, row_id: int) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    final = outbox / f"{stamp}-{row_id:06d}-{secrets.token_hex(3)}.eml"
    temp = final.with_suffix(".tmp")
    with temp.open("wb") as out:  # a reader never sees half a mail
        out.write(message.as_bytes())
        out.flush()
        os.fsync(out.fileno())
    temp.replace(final)
    return final


async def deliver_pending(settings: Settings, *, limit: int = 50) -> int:
    """Send every due message; returns how many were sent."""
    now = datetime.now(UTC)
    rows = await (
        OutgoingMail.objects()
        .where((OutgoingMail.status == "queued") & (OutgoingMail.next_attempt_at <= now))
        .order_by(OutgoingMail.id)
        .limit(limit)
    )
    sent = 0
    for row in rows:
        message = build_message(settings, row)
        try:
            if settings.smtp_url:
                await _send_smtp(settings, message)
            else:
                await asyncio.to_thread(_write_outbox, settings.outbox_dir, message, row.id)
        except Exception as exc:  # any failure: keep the mail, try again later
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                log.error(
                    "mail %s to %s failed for good: %s", row.id, row.to_address, row.last_error
                )
            else:
                row.next_attempt_at = datetime.now(UTC) + timedelta(seconds=30 * 2**row.attempts)
            await row.save(
                [
                    OutgoingMail.attempts,
                    OutgoingMail.last_error,
                    OutgoingMail.status,
                    OutgoingMail.next_attempt_at,
                ]
            )
            continue
        row.status = "sent"
        row.attempts += 1
        row.sent_at = datetime.now(UTC)
        await row.save([OutgoingMail.status, OutgoingMail.attempts, OutgoingMail.sent_at])
        sent += 1
    return sent


async def worker(settings: Settings, interval: float = 2.0) -> None:
    """Runs beside the app: delivers queued mail every `interval` seconds."""
    while True:
        try:
            await deliver_pending(settings)
        except Exception:
            log.exception("mail worker pass failed; will retry")
        await asyncio.sleep(interval)
