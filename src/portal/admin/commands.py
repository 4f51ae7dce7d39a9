"""The administrator's operations as `portal` commands, for scripting. They call the
same service functions as the console, so the same rules and the same audit log apply
(the actor is recorded as the command line)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from portal import mail
from portal.admin import forms, service
from portal.commands import command, database
from portal.db.tables import EVENT_TYPES, TEAM_ROLES
from portal.settings import Settings
from portal.validation import Parsed, Refused


async def _with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    """Run `work` on the migrated database; a refusal is printed as the error."""
    async with database(settings):
        try:
            return await work()
        except Refused as refused:
            print(f"Error: {refused.message}")
            return 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def _provider_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--urn", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--address", default="")


def _checked(parsed: Parsed[Any]) -> bool:
    for message in parsed.errors.values():
        print(f"Error: {message}")
    return parsed.ok


@command("create-provider", "create a provider", _provider_args)
async def create_provider(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        parsed = forms.provider(
            {"name": args.name, "urn": args.urn, "address": args.address.replace("\\n", "\n")}
        )
        if not _checked(parsed):
            return 1
        row = await service.create_provider(**parsed.values, actor_id=None)
        print(f"Provider {row.urn} created (id {row.id}).")
        return 0

    return await _with_database(settings, work)


def _update_provider_args(parser: argparse.ArgumentParser) -> None:
    _provider_args(parser)
    parser.add_argument("--new-urn", default="")


@command("update-provider", "change a provider's name, URN or address", _update_provider_args)
async def update_provider(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        row = await service.provider_by_urn(args.urn)
        if row is None:
            print(f"Error: there is no provider with the URN {args.urn}")
            return 1
        parsed = forms.provider(
            {
                "name": args.name,
                "urn": args.new_urn or row.urn,
                "address": args.address.replace("\\n", "\n") or row.address,
            }
        )
        if not _checked(parsed):
            return 1
        await service.update_provider(row, **parsed.values, actor_id=None)
        print(f"Provider {parsed.values['urn']} saved.")
        return 0

    return await _with_database(settings, work)


def _event_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider-urn", required=True)
    parser.add_argument("--event-id", required=True, help="the event ID shown to users")
    parser.add_argument("--type", choices=sorted(EVENT_TYPES), required=True)
    parser.add_argument("--start", type=_date, required=True, help="YYYY-MM-DD")
    parser.add_argument("--end", type=_date, required=True, help="YYYY-MM-DD")


@command("create-event", "create an inspection or visit for a provider", _event_args)
async def create_event(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        provider = await service.provider_by_urn(args.provider_urn)
        if provider is None:
            print(f"Error: there is no provider with the URN {args.provider_urn}")
            return 1
        row = await service.create_event(
            provider_id=provider.id,
            event_ref=args.event_id.strip().upper(),
            event_type=args.type,
            start_date=args.start,
            end_date=args.end,
            actor_id=None,
        )
        print(f"Event {row.event_ref} created (id {row.id}).")
        return 0

    return await _with_database(settings, work)


async def _event(event_ref: str) -> Any:
    row = await service.event_by_ref(event_ref.strip().upper())
    if row is None:
        print(f"Error: there is no event with the event ID {event_ref}")
    return row


async def _open_event(event_ref: str) -> Any:
    """The event, if it exists and is not closed (else says why, and None)."""
    row = await _event(event_ref)
    if row is not None and row.status == "closed":
        print("Error: the event is closed")
        return None
    return row


def _team_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event-id", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--role", choices=sorted(TEAM_ROLES), default="team")
    parser.add_argument("--pen-portrait", default="")


@command("add-team-member", "add an inspector to an event's Ofsted team", _team_args)
async def add_team_member(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        event = await _open_event(args.event_id)
        if event is None:
            return 1
        await service.add_team_member(
            event_id=event.id,
            username=args.username,
            team_role=args.role,
            pen_portrait=args.pen_portrait,
            actor_id=None,
        )
        print(f"{args.username} added to {event.event_ref} as {TEAM_ROLES[args.role]}.")
        return 0

    return await _with_database(settings, work)


def _remove_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event-id", required=True)
    parser.add_argument("--username", required=True)


@command("remove-team-member", "remove an inspector from an event's team", _remove_args)
async def remove_team_member(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        event = await _open_event(args.event_id)
        if event is None:
            return 1
        team = await service.team(event.id)
        found = next((m for m in team if m["username"] == args.username.strip().lower()), None)
        if found is None:
            print(f"Error: {args.username} is not on the team of {event.event_ref}")
            return 1
        member = await service.member(event.id, found["id"])
        assert member is not None
        await service.remove_team_member(member, None)
        print(f"{args.username} removed from {event.event_ref}.")
        return 0

    return await _with_database(settings, work)


def _event_only(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event-id", required=True)


@command("close-event", "close an event: nothing on it changes afterwards", _event_only)
async def close_event(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        event = await _event(args.event_id)
        if event is None:
            return 1
        if await service.close_event(event.id, None):
            print(f"Event {event.event_ref} closed.")
        else:
            print(f"Event {event.event_ref} was already closed.")
        return 0

    return await _with_database(settings, work)


def _deadline_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event-id", required=True)
    parser.add_argument("--date", type=_date, required=True, help="due at 5pm UK time, YYYY-MM-DD")


@command("extend-deadline", "extend an event's factual accuracy check deadline", _deadline_args)
async def extend_deadline(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        event = await _open_event(args.event_id)
        if event is None:
            return 1
        await service.extend_deadline(event.id, args.date, None)
        print(f"The factual accuracy check for {event.event_ref} is now due at 5pm on {args.date}.")
        return 0

    return await _with_database(settings, work)


def _list_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search", default="")
    parser.add_argument("--page", type=int, default=1)


@command("list-events", "list events (search by event ID or provider name)", _list_args)
async def list_events(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        page = await service.events(args.search, args.page)
        for row in page.items:
            print(
                f"{row['event_ref']:<16} {row['event_type']:<11} {row['start_date']} "
                f"{row['end_date']} {row['status']:<7} {row['provider_urn']:<10} "
                f"{row['provider_name']}"
            )
        noun = "event" if page.total == 1 else "events"
        of = "" if page.more else f" of {page.pages}"  # not counted past COUNT_LIMIT
        print(f"Page {page.number}{of}, {page.shown_total} {noun}.")
        return 0

    return await _with_database(settings, work)


def _no_args(parser: argparse.ArgumentParser) -> None:
    return None


@command("failed-mail", "list mail that could not be sent after every try", _no_args)
async def failed_mail(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        rows = await mail.failed_mail()
        for row in rows:
            print(f"{row.id:<6} {row.to_address:<40} {row.subject}")
            print(f"       after {row.attempts} tries: {row.last_error}")
        print(f"{len(rows)} failed message{'' if len(rows) == 1 else 's'}.")
        return 0

    return await _with_database(settings, work)


def _send_mail_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--loop", action="store_true", help="keep sending until stopped")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes")


@command("send-mail", "send queued mail now (--loop: a mail process of its own)", _send_mail_args)
async def send_mail(args: argparse.Namespace, settings: Settings) -> int:
    """As many of these as wanted, beside the servers' own senders: each message is
    claimed by one sender (portal.mail), so none is sent twice."""

    async def work() -> int:
        if args.loop:
            every = f"every {args.interval:g}s"
            print(f"Sending queued mail {mail.destination(settings)} {every}.", flush=True)
            await mail.worker(settings, args.interval)  # until the process is stopped
            return 0
        sent = await mail.deliver_pending(settings)
        print(f"{sent} message{'' if sent == 1 else 's'} sent {mail.destination(settings)}.")
        return 0

    return await _with_database(settings, work)


def _mail_id_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", type=int, required=True, help="as `portal failed-mail` shows")


@command("retry-mail", "send a failed message again", _mail_id_args)
async def retry_mail(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> int:
        if not await mail.retry(args.id):
            print(f"Error: there is no failed message with the id {args.id}")
            return 1
        # Sent now, as `create-user` does: a running server's worker would send it too.
        await mail.deliver_pending(settings)
        if await mail.status_of(args.id) == "sent":
            print(f"Message {args.id} sent {mail.destination(settings)}.")
        else:
            print(
                f"Message {args.id} is queued again; sending it failed once more, it is retried later."
            )
        return 0

    return await _with_database(settings, work)
