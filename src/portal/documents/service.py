"""Document rules: who sees which document."""

from __future__ import annotations

from portal.db.tables import Document
from portal.events.access import EventAccess

VISIBLE_TO_ALL = ("live", "pending_delete")  # pending_delete is live until Save


async def find_visible(access: EventAccess, document_id: int) -> Document | None:
    """The document if this user may see it on this event: saved documents for anyone
    on the event, and one's own staged uploads."""
    document = (
        await Document.objects()
        .where((Document.id == document_id) & (Document.event == access.event.id))
        .first()
    )
    if document is None:
        return None
    if document.state in VISIBLE_TO_ALL:
        return document
    if document.state == "staged" and document.staged_by == access.user.id:
        return document
    return None
