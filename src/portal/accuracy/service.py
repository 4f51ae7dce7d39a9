"""Factual accuracy check rules: opening on the draft report, the working-day deadline
and its extension, saving as often as wanted, completing exactly once, and who sees what.
No Litestar here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal import audit, clock, metrics
from portal.accuracy import notices
from portal.accuracy.forms import Answers
from portal.accuracy.tables import AccuracyCheck
from portal.db.engine import serialising_transaction
from portal.db.prepared import Param, Prepared
from portal.db.tables import Document, User
from portal.receipts.api import record as record_submission
from portal.web.access import EventAccess
from portal.web.tasks import FormLink

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "completed": "Completed",
}


# What a provider is told when they post to a check that can no longer change (the
# "already done" rule: nothing is written), by `CheckState.read_only_reason`.
ALREADY_DONE = {
    "completed": "This factual accuracy check has already been completed. Nothing was changed.",
    "event_closed": "This inspection is closed. Nothing was changed.",
    "deadline": "The deadline for the factual accuracy check has passed. Nothing was changed.",
    "not_available": "This form is not available yet. Nothing was changed.",
}


ACCURACY_CHECK_WORKING_DAYS = 5  # due at 5pm on the fifth working day after the draft


def due_at(published_at: datetime) -> datetime:
    return clock.due_after_working_days(published_at, ACCURACY_CHECK_WORKING_DAYS)


@dataclass(frozen=True)
class CheckState:
    """Everything the page and the profile need to know; templates only read it."""

    access: EventAccess
    check: AccuracyCheck | None
    now: datetime

    @property
    def available(self) -> bool:
        return self.check is not None

    @property
    def status(self) -> str:
        return self.check.status if self.check is not None else "not_available"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "Not available yet")

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def due_at(self) -> datetime | None:
        if self.check is None:
            return None
        return clock.aware(self.check.extended_due_at or self.check.due_at)

    @property
    def extended(self) -> bool:
        return self.check is not None and self.check.extended_due_at is not None

    @property
    def due_text(self) -> str:
        return clock.format_deadline(self.due_at) if self.due_at else ""

    @property
    def past_deadline(self) -> bool:
        due = self.due_at
        return due is not None and not self.completed and self.now > due

    @property
    def editable(self) -> bool:
        """Only the provider's own users, while open, before the deadline, before Done."""
        return (
            self.access.is_provider
            and self.available
            and not self.completed
            and not self.past_deadline
            and not self.access.closed
        )

    @property
    def read_only_reason(self) -> str:
        """Why a provider cannot change it: '' when they can."""
        if not self.available:
            return "not_available"
        if self.completed:
            return "completed"
        if self.access.closed:
            return "event_closed"
        if self.past_deadline:
            return "deadline"
        return ""

    @property
    def already_done(self) -> str:
        """What a provider who posts to it now is told: nothing changed, and why."""
        return ALREADY_DONE.get(self.read_only_reason, ALREADY_DONE["completed"])

    @property
    def shows_draft(self) -> bool:
        """Saved but unsent answers: to the provider and the administrator, never to
        inspectors (they see the answers once Done)."""
        return (
            self.check is not None
            and not self.completed
            and self.check.status == "in_progress"
            and (self.access.is_provider or self.access.is_admin)
        )

    @property
    def answers(self) -> Answers:
        return answers_of(self.check) if self.check is not None else Answers()


def answers_of(check: AccuracyCheck) -> Answers:
    return Answers(
        wants_to_comment=check.wants_to_comment or "",
        confirmed=bool(check.confirmed),
        comments=check.comments or "",
    )


_CHECK = Prepared(AccuracyCheck.select().where(AccuracyCheck.event == Param("event")))


async def find(event_id: int) -> AccuracyCheck | None:
    row = await _CHECK.first(event=event_id)
    if row is None:
        return None
    check = AccuracyCheck(_ignore_missing=True, **row)
    check._exists_in_db = True
    return check


