"""Accuracy check rules: opening, saving, completing once, the deadline and its extension."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from portal.accuracy import forms, service
from portal.accuracy.forms import Answers, done_errors, length_errors, parse
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import AuditEvent, Event, OutgoingMail
from portal.documents.publishing import published
from tests.accuracy.helpers import access_for, open_world, publish_draft, stored
from tests.factories import Factory

LINK = "https://portal.example/events/1/accuracy-check"  # the route passes the check's address
YES = Answers(wants_to_comment="yes", confirmed=True, comments="Paragraph 3: we have 212 pupils.")


async def audit_actions(event_id: int) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.event == event_id)
    return [row["action"] for row in rows]


async def test_publishing_a_draft_report_opens_the_check_once(make: Factory) -> None:
    world = await make.world()
    assert await service.find(world.event.id) is None
    access = await access_for(world.provider_user, world.event)
    link = await service.form_link(access, LINK)
    assert link.status == "Not available yet"
    assert "draft inspection report" in link.hint

    # Another kind of document does not open it.
    await published(world.event.id, "letter", datetime.now(UTC))
    assert await service.find(world.event.id) is None

    at = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    await publish_draft(make, world, world.event, at)
    check = await stored(world.event)
    assert check.status == "not_started"
    assert check.opened_at == at
    assert check.due_at == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)

    # Publishing again (a second draft, a replayed Save) keeps the first dates.
    await published(world.event.id, "draft_report", at + timedelta(days=3))
    again = await stored(world.event)
    assert (again.id, again.opened_at, again.due_at) == (check.id, check.opened_at, check.due_at)
    assert await AccuracyCheck.count().where(AccuracyCheck.event == world.event.id) == 1
    assert (await audit_actions(world.event.id)).count("accuracy check opened") == 1


async def test_the_profile_shows_it_open_with_its_due_date(make: Factory) -> None:
    world = await open_world(make)
    access = await access_for(world.provider_user, world.event)
    link = await service.form_link(access, LINK)
    state = await service.state(access)
    assert (link.status, link.hint) == ("Open", f"Due by {state.due_text}.")
    assert state.editable
    inspector = await service.form_link(await access_for(world.inspector, world.event), LINK)
    assert inspector.status == "Not started"
    assert inspector.hint == f"Due by {state.due_text}."


async def test_partial_save_keeps_answers_without_checking_them(make: Factory) -> None:
    world = await open_world(make)
    access = await access_for(world.provider_user, world.event)
    partial = Answers(wants_to_comment="yes", comments="Half a comment")
    assert await service.save(await service.state(access), partial) == service.SAVED
    check = await stored(world.event)
    assert (check.wants_to_comment, check.confirmed, check.comments) == (
        "yes",
        False,
        "Half a comment",
    )
    assert check.status == "in_progress"
    assert check.updated_by == world.provider_user.id
    assert check.version == 1
    assert (await service.form_link(access, LINK)).status == "In progress"
    assert (await service.form_link(await access_for(world.lead, world.event), LINK)).status == (
        "In progress"
    )
    # Saving the same answers again writes nothing new.
    assert await service.save(await service.state(access), partial) == service.SAVED
    assert (await stored(world.event)).version == 1
    assert (await audit_actions(world.event.id)).count("accuracy check saved") == 1


def test_validation_for_done() -> None:
    assert done_errors(Answers()) == {
        "wants_to_comment": "Select yes if you wish to make any comments about the factual "
        "accuracy of the report",
        "confirmed": "Confirm that you have entered all your comments on the draft report",
    }
    assert done_errors(Answers(wants_to_comment="yes", confirmed=True, comments="  ")) == {
        "comments": "Enter your comments about the factual accuracy of the report"
    }
    assert "comments" in done_errors(Answers(wants_to_comment="no", confirmed=True, comments="x"))
    assert done_errors(Answers(wants_to_comment="no", confirmed=True)) == {}
    assert done_errors(YES) == {}
    too_long = Answers(wants_to_comment="yes", confirmed=True, comments="x" * 20_001)
    assert done_errors(too_long) == {"comments": "Comments must be 20,000 characters or fewer"}
    assert length_errors(Answers(comments="x" * 20_000)) == {}
    parsed = parse({"wants_to_comment": "maybe", "confirmed": "yes", "comments": "a\r\nb  \n"})
    assert parsed.values == Answers(wants_to_comment="", confirmed=True, comments="a\nb")
    assert parsed.ok
    assert parse({"comments": "x" * 20_001}).errors == {
        "comments": "Comments must be 20,000 characters or fewer"
    }


async def test_done_completes_it_and_mails_the_lead_and_the_provider(make: Factory) -> None:
    world = await open_world(make)
    await OutgoingMail.delete(force=True)  # the "check is open" mails
    access = await access_for(world.provider_user, world.event)
    assert await service.complete(await service.state(access), YES) == service.SAVED
    check = await stored(world.event)
    assert check.status == "completed"
    assert check.completed_by == world.provider_user.id
    assert check.completed_at is not None
    assert check.comments == YES.comments
    assert "accuracy check completed" in await audit_actions(world.event.id)
    mails = await OutgoingMail.select(OutgoingMail.to_address, OutgoingMail.text_body)
    assert sorted(m["to_address"] for m in mails) == sorted(
        [world.lead.email, world.provider_user.email, world.colleague.email]
    )
    assert all(f"/events/{world.event.id}/accuracy-check" in m["text_body"] for m in mails)
    state = await service.state(access)
    assert state.completed and not state.editable
    assert (await service.form_link(access, LINK)).status == "Completed"
    assert (
        await service.form_link(await access_for(world.inspector, world.event), LINK)
    ).status == ("Completed")


async def test_a_replayed_done_or_save_changes_nothing(make: Factory) -> None:
    world = await open_world(make)
    await OutgoingMail.delete(force=True)  # the "check is open" mails
    access = await access_for(world.provider_user, world.event)
    colleague = await access_for(world.colleague, world.event)
    stale = await service.state(colleague)  # a page shown before the Done below
    assert await service.complete(await service.state(access), YES) == service.SAVED
    before = await stored(world.event)
    other = Answers(wants_to_comment="no", confirmed=True, comments="")
    # Whether the state read says it is done already or (read before) the write finds it.
    for current in (stale, await service.state(colleague)):
        assert await service.complete(current, other) == service.CLOSED
        assert await service.save(current, other) == service.CLOSED
    after = await stored(world.event)
    assert (after.wants_to_comment, after.comments, after.completed_by, after.version) == (
        before.wants_to_comment,
        before.comments,
        before.completed_by,
        before.version,
    )
    assert (await audit_actions(world.event.id)).count("accuracy check completed") == 1
    assert await OutgoingMail.count() == 3  # two receipts and the lead's notice, once


async def test_two_users_pressing_done_at_once_store_one_completion(make: Factory) -> None:
    world = await open_world(make)
    first = await access_for(world.provider_user, world.event)
    second = await access_for(world.colleague, world.event)
    other = Answers(wants_to_comment="no", confirmed=True)
    results = await asyncio.gather(
        service.complete(await service.state(first), YES),
        service.complete(await service.state(second), other),
    )
    assert sorted(results) == [service.CLOSED, service.SAVED]
    check = await stored(world.event)
    winner, answers = (
        (world.provider_user, YES) if results[0] == service.SAVED else (world.colleague, other)
    )
    assert check.completed_by == winner.id
    assert check.wants_to_comment == answers.wants_to_comment
    assert (await audit_actions(world.event.id)).count("accuracy check completed") == 1
    assert await OutgoingMail.count().where(OutgoingMail.to_address == world.lead.email) == 1


async def test_the_deadline_closes_it_and_an_extension_reopens_it(make: Factory) -> None:
    published_at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    world = await open_world(make, at=published_at)
    access = await access_for(world.provider_user, world.event)
    due = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    just_before = await service.state(access, now=due - timedelta(minutes=1))
    assert just_before.editable and not just_before.past_deadline
    after = await service.state(access, now=due + timedelta(minutes=1))
    assert after.past_deadline and not after.editable
    assert after.read_only_reason == "deadline"

    # With the real clock: once the due time has passed, the profile says Closed.
    await AccuracyCheck.update(
        {AccuracyCheck.due_at: datetime.now(UTC) - timedelta(hours=1)}
    ).where(AccuracyCheck.event == world.event.id)
    link = await service.form_link(access, LINK)
    assert link.status == "Closed"
    assert not (await service.state(access)).editable

    new_due = datetime.now(UTC) + timedelta(days=2)
    await service.extend_deadline(world.event.id, new_due, world.admin.id)
    state = await service.state(access)
    assert state.editable and state.extended
    assert abs((state.due_at - new_due).total_seconds()) < 1
    assert (await service.form_link(access, LINK)).status == "Open"
    assert "accuracy check deadline extended" in await audit_actions(world.event.id)


async def test_extending_a_check_that_is_not_open_fails(make: Factory) -> None:
    world = await make.world()
    try:
        await service.extend_deadline(world.event.id, datetime.now(UTC), world.admin.id)
    except LookupError:
        pass
    else:
        raise AssertionError("expected LookupError")


async def test_a_closed_event_is_read_only(make: Factory) -> None:
    world = await open_world(make)
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    access = await access_for(world.provider_user, world.event)
    state = await service.state(access)
    assert not state.editable
    assert state.read_only_reason == "event_closed"


async def test_inspectors_never_see_a_draft(make: Factory) -> None:
    world = await open_world(make)
    provider = await access_for(world.provider_user, world.event)
    await service.save(
        await service.state(provider), Answers(wants_to_comment="yes", comments="Draft words")
    )
    assert (await service.state(provider)).shows_draft
    for user in (world.lead, world.inspector):
        assert not (await service.state(await access_for(user, world.event))).shows_draft
    assert (await service.state(await access_for(world.admin, world.event))).shows_draft


# -- two colleagues at once: a save made on an out-of-date page writes nothing ---------


async def test_a_save_from_a_page_a_colleague_has_overtaken_writes_nothing(
    make: Factory,
) -> None:
    world = await open_world(make)
    mine = await access_for(world.provider_user, world.event)
    theirs = await access_for(world.colleague, world.event)
    shown = (await stored(world.event)).version  # both pages opened at this version
    theirs_answers = Answers(wants_to_comment="yes", comments="Their paragraph 2 fix.")
    assert (
        await service.save(await service.state(theirs), theirs_answers, seen_version=shown)
        == service.SAVED
    )
    mine_answers = Answers(wants_to_comment="yes", comments="My paragraph 5 fix.")
    assert (
        await service.save(await service.state(mine), mine_answers, seen_version=shown)
        == service.OVERLAP
    )
    check = await stored(world.event)
    assert (check.comments, check.updated_by) == ("Their paragraph 2 fix.", world.colleague.id)
    assert (await audit_actions(world.event.id)).count("accuracy check saved") == 1

    found = await service.overlap(await service.state(mine))
    assert (found.name, found.answers) == (world.colleague.display_name, theirs_answers)
    # Shown both, the user saves again from the version they now see: it goes through.
    merged = Answers(wants_to_comment="yes", comments="Their paragraph 2 fix.\nMy paragraph 5.")
    assert (
        await service.save(await service.state(mine), merged, seen_version=check.version)
        == service.SAVED
    )
    assert (await stored(world.event)).comments == merged.comments


async def test_done_from_an_overtaken_page_does_not_complete(make: Factory) -> None:
    world = await open_world(make)
    await OutgoingMail.delete(force=True)  # the "check is open" mails
    mine = await access_for(world.provider_user, world.event)
    theirs = await access_for(world.colleague, world.event)
    shown = (await stored(world.event)).version
    assert (
        await service.save(
            await service.state(theirs), Answers(comments="Theirs"), seen_version=shown
        )
        == "saved"
    )
    outcome = await service.complete(await service.state(mine), YES, seen_version=shown)
    assert outcome == service.OVERLAP
    check = await stored(world.event)
    assert (check.status, check.comments) == ("in_progress", "Theirs")
    assert await OutgoingMail.count() == 0


async def test_ones_own_save_in_another_tab_overtakes_this_one_too(make: Factory) -> None:
    # Tab 2 showed a colleague's words and saved; tab 1 never showed them: its save
    # would lose them, so it is refused, and the page says the newer save was the user's.
    world = await open_world(make)
    mine = await access_for(world.provider_user, world.event)
    theirs = await access_for(world.colleague, world.event)
    tab_1 = (await stored(world.event)).version
    assert (
        await service.save(
            await service.state(theirs), Answers(comments="Theirs"), seen_version=tab_1
        )
        == "saved"
    )
    tab_2 = (await stored(world.event)).version
    seen_both = Answers(comments="Theirs", confirmed=True)
    assert (
        await service.save(await service.state(mine), seen_both, seen_version=tab_2)
        == service.SAVED
    )
    outcome = await service.save(
        await service.state(mine), Answers(comments="Mine only"), seen_version=tab_1
    )
    assert outcome == service.OVERLAP
    assert (await stored(world.event)).comments == "Theirs"
    found = await service.overlap(await service.state(mine))
    assert found.by_you and found.answers == seen_both
    assert forms.overlap_message(found).startswith(
        "You saved changes to this check in another tab or window on "
    )


async def test_an_extended_deadline_does_not_make_an_open_page_out_of_date(
    make: Factory,
) -> None:
    world = await open_world(make)
    mine = await access_for(world.provider_user, world.event)
    shown = (await stored(world.event)).version
    await service.extend_deadline(
        world.event.id, datetime.now(UTC) + timedelta(days=30), world.admin.id
    )
    assert (
        await service.save(
            await service.state(mine), Answers(comments="Still mine"), seen_version=shown
        )
        == "saved"
    )
