"""`portal create-user` and `portal resend-invitation`: account commands for the support
administrator, using the same service as the administration console."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from portal import mail
from portal.auth import api
from portal.commands import command, database
from portal.db.tables import ROLES, Provider, User
from portal.settings import Settings
from portal.validation import Refused


def _create_user_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--display-name", required=True, help="the person's name, as shown")
    parser.add_argument("--role", required=True, choices=list(ROLES))
    parser.add_argument("--provider-urn", help="the provider's URN (role provider only)")
    parser.add_argument("--actor", help="username of the administrator doing this (audit log)")


def _resend_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True)
    parser.add_argument("--actor", help="username of the administrator doing this (audit log)")


async def _run(settings: Settings, work: Callable[[], Awaitable[str]]) -> int:
    async with database(settings):
        try:
            message = await work()
        except Refused as exc:
            print(f"Error: {exc}")
            return 1
        print(message)
        # Send now, so the command works without a running server (a running server's
        # worker would send them too: a message is only ever claimed by one of them).
        await mail.deliver_pending(settings)
        print(f"Mail is sent {mail.destination(settings)}.")
        return 0


async def _user(username: str) -> User:
    user = await User.objects().where(User.username == username.strip().lower()).first()
    if user is None:
        raise Refused(f"There is no user {username}")
    return user


async def _actor_id(username: str | None) -> int | None:
    return (await _user(username)).id if username else None


@command("create-user", "create a user and send the two invitation emails", _create_user_args)
async def create_user(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> str:
        provider_id = None
        if args.provider_urn:
            row = (
                await Provider.select(Provider.id).where(Provider.urn == args.provider_urn).first()
            )
            if row is None:
                raise Refused(f"There is no provider with URN {args.provider_urn}")
            provider_id = row["id"]
        user = await api.create_user(
            username=args.username,
            email=args.email,
            display_name=args.display_name,
            role=args.role,
            provider_id=provider_id,
            actor_id=await _actor_id(args.actor),
            settings=settings,
        )
        return f"Created {user.username} ({user.role}); invitation emails queued for {user.email}."

    return await _run(settings, work)


@command("resend-invitation", "send a user's invitation again, with a new password", _resend_args)
async def resend_invitation(args: argparse.Namespace, settings: Settings) -> int:
    async def work() -> str:
        user = await _user(args.username)
        await api.resend_invitation(user.id, await _actor_id(args.actor), settings=settings)
        return f"Invitation sent again to {user.email}; the previous password no longer works."

    return await _run(settings, work)
