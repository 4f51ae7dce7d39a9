"""`portal send-reminders`: the factual accuracy check reminders, for platforms that run
them from cron instead of (or as well as) the app's own periodic task. Running it while
the app's task runs is safe: each reminder is sent once (see accuracy/reminders.py)."""

from __future__ import annotations

import argparse

from portal import mail
from portal.accuracy.reminders import send_reminders
from portal.commands import command, database
from portal.settings import Settings


@command(
    "send-reminders",
    "queue the reminders for factual accuracy checks due within one working day",
)
async def send_reminders_command(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        sent = await send_reminders()
        print(f"{sent} factual accuracy check reminder{'' if sent == 1 else 's'} queued.")
        if sent:
            # Sent now, so cron needs no running server (a running server's worker would
            # send them too: a message is only ever claimed by one sender).
            await mail.deliver_pending(settings)
            print(f"Mail is sent {mail.destination(settings)}.")
    return 0
