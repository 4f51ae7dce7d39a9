"""The code of conduct's emails: a concern raised (to the lead inspector, or the support
administrators when the event has no lead), a concern answered (to the provider's
users), evidence confirmation requested (to the provider's users) and answered (to the
inspector who asked). Each is queued inside the caller's transaction."""

from __future__ import annotations

from portal import links, notify


def profile_link(event_id: int, anchor: str) -> str:
    return links.url("events.profile", event_id=event_id, anchor=anchor)


async def concern_raised(
    event_id: int, concern_id: int, raised_by: str, text: str, *, follow_up: bool
) -> bool:
    """To the lead inspector(s); with none, to the support administrators. True if a
    lead inspector was told."""
    leads = await notify.lead_inspectors(event_id)
    await notify.send_about(
        event_id,
        "concern_raised",
        to=leads or await notify.support_admins(),
        no_lead=not leads,
        raised_by=raised_by,
        text=text,
        follow_up=follow_up,
        link=links.url("conduct.concern", event_id=event_id, concern_id=concern_id),
    )
    return bool(leads)


async def concern_answered(
    event_id: int, concern_id: int, responded_by: str, response: str, action_taken: str
) -> None:
    await notify.send_about(
        event_id,
        "concern_answered",
        to=await notify.provider_users(event_id),
        responded_by=responded_by,
        response=response,
        action_taken=action_taken,
        link=profile_link(event_id, f"concern-{concern_id}"),
    )


async def evidence_requested(
    event_id: int, request_id: int, requested_by: str, message: str
) -> None:
    await notify.send_about(
        event_id,
        "evidence_requested",
        to=await notify.provider_users(event_id),
        requested_by=requested_by,
        note=message,
        link=links.url("conduct.evidence", event_id=event_id, request_id=request_id),
    )


async def evidence_answered(
    event_id: int,
    request_id: int,
    requested_by: int,
    answered_by: str,
    answer: str,
    outstanding: str,
) -> None:
    """To the inspector who asked (no one if their account has gone). `answer` as the
    provider read it; `outstanding` what they said is still to come, if anything."""
    await notify.send_about(
        event_id,
        "evidence_answered",
        to=await notify.user(requested_by),
        answered_by=answered_by,
        answer=answer,
        outstanding=outstanding,
        link=profile_link(event_id, f"evidence-{request_id}"),
    )
