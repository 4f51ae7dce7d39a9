"""What other features do when an Ofsted document is published (saved live): the
factual accuracy check opens on a draft report (and the provider's users are told);
the provider's users are told when the final report is out, with how to complain (the
complaints information itself is read from the documents, nothing to do).

Called inside the documents Save's transaction: the check, the mails and the Save are
one change, all kept or none."""

from __future__ import annotations

from datetime import datetime

from portal import links, notify
from portal.accuracy.api import follow_report, open_check


async def published(event_id: int, kind: str, at: datetime, *, tell: bool = True) -> None:
    """`tell`: mail the provider's users (False only for seeded demo data)."""
    if kind == "draft_report":
        await open_check(event_id, at, tell=tell)
        await follow_report(event_id)  # the check is about the newest version
    elif kind == "final_report" and tell:
        await final_report_published(event_id)


async def final_report_published(event_id: int) -> None:
    try:
        await notify.send_about(
            event_id,
            "final_report_published",
            to=await notify.provider_users(event_id),
            link=links.url("events.profile", event_id=event_id, anchor="ofsted-documents"),
            complaints_link=links.url("events.profile", event_id=event_id, anchor="complaints"),
            code_link=links.url("conduct.code_of_conduct", anchor="complaints"),
        )
    except notify.NoSuchEvent:
        return  # no such event: no one to tell