async def state(access: EventAccess, now: datetime | None = None) -> CheckState:
    return CheckState(access=access, check=await find(access.event.id), now=now or clock.now())


async def open_check(event_id: int, published_at: datetime, *, tell: bool = True) -> None:
    """A draft report was published: open the check, due at 5pm on the fifth working
    day after, and tell the provider's users (`tell`: False only for seeded demo data).
    Idempotent: a check that is already open keeps its dates, and nobody is told again."""
    published_at = clock.aware(published_at) or clock.now()
    inserted = await (
        AccuracyCheck.insert(
            AccuracyCheck(
                event=event_id,
                opened_at=published_at,
                due_at=due_at(published_at),
            )
        )
        .on_conflict(target=AccuracyCheck.event, action="DO NOTHING")
        .returning(AccuracyCheck.id)
    )
    if inserted:
        await audit.record(
            "accuracy check opened",
            actor=None,
            event=event_id,
            detail=f"due by {clock.format_deadline(due_at(published_at))}",
        )
        if tell:  # in the caller's transaction (the documents Save that published it)
            await notices.opened(event_id, due_at(published_at))


async def metric_readings(now: datetime | None = None) -> list[metrics.Reading]:
    """For /metrics, in one query: checks open now (not completed, before their deadline,
    the event not closed) and, of those, the ones due by the end of the next working day
    (today's included): the providers to remind before they miss it."""
    now = now or clock.now()
    soon = clock.end_of_working_day(clock.add_working_days(clock.local(now).date(), 1))
    rows = await AccuracyCheck.select(AccuracyCheck.due_at, AccuracyCheck.extended_due_at).where(
        (AccuracyCheck.status != "completed")
        & (AccuracyCheck.event.status != "closed")
        & ((AccuracyCheck.due_at > now) | (AccuracyCheck.extended_due_at > now))
    )
    deadlines = [clock.aware(row["extended_due_at"] or row["due_at"]) for row in rows]
    open_now = [due for due in deadlines if due is not None and due > now]
    return [
        metrics.Reading(
            "portal_accuracy_checks_open", "Factual accuracy checks open", len(open_now)
        ),
        metrics.Reading(
            "portal_accuracy_checks_due_within_one_working_day",
            "Open factual accuracy checks due by 5pm on the next working day",
            sum(1 for due in open_now if due <= soon),
        ),
    ]


async def extend_deadline(event_id: int, new_due_at: datetime, actor_id: int) -> None:
    """The administrator gives the provider until `new_due_at` (a naive time is UK time)."""
    if new_due_at.tzinfo is None:
        new_due_at = new_due_at.replace(tzinfo=clock.LONDON)
    new_due_at = new_due_at.astimezone(UTC)
    updated = await (
        AccuracyCheck.update(
            {
                AccuracyCheck.extended_due_at: new_due_at,
                AccuracyCheck.extended_by: actor_id,
            }
        )
        .where(AccuracyCheck.event == event_id)
        .returning(AccuracyCheck.id)
    )
    if not updated:
        raise LookupError(f"event {event_id} has no factual accuracy check yet")
    await audit.record(
        "accuracy check deadline extended",
        actor=actor_id,
        event=event_id,
        detail=f"due by {clock.format_deadline(new_due_at)}",
    )


def _status_for(answers: Answers) -> str:
    return "not_started" if answers.is_blank else "in_progress"


SAVED, CLOSED, OVERLAP = "saved", "closed", "overlap"


def _not_overtaken(seen_version: int | None) -> Any:
    """The answers are still the version this user's page showed (`seen_version`, sent
    back by their form). Their own page's saves as they type renew that version (and
    the page sends one request at a time), so only a save made elsewhere overtakes
    it: a colleague's, or their own in another tab. No version sent: no check."""
    if seen_version is None:
        return AccuracyCheck.id.is_not_null()
    return AccuracyCheck.version == seen_version


async def _why_not(event_id: int) -> str:
    current = await find(event_id)
    return CLOSED if current is None or current.status == "completed" else OVERLAP


