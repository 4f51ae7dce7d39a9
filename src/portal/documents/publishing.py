"""What other features do when an Ofsted document is published (saved live): the
factual accuracy check opens on a draft report; the complaints information shows
once a final report is out (that one is read from the documents, nothing to do)."""

from __future__ import annotations

from datetime import datetime

from portal.accuracy.api import follow_report, open_check


async def published(event_id: int, kind: str, at: datetime) -> None:
    if kind == "draft_report":
        await open_check(event_id, at)
        await follow_report(event_id)  # the check is about the newest version
