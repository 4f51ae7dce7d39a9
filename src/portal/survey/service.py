"""Survey rules."""

from __future__ import annotations

from portal.events.access import EventAccess
from portal.events.forms import FormLink


async def form_link(access: EventAccess) -> FormLink:
    return FormLink(
        title="Survey",
        href=f"/events/{access.event.id}/survey",
        status="Optional",
        tag_colour="blue",
        hint="Tell us what you thought of the inspection.",
    )
