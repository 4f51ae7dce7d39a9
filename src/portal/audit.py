"""Append-only audit log: who did what, when, on which event."""

from __future__ import annotations

from portal.db.tables import AuditEvent


async def record(
    action: str, *, actor: int | None, event: int | None = None, detail: str = ""
) -> None:
    await AuditEvent.insert(
        AuditEvent(actor=actor, action=action, event=event, detail=detail[:2000])
    )
