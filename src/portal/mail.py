"""Outgoing mail. `enqueue` stores a message; `deliver_pending` (run by the worker
started with the app, and by tests) sends it through PORTAL_SMTP_URL, or, when that
is unset, writes it as a complete .eml file to <data dir>/outbox/.

Failed sends are retried with a growing delay and, after the last try, kept with
status "failed" and the error, visible to the administrator (`portal failed-mail`, then `portal retry-mail`): never
dropped.

PORTAL_SMTP_URL: `smtp://[user:password@]host[:port]` (STARTTLS whenever the server offers
it) or `smtps://...` (TLS from the start, port 465). Query options: `starttls=required`
(refuse to send in clear), `starttls=off`, `cafile=/path/ca.pem` (trust this CA),
`verify=off` (do not check the certificate: test servers only), `timeout=30`."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from portal.db.tables import OutgoingMail
from portal.settings import Settings

log = logging.getLogger("portal.mail")
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30  # 60 s, 2 min, 4 min, 8 min between the tries
CLAIM_SECONDS = 300  # a pass owns a message this long; a crashed pass's claim then lapses


async def enqueue(*, to: str, subject: str, text: str, html: str = "") -> int:
    row = OutgoingMail(to_address=to, subject=subject, text_body=text, html_body=html)
    await row.save()
    return row.id


def build_message(settings: Settings, row: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    address = parseaddr(settings.mail_sender)[1] or "no-reply@provider-portal.invalid"
    message["From"] = formataddr((settings.service_name, address))  # the service's name
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "localhost")
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def smtp_options(smtp_url: str) -> dict[str, object]:
    """aiosmtplib.send keyword arguments for a PORTAL_SMTP_URL."""
    url = urlparse(smtp_url)
    if url.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"PORTAL_SMTP_URL must start smtp:// or smtps://, not {url.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    implicit_tls = url.scheme == "smtps"
    starttls = query.get("starttls", "auto")
    options: dict[str, object] = {
        "hostname": url.hostname or "localhost",
        "port": url.port or (465 if implicit_tls else 25),
        "username": unquote(url.username) if url.username else None,
        "password": unquote(url.password) if url.password else None,
        "use_tls": implicit_tls,
        # None: STARTTLS whenever the server offers it; True: insist; False: never.
        "start_tls": None if implicit_tls else {"required": True, "off": False}.get(starttls),
        "timeout": float(query.get("timeout", 30)),
    }
    if query.get("verify") in {"off", "false", "0"}:
        options["validate_certs"] = False
    if query.get("cafile"):
        options["cert_bundle"] = query["cafile"]
    return options


async def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    import aiosmtplib

    await aiosmtplib.send(message, **smtp_options(settings.smtp_url))  # type: ignore[arg-type]


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


async def _claim(row: OutgoingMail, now: datetime) -> bool:
    """Take the message for this pass, so two workers (or the CLI) never send it twice."""
    claimed = await (
        OutgoingMail.update({OutgoingMail.next_attempt_at: now + timedelta(seconds=CLAIM_SECONDS)})
        .where(
            (OutgoingMail.id == row.id)
            & (OutgoingMail.status == "queued")
            & (OutgoingMail.next_attempt_at <= now)
        )
        .returning(OutgoingMail.id)
    )
    return bool(claimed)


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
        if not await _claim(row, now):
            continue
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
                delay = RETRY_BASE_SECONDS * 2**row.attempts
                row.next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
                log.warning(
                    "mail %s to %s failed (try %d), retrying in %ds: %s",
                    row.id,
                    row.to_address,
                    row.attempts,
                    delay,
                    row.last_error,
                )
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


async def failed_mail(limit: int = 100) -> list[OutgoingMail]:
    """Messages that could not be sent after every try, newest first (for the administrator)."""
    return await (
        OutgoingMail.objects()
        .where(OutgoingMail.status == "failed")
        .order_by(OutgoingMail.id, ascending=False)
        .limit(limit)
    )


async def status_of(mail_id: int) -> str | None:
    row = await OutgoingMail.select(OutgoingMail.status).where(OutgoingMail.id == mail_id).first()
    return row["status"] if row else None


def destination(settings: Settings) -> str:
    """Where mail goes, in words: 'by SMTP' or 'to <outbox dir>'."""
    return "by SMTP" if settings.smtp_url else f"to {settings.outbox_dir.resolve()}"


async def retry(mail_id: int) -> bool:
    """Put a failed message back in the queue, for another full set of tries. False
    when there is no failed message with that id."""
    updated = await (
        OutgoingMail.update(
            {
                OutgoingMail.status: "queued",
                OutgoingMail.attempts: 0,
                OutgoingMail.next_attempt_at: datetime.now(UTC),
            }
        )
        .where((OutgoingMail.id == mail_id) & (OutgoingMail.status == "failed"))
        .returning(OutgoingMail.id)
    )
    return bool(updated)


async def worker(settings: Settings, interval: float = 2.0) -> None:
    """Runs beside the app: delivers queued mail every `interval` seconds."""
    while True:
        try:
            await deliver_pending(settings)
        except Exception:
            log.exception("mail worker pass failed; will retry")
        await asyncio.sleep(interval)