async def _write_answers(
    access: EventAccess,
    answers: Answers,
    seen_version: int | None,
    *,
    status: str,
    recorded: tuple[str, str],
    at: datetime | None = None,
    extra: dict[Any, Any] | None = None,
) -> str:
    """The one UPDATE of the answers (a save, or Done with `extra`): never after the
    completion, never over a version this user's page did not show. Once written, the
    audit entry `recorded` (action, detail). SAVED, or why not."""
    updated = await (
        AccuracyCheck.update(
            {
                AccuracyCheck.wants_to_comment: answers.wants_to_comment,
                AccuracyCheck.confirmed: answers.confirmed,
                AccuracyCheck.comments: answers.comments,
                AccuracyCheck.status: status,
                AccuracyCheck.updated_at: at or clock.now(),
                AccuracyCheck.updated_by: access.user.id,
                AccuracyCheck.version: AccuracyCheck.version + 1,
                **(extra or {}),
            }
        )
        .where(
            (AccuracyCheck.event == access.event.id)
            & (AccuracyCheck.status != "completed")
            & _not_overtaken(seen_version)
        )
        .returning(AccuracyCheck.id)
    )
    if not updated:
        return await _why_not(access.event.id)
    action, detail = recorded
    await audit.record(action, actor=access.user.id, event=access.event.id, detail=detail)
    return SAVED


async def save(
    current: CheckState,
    answers: Answers,
    *,
    how: str = "save",
    seen_version: int | None = None,
) -> str:
    """Keep the answers as a draft: SAVED; CLOSED when the check can no longer change
    (completed meanwhile); OVERLAP when a colleague saved other answers after this
    user's page showed version `seen_version`: nothing is written then, so neither
    loses words. `current` is the state the caller read; its rules decide first."""
    if not current.editable or current.check is None:
        return CLOSED
    if current.answers == answers:
        return SAVED  # nothing new: no write, no audit entry
    detail = (
        f"{how}: comments {answers.wants_to_comment or 'not answered'}, "
        f"{'confirmed' if answers.confirmed else 'not confirmed'}, "
        f"{len(answers.comments)} characters"
    )
    return await _write_answers(
        current.access,
        answers,
        seen_version,
        status=_status_for(answers),
        recorded=("accuracy check saved", detail),
    )


@dataclass(frozen=True)
class Overlap:
    """A save made after this user's page was shown: a colleague's, or their own in
    another tab or window (`by_you`)."""

    name: str
    at: datetime | None
    answers: Answers
    by_you: bool


async def overlap(state: CheckState) -> Overlap:
    check = state.check
    assert check is not None
    row = await User.select(User.display_name).where(User.id == check.updated_by).first()
    return Overlap(
        name=row["display_name"] if row else "A colleague",
        at=clock.aware(check.updated_at),
        answers=state.answers,
        by_you=check.updated_by == state.access.user.id,
    )


async def complete(
    current: CheckState, answers: Answers, *, seen_version: int | None = None
) -> str:
    """'Done': in one transaction, store the answers and complete the check (one
    conditional UPDATE), record it and queue the mails (accuracy/notices.py):
    SAVED, exactly once. Two users pressing Done together: the UPDATE lets one through;
    the other gets CLOSED. OVERLAP (nothing written) when a colleague saved after
    `seen_version`. `current` is the state the caller read; its rules decide first."""
    access = current.access
    if not current.editable:
        return CLOSED
    at = clock.now()
    completion = {AccuracyCheck.completed_at: at, AccuracyCheck.completed_by: access.user.id}
    detail = f"comments: {answers.wants_to_comment}, {len(answers.comments)} characters"
    async with serialising_transaction(AccuracyCheck._meta.db):
        written = await _write_answers(
            access,
            answers,
            seen_version,
            status="completed",
            recorded=("accuracy check completed", detail),
            at=at,
            extra=completion,
        )
        if written == SAVED:
            comment = "Yes" if answers.wants_to_comment == "yes" else "No"
            reference = await record_submission(
                access.event.id,
                access.user.id,
                "accuracy",
                f"Wishes to comment on the factual accuracy of the draft report: {comment}",
                at=at,
            )
            await notices.completed(
                access.event.id, access.user.display_name, answers, at, reference
            )
    return written


