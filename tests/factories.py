"""Factories for the domain: real rows in the test database, realistic defaults."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from portal.auth.passwords import hash_password
from portal.db.tables import Document, Event, Provider, TeamMember, User
from portal.documents.api import make_storage
from portal.settings import Settings

PASSWORD = "Inspection2026"
_counter = itertools.count(1)
_password_hash: str | None = None


async def password_hash() -> str:
    global _password_hash
    if _password_hash is None:  # argon2 is slow on purpose: hash the test password once
        _password_hash = await hash_password(PASSWORD)
    return _password_hash


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


class Factory:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.files = make_storage(settings)

    async def provider(self, **fields: Any) -> Provider:
        n = next(_counter)
        row = Provider(
            name=fields.pop("name", f"Provider {n} Primary School"),
            urn=fields.pop("urn", f"{100000 + n}"),
            address=fields.pop("address", f"{n} High Street\nTown\nAB1 2CD"),
            **fields,
        )
        await row.save()
        return row

    async def user(
        self, role: str = "provider", provider: Provider | None = None, **fields: Any
    ) -> User:
        n = next(_counter)
        username = fields.pop("username", f"{role}{n}")
        row = User(
            username=username,
            email=fields.pop("email", f"{username}@example.org"),
            display_name=fields.pop("display_name", f"{role.title()} Person {n}"),
            role=role,
            provider=provider.id if provider else None,
            password_hash=fields.pop("password_hash", None) or await password_hash(),
            **fields,
        )
        await row.save()
        return row

    async def event(self, provider: Provider, **fields: Any) -> Event:
        n = next(_counter)
        today = date.today()
        row = Event(
            event_ref=fields.pop("event_ref", f"INS-{n:06d}"),
            event_type=fields.pop("event_type", "inspection"),
            start_date=fields.pop("start_date", today),
            end_date=fields.pop("end_date", today + timedelta(days=1)),
            provider=provider.id,
            **fields,
        )
        await row.save()
        return row

    async def member(
        self, event: Event, user: User, team_role: str = "team", pen_portrait: str = ""
    ) -> TeamMember:
        row = TeamMember(
            event=event.id,
            user=user.id,
            team_role=team_role,
            pen_portrait=pen_portrait or f"About {user.display_name}.",
        )
        await row.save()
        return row

    async def document(
        self,
        event: Event,
        uploaded_by: User,
        *,
        side: str = "provider",
        kind: str = "other",
        file_name: str = "evidence.pdf",
        content: bytes = b"%PDF-1.4\n% test document\n%%EOF\n",
        state: str = "live",
        content_type: str = "application/pdf",
    ) -> Document:
        stored = await self.files.save(_chunks(content), max_bytes=len(content) + 1)
        now = datetime.now(UTC)
        row = Document(
            event=event.id,
            side=side,
            kind=kind,
            file_name=file_name,
            stored_name=stored.stored_name,
            size=stored.size,
            sha256=stored.sha256,
            content_type=content_type,
            uploaded_by=uploaded_by.id,
            uploaded_at=now,
            saved_at=now if state != "staged" else None,
            state=state,
            staged_by=uploaded_by.id if state in ("staged", "pending_delete") else None,
        )
        await row.save()
        return row

    async def world(self) -> World:
        """The usual cast: a provider with an event and its team, and strangers."""
        provider = await self.provider(name="Oakfield Primary School")
        other_provider = await self.provider(name="Hillside Nursery")
        event = await self.event(provider)
        other_event = await self.event(other_provider)
        provider_user = await self.user("provider", provider)
        colleague = await self.user("provider", provider)
        other_provider_user = await self.user("provider", other_provider)
        lead = await self.user("inspector", display_name="Helen Carter HMI")
        inspector = await self.user("inspector", display_name="David Okafor OI")
        outsider = await self.user("inspector", display_name="Not On The Team OI")
        admin = await self.user("admin")
        await self.member(event, lead, "lead", "Helen leads on early reading.")
        await self.member(event, inspector, "team", "David is a serving deputy head.")
        await self.member(other_event, outsider, "lead")
        return World(
            provider=provider,
            other_provider=other_provider,
            event=event,
            other_event=other_event,
            provider_user=provider_user,
            colleague=colleague,
            other_provider_user=other_provider_user,
            lead=lead,
            inspector=inspector,
            outsider=outsider,
            admin=admin,
        )


class World:
    def __init__(self, **rows: Any) -> None:
        self.__dict__.update(rows)

    provider: Provider
    other_provider: Provider
    event: Event
    other_event: Event
    provider_user: User
    colleague: User
    other_provider_user: User
    lead: User
    inspector: User
    outsider: User
    admin: User

    def user(self, who: str) -> User | None:
        """By the names the access matrix uses."""
        return {
            "provider": self.provider_user,
            "other_provider": self.other_provider_user,
            "team_inspector": self.inspector,
            "lead_inspector": self.lead,
            "other_inspector": self.outsider,
            "admin": self.admin,
            "anonymous": None,
        }[who]
