"""Outgoing mail. `enqueue` stores a message; `deliver_pending` (run by the worker
started with the app, and by tests) sends it through PORTAL_SMTP_URL, or, when that
is unset, writes it as a complete .eml file to <data dir>/outbox/.

Any number of senders may run at once (every server worker runs one; `portal send-mail
--loop` is one more): a sender claims a batch in one statement, marks a message sent only
while its claim holds, and a message whose sender died is sent after the claim lapses.

Failed sends are retried with a growing delay and, after the last try, kept with
status "failed" and the error, visible to the administrator (the console's Waiting and Mail pages, with
Retry; or `portal failed-mail`, then `portal retry-mail`): never
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
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from piccolo.query.functions.aggregate import Count, Min

from portal import clock, metrics
from portal.db import engine
from portal.db.tables import OutgoingMail
from portal.outages import outage
from portal.settings import Settings

log = logging.getLogger("portal.mail")
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30  # 60 s, 2 min, 4 min, 8 min between the tries
CLAIM_SECONDS = 300  # a pass owns a message this long; a crashed pass's claim then lapses
SEND_SECONDS = 60  # the longest one send may take (SMTP timeout 30 s by default, per step)


async def enqueue(*, to: str, subject: str, text: str, html: str = "") -> int:
    row = OutgoingMail(to_address=to, subject=subject, text_body=text, html_body=html)
    await row.save()
    metrics.mail("queued")
    return row.id


class CannotBuild(Exception):
    """The stored message cannot become an email (a line break in its address, say)."""


def one_line(text: str) -> str:
    """A header value on one line: a subject built from a name typed with a line break."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def build_message(settings: Settings, row: Claimed | OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    address = parseaddr(settings.mail_sender)[1] or "no-reply@provider-portal.invalid"
    message["From"] = formataddr((settings.service_name, address))  # the service's name
    message["To"] = row.to_address
    message["Subject"] = one_line(row.subject)
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


@dataclass(frozen=True)
class Claimed:
    """A message this pass holds: the fields needed to build and send it."""

    id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    attempts: int  # counting this one


# One statement claims a batch and counts the try: two senders never hold the same message,
# and a sender that dies mid-send counts too, so a message that kills its sender stops being
# tried. PostgreSQL: SKIP LOCKED lets concurrent senders take different rows without waiting.
# SQLite has one writer: the statement runs in an IMMEDIATE transaction (see `_claim`).
_CLAIM = """
UPDATE outgoing_mail
SET claimed_by = {{}}, next_attempt_at = {{}}, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM outgoing_mail
    WHERE status = 'queued' AND next_attempt_at <= {{}} AND attempts < {{}}
    ORDER BY id LIMIT {{}}{lock}
)
RETURNING id, to_address, subject, text_body, html_body, attempts
"""


def _token() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


async def _claim(token: str, now: datetime, limit: int) -> list[Claimed]:
    """Take up to `limit` due messages for this pass until `now + CLAIM_SECONDS`; a
    message whose sender died is due again when that claim lapses."""
    db = OutgoingMail._meta.db
    sql = _CLAIM.format(lock=" FOR UPDATE SKIP LOCKED" if engine.locks_rows(db) else "")
    until = now + timedelta(seconds=CLAIM_SECONDS)
    async with engine.serialising_transaction(db):
        rows = await OutgoingMail.raw(sql, token, until, now, MAX_ATTEMPTS, limit)
    return sorted((Claimed(**row) for row in rows), key=lambda row: row.id)


def _ours(row: Claimed, token: str) -> Any:
    """Still this pass's message: another pass that took it after our claim lapsed owns it now."""
    return (
        (OutgoingMail.id == row.id)
        & (OutgoingMail.claimed_by == token)
        & (OutgoingMail.status == "queued")
    )


async def _give_up_on_interrupted(now: datetime) -> None:
    """A message whose last try was interrupted (its sender died) is failed, not lost."""
    await OutgoingMail.update(
        {
            OutgoingMail.status: "failed",
            OutgoingMail.last_error: "The sender stopped during the last try.",
        }
    ).where(
        (OutgoingMail.status == "queued")
        & (OutgoingMail.attempts >= MAX_ATTEMPTS)
        & (OutgoingMail.next_attempt_at <= now)
    )


async def _send(settings: Settings, row: Claimed) -> None:
    try:
        message = build_message(settings, row)
    except (ValueError, TypeError) as exc:  # the email package's refusal of a header
        raise CannotBuild(f"The message cannot be built: {exc}") from exc
    if settings.smtp_url:
        await _send_smtp(settings, message)
    else:
        await asyncio.to_thread(_write_outbox, settings.outbox_dir, message, row.id)