async def completed_by_name(check: AccuracyCheck | None) -> str:
    if check is None or check.completed_by is None:
        return ""
    row = await User.select(User.display_name).where(User.id == check.completed_by).first()
    return row["display_name"] if row else ""


_REPORT = AccuracyCheck.report_document
_REPORT_COLUMNS = (
    Document.id,
    Document.file_name,
    Document.size,
    Document.content_type,
    Document.version,
    Document.saved_at,
    Document.state,
    Document.superseded_at,
)


def _newest_draft(event_id: int) -> Any:
    """The newest version of the draft report Ofsted has published on the event."""
    return (
        Document.select(*_REPORT_COLUMNS)
        .where(
            (Document.event == event_id)
            & (Document.side == "ofsted")
            & (Document.kind == "draft_report")
            & (Document.state.is_in(["live", "pending_delete"]))
        )
        .order_by(Document.saved_at, ascending=False)
        .order_by(Document.id, ascending=False)
        .first()
    )


async def draft_report(event_id: int, check: AccuracyCheck | None) -> dict[str, Any] | None:
    """The draft report the check is about: the version it recorded (the newest while
    the check is open, the one it was completed on after that); for a check opened
    before versions were recorded, the newest one Ofsted has published. `check`: the
    event's check as the caller read it (None when there is none): one query."""
    if check is not None and check.report_document:
        return await (
            Document.select(*_REPORT_COLUMNS)
            .where((Document.id == check.report_document) & (Document.event == event_id))
            .first()
        )
    return await _newest_draft(event_id)


async def follow_report(event_id: int) -> None:
    """A draft report was published: an open check is now about its newest version
    (the deadline stays as it was: the administrator can extend it); a completed check
    keeps the version it was completed on."""
    newest = await _newest_draft(event_id)
    if newest is None:
        return
    moved = await (
        AccuracyCheck.update({AccuracyCheck.report_document: newest["id"]})
        .where(
            (AccuracyCheck.event == event_id)
            & (AccuracyCheck.status != "completed")
            & (_REPORT.is_null() | (_REPORT != newest["id"]))
        )
        .returning(AccuracyCheck.id)
    )
    if moved:
        await audit.record(
            "accuracy check about a new version",
            actor=None,
            event=event_id,
            detail=f"draft report version {newest['version'] or 1}: "
            f"ofsted document {newest['id']} '{newest['file_name']}'",
        )


async def form_link(access: EventAccess, href: str) -> FormLink:
    """The 'Factual accuracy check' line of the profile's 'Forms' section; `href` is the
    check's address (the caller reverses the route "accuracy.form")."""
    current = await state(access)
    title = "Factual accuracy check"
    if not current.available:
        hint = (
            "Opens when Ofsted publishes the draft inspection report."
            if access.is_provider
            else "Opens when the draft inspection report is published on this event."
        )
        return FormLink(title, href, "Not available yet", "grey", hint)
    if current.completed:
        assert current.check is not None
        return FormLink(
            title,
            href,
            "Completed",
            "green",
            f"Completed on {clock.format_date(current.check.completed_at)}.",
        )
    due = f"Due by {current.due_text}."
    if access.is_provider:
        if access.closed:
            return FormLink(title, href, "Closed", "grey", "This inspection is closed.")
        if current.past_deadline:
            return FormLink(title, href, "Closed", "red", f"The deadline was {current.due_text}.")
        if current.status == "in_progress":
            return FormLink(title, href, "In progress", "yellow", f"Saved, not sent. {due}")
        return FormLink(title, href, "Open", "blue", due)
    # Inspectors and the administrator: not started, in progress or completed.
    hint = f"The deadline was {current.due_text}." if current.past_deadline else due
    colour = "yellow" if current.status == "in_progress" else "grey"
    return FormLink(title, href, current.status_label, colour, hint)
