"""Factual accuracy check rules."""

from __future__ import annotations

from datetime import datetime

from portal.events.access import EventAccess
from portal.events.forms import FormLink


async def form_link(access: EventAccess) -> FormLink:
    return FormLink(
        title="Factual accuracy check",
        href=f"/events/{access.event.id}/accuracy-check",
        status="Not available yet",
        tag_colour="grey",
        hint="Opens when Ofsted publishes the draft inspection report.",
    )


async def open_check(event_id: int, published_at: datetime) -> None:
    """Called when a draft report is published. Built in the accuracy check issue."""
    return None