async def _record_failure(row: Claimed, token: str, exc: Exception) -> None:
    error = (str(exc) if isinstance(exc, CannotBuild) else f"{type(exc).__name__}: {exc}")[:1000]
    # A message that cannot be built never will be: failed at once, for the administrator.
    final = row.attempts >= MAX_ATTEMPTS or isinstance(exc, CannotBuild)
    delay = RETRY_BASE_SECONDS * 2**row.attempts
    changes: dict[Any, Any] = {OutgoingMail.last_error: error}
    if final:
        changes[OutgoingMail.status] = "failed"
        log.error("mail %s to %s failed for good: %s", row.id, row.to_address, error)
        metrics.mail("failed")
    else:
        metrics.mail("retry")
        changes[OutgoingMail.next_attempt_at] = datetime.now(UTC) + timedelta(seconds=delay)
        log.warning(
            "mail %s to %s failed (try %d), retrying in %ds: %s",
            row.id,
            row.to_address,
            row.attempts,
            delay,
            error,
        )
    await OutgoingMail.update(changes).where(_ours(row, token))


async def deliver_pending(settings: Settings, *, limit: int = 50) -> int:
    """Send every due message (in batches of `limit`); returns how many this call sent.
    Any number of these may run at once, in any processes: each message is sent by one."""
    sent = 0
    token = _token()
    while True:
        now = datetime.now(UTC)
        due = (OutgoingMail.status == "queued") & (OutgoingMail.next_attempt_at <= now)
        if not await OutgoingMail.exists().where(due):
            return sent  # a read: idle workers do not queue for SQLite's write lock
        await _give_up_on_interrupted(now)
        batch = await _claim(token, now, limit)
        if not batch:
            return sent
        started = time.monotonic()
        for index, row in enumerate(batch):
            if time.monotonic() - started > CLAIM_SECONDS - SEND_SECONDS:
                # Our claim on the rest could lapse mid-send: hand them back now.
                await _release(batch[index:], token)
                return sent
            try:
                await _send(settings, row)
            except Exception as exc:  # any failure: keep the mail, try again later
                await _record_failure(row, token, exc)
                continue
            marked = await (
                OutgoingMail.update(
                    {OutgoingMail.status: "sent", OutgoingMail.sent_at: datetime.now(UTC)}
                )
                .where(_ours(row, token))
                .returning(OutgoingMail.id)
            )
            sent += len(marked)
            metrics.mail("sent", len(marked))


async def _release(rows: list[Claimed], token: str) -> None:
    for row in rows:  # not tried after all: the try does not count
        await OutgoingMail.update(
            {
                OutgoingMail.next_attempt_at: datetime.now(UTC),
                OutgoingMail.attempts: OutgoingMail.attempts - 1,
            }
        ).where(_ours(row, token))


async def queue_readings() -> list[metrics.Reading]:
    """For /metrics, in one query: how much mail waits to be sent, how long the oldest of
    it has waited (0 when none does: an alert on age needs no special case), and how much
    failed for good and waits for the administrator."""
    rows = await (
        OutgoingMail.select(
            OutgoingMail.status,
            Count(OutgoingMail.id, alias="count"),
            Min(OutgoingMail.created_at, alias="oldest"),
        )
        .where(OutgoingMail.status != "sent")
        .group_by(OutgoingMail.status)
    )
    by_status = {row["status"]: row for row in rows}
    queued = by_status.get("queued") or {"count": 0, "oldest": None}
    oldest = queued["oldest"]
    if isinstance(oldest, str):  # SQLite hands an aggregate's timestamp back as text
        oldest = datetime.fromisoformat(oldest)
    age = (clock.now() - clock.aware(oldest)).total_seconds() if oldest else 0.0
    failed = by_status.get("failed") or {"count": 0}
    return [
        metrics.Reading("portal_mail_unsent", "Mail waiting to be sent", queued["count"]),
        metrics.Reading(
            "portal_mail_oldest_unsent_age_seconds",
            "How long the oldest mail waiting to be sent has waited (0: none waits)",
            max(age, 0.0),
        ),
        metrics.Reading(
            "portal_mail_failed_unresolved",
            "Mail that failed for good and waits for the administrator (portal failed-mail)",
            failed["count"],
        ),
    ]


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
    """Runs beside the app (in every worker process: claims keep each message to one
    sender): delivers queued mail every `interval` seconds.

    A pass that fails is logged when the failures start (with the traceback only for a
    fault of ours, never for an outage such as the database down) and when they end, with
    how long they lasted; the passes in between fail quietly (the log of a 7 s database
    outage was 650 tracebacks), and the queue loses nothing meanwhile."""
    failing: _Failing | None = None
    while True:
        try:
            await deliver_pending(settings)
        except Exception as exc:
            if failing is None:
                failing = _Failing(time.monotonic())
                found = outage(exc)
                log.error(
                    "mail worker cannot send: %s; trying again every %gs, quietly until it works",
                    found.describe() if found else f"{type(exc).__name__}: {exc}",
                    interval,
                    exc_info=None if found else exc,
                )
            failing.passes += 1
        else:
            if failing is not None:
                log.warning(
                    "mail worker sending again after %.0fs (%d failed passes)",
                    time.monotonic() - failing.since,
                    failing.passes,
                )
                failing = None
        await asyncio.sleep(interval)


@dataclass
class _Failing:
    since: float  # time.monotonic() of the first failed pass
    passes: int = 0
