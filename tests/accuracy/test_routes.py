"""The accuracy check page over HTTP: full pages and htmx fragments alike."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message

from portal import mail
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import AuditEvent, Event
from portal.settings import Settings
from tests.accuracy.helpers import DRAFT_NAME, open_world, stored
from tests.client import PortalClient
from tests.factories import Factory, World

LONG_COMMENT = "Section 2, paragraph 4: the school has 212 pupils, not 221.\n" * 200


def url(world) -> str:
    return f"/events/{world.event.id}/accuracy-check"


def done(**fields: str) -> dict[str, str]:
    return {"action": "done", **fields}


async def test_provider_sees_the_empty_form(client: PortalClient, make: Factory) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.get(url(world))
    assert response.status_code == 200
    page = response.text
    assert "<title>Factual accuracy check – Provider Portal</title>" in page
    assert "Do you wish to make any comments about the factual accuracy of the report?" in page
    assert "I confirm that I have entered all my comments on the draft report" in page
    assert re.search(r"Due by 5pm on \w+day \d{1,2} \w+ \d{4}", page)
    assert DRAFT_NAME in page
    assert 'name="comments"' in page and 'data-maxlength="20000"' in page
    assert re.search(r'value="done" name="action"[^>]*>\s*Done\s*</button>', page)
    assert "You can enter up to 20,000 characters" in page
    assert "Save and come back later" in page
    assert 'data-hx-post="' + url(world) + '"' in page
    assert 'id="accuracy-autosave"' in page

    fragment = await client.get(url(world), htmx=True)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="accuracy-check">')
    assert "<html" not in fragment.text


async def test_not_available_before_the_draft_report(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    response = await client.get(url(world))
    assert response.status_code == 200
    assert "This form is not available yet." in response.text
    assert 'name="comments"' not in response.text
    for htmx in (False, True):
        posted = await client.post(url(world), {"action": "save", "comments": "x"}, htmx=htmx)
        assert posted.status_code == 200
        assert "This form is not available yet. Nothing was changed." in posted.text
        assert 'name="comments"' not in posted.text
    assert await AccuracyCheck.count() == 0


async def test_save_and_come_back_later_keeps_a_partial_answer(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.post(url(world), {"action": "save", "comments": LONG_COMMENT})
    assert response.status_code == 303
    assert response.headers["location"] == url(world) + "?saved=1"
    check = await stored(world.event)
    assert check.comments == LONG_COMMENT.rstrip()
    assert check.status == "in_progress"
    page = await client.get(response.headers["location"])
    assert (
        '<p class="govuk-notification-banner__heading">Your answers have been saved</p>'
        in page.text
    )
    assert "Section 2, paragraph 4" in page.text
    assert "Last saved on" in page.text
    profile = await client.get(f"/events/{world.event.id}")
    assert "In progress" in profile.text


async def test_htmx_save_and_autosave_answer_in_place(client: PortalClient, make: Factory) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        url(world), {"action": "save", "wants_to_comment": "yes"}, htmx=True
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="accuracy-check">')
    assert "data-announce=" in response.text
    assert 'value="yes" checked' in response.text

    autosave = await client.post(
        url(world),
        {"action": "autosave", "wants_to_comment": "yes", "comments": "Typed"},
        htmx=True,
    )
    assert autosave.status_code == 200
    assert re.sub(r"<[^>]+>", "", autosave.text).strip().startswith("Last saved on")
    assert '<input type="hidden" name="version" value="2">' in autosave.text
    assert (await stored(world.event)).comments == "Typed"
    actions = await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "accuracy check saved"
    )
    assert len(actions) == 2

    too_long = await client.post(
        url(world), {"action": "autosave", "comments": "x" * 20_001}, htmx=True
    )
    assert "Not saved: Comments must be 20,000 characters or fewer" in too_long.text
    assert (await stored(world.event)).comments == "Typed"


async def test_done_with_bad_input_shows_errors_and_keeps_the_answers(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.post(url(world), done(wants_to_comment="yes", comments=""))
    assert response.status_code == 200
    page = response.text
    assert "<title>Error: Factual accuracy check – Provider Portal</title>" in page
    assert "There is a problem" in page
    assert 'href="#comments"' in page and 'href="#confirmed"' in page
    assert "Enter your comments about the factual accuracy of the report" in page
    assert "Confirm that you have entered all your comments on the draft report" in page
    assert (await stored(world.event)).status == "in_progress"  # saved, not completed

    fragment = await client.post(
        url(world), done(wants_to_comment="yes", comments="Kept words"), htmx=True
    )
    assert fragment.status_code == 200
    assert "govuk-error-summary" in fragment.text
    assert "Kept words" in fragment.text
    assert (await stored(world.event)).comments == "Kept words"

    too_long = await client.post(
        url(world), done(wants_to_comment="yes", confirmed="yes", comments="x" * 20_001)
    )
    assert "Comments must be 20,000 characters or fewer" in too_long.text
    assert (await stored(world.event)).comments == "Kept words"


async def test_done_makes_the_same_page_view_only(
    client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        url(world), done(wants_to_comment="yes", confirmed="yes", comments="Line one\nLine <two>")
    )
    assert response.status_code == 303
    assert response.headers["location"] == url(world)
    page = (await client.get(url(world))).text
    assert '<form method="post" action="' + url(world) not in page
    assert "<textarea" not in page and 'type="radio"' not in page
    # "by <name>" in the page itself: the header names the signed-in user on every page.
    assert re.search(
        rf"Completed on [^<]* by {re.escape(world.provider_user.display_name)}\.", page
    )
    assert "Line one<br>Line &lt;two&gt;" in page

    # A plain POST afterwards (a second tab, a replay) changes nothing: the view-only
    # page, saying so.
    already = "This factual accuracy check has already been completed. Nothing was changed."
    replay = await client.post(url(world), done(wants_to_comment="no", confirmed="yes"))
    assert replay.status_code == 200
    assert "Completed on" in replay.text and "<textarea" not in replay.text
    assert "govuk-notification-banner" in replay.text and already in replay.text
    assert (await stored(world.event)).wants_to_comment == "yes"

    # htmx: the view-only block in place of the form, with the message.
    again = await client.post(url(world), {"action": "save", "comments": "New"}, htmx=True)
    assert again.status_code == 200
    assert again.text.lstrip().startswith('<div id="accuracy-check">')
    assert already in again.text and "<textarea" not in again.text
    # Saving as you type targets the status line: the block replaces the whole form.
    typed = await client.post(url(world), {"action": "autosave", "comments": "New"}, htmx=True)
    assert typed.status_code == 200
    assert typed.headers["hx-retarget"] == "#accuracy-check"
    assert typed.headers["hx-reswap"] == "outerHTML"
    assert typed.text.lstrip().startswith('<div id="accuracy-check">')
    assert already in typed.text and "<textarea" not in typed.text
    assert (await stored(world.event)).comments == "Line one\nLine <two>"

    # The lead inspector is told; the provider's users get their receipt.
    await mail.deliver_pending(settings)
    messages = [message_from_bytes(p.read_bytes()) for p in settings.outbox_dir.glob("*.eml")]
    done_mails = [m for m in messages if _subject(m).startswith("Factual accuracy check")]
    by_to = {m["To"]: m for m in done_mails}
    assert len(done_mails) == 3
    assert set(by_to) == {world.lead.email, world.provider_user.email, world.colleague.email}
    lead_mail = _body(by_to[world.lead.email])
    assert "completed the factual accuracy check" in lead_mail
    assert f"/events/{world.event.id}/accuracy-check" in lead_mail
    confirmation = _body(by_to[world.provider_user.email])
    assert _subject(by_to[world.provider_user.email]).startswith(
        "Factual accuracy check sent to Ofsted"
    )
    assert "Line one\nLine <two>" in confirmation
    assert "Do you wish to make any comments about the factual accuracy of the report?" in (
        confirmation
    )


def _subject(message: Message) -> str:
    return " ".join(str(message["Subject"]).split())  # a long subject is folded


def _body(message: Message) -> str:
    """The plain-text part."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text/plain part")


async def test_htmx_done_swaps_in_the_view_only_fragment(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.post(
        url(world), done(wants_to_comment="no", confirmed="yes"), htmx=True
    )
    assert response.status_code == 200
    fragment = response.text
    assert fragment.lstrip().startswith('<div id="accuracy-check">')
    assert 'data-announce="Factual accuracy check completed.' in fragment
    assert "<h1" in fragment and "<textarea" not in fragment
    assert "Completed on" in fragment


async def test_inspectors_see_status_then_the_answers(client: PortalClient, make: Factory) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    await client.post(
        url(world), {"action": "save", "wants_to_comment": "yes", "comments": "Secret draft"}
    )
    await client.sign_in_as(world.lead)
    page = (await client.get(url(world))).text
    assert "In progress" in page
    assert "Secret draft" not in page and "<textarea" not in page
    assert (await client.post(url(world), {"action": "save"})).status_code == 403

    await client.sign_in_as(world.colleague)
    await client.post(
        url(world), done(wants_to_comment="yes", confirmed="yes", comments="Final words")
    )
    await client.sign_in_as(world.inspector)
    page = (await client.get(url(world))).text
    assert "Final words" in page and "Completed on" in page
    assert world.colleague.display_name in page


async def test_after_the_deadline_the_form_is_closed(client: PortalClient, make: Factory) -> None:
    world = await open_world(make, at=datetime.now(UTC) - timedelta(days=30))
    await client.sign_in_as(world.provider_user)
    page = (await client.get(url(world))).text
    assert "The deadline for the factual accuracy check has passed" in page
    assert "<textarea" not in page
    response = await client.post(url(world), done(wants_to_comment="no", confirmed="yes"))
    assert response.status_code == 200
    assert (
        "The deadline for the factual accuracy check has passed. Nothing was changed."
        in response.text
    )
    assert "<textarea" not in response.text
    assert (await stored(world.event)).status == "not_started"

    await AccuracyCheck.update(
        {AccuracyCheck.extended_due_at: datetime.now(UTC) + timedelta(days=1)}
    ).where(AccuracyCheck.event == world.event.id)
    page = (await client.get(url(world))).text
    assert "<textarea" in page


async def test_the_profile_shows_the_form_status_and_due_date(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    profile = (await client.get(f"/events/{world.event.id}")).text
    assert "Factual accuracy check" in profile
    assert re.search(r"Due by 5pm on \w+day", profile)
    assert re.search(r"govuk-tag--blue\">\s*Open\s*<", profile)


async def test_a_closed_event_shows_the_check_read_only(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    await client.post(url(world), {"action": "save", "comments": "Kept but not sent"})
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    page = (await client.get(url(world))).text
    assert "This inspection is closed" in page
    assert "<textarea" not in page and "Kept but not sent" in page
    for htmx in (False, True):
        response = await client.post(
            url(world), done(wants_to_comment="no", confirmed="yes"), htmx=htmx
        )
        assert response.status_code == 200
        assert "This inspection is closed. Nothing was changed." in response.text
        assert "<textarea" not in response.text
    assert (await stored(world.event)).status == "in_progress"


async def test_an_empty_htmx_post_is_a_save(client: PortalClient, make: Factory) -> None:
    world = await open_world(make)
    await client.sign_in_as(world.provider_user)
    response = await client.post(url(world), {}, htmx=True)
    assert response.status_code == 200
    assert (await stored(world.event)).status == "not_started"


# -- two colleagues at once ------------------------------------------------------------


def version_in(page: str) -> str:
    found = re.search(r'<input type="hidden" name="version" value="(\d+)">', page)
    assert found, "the form carries no version"
    return found.group(1)


async def page_then_colleague_saves(
    client: PortalClient, world: World, theirs: dict[str, str]
) -> str:
    """The provider user's page is shown; then a colleague saves `theirs`. Returns the
    version the provider user's (now out-of-date) page carries; signed in as them."""
    await client.sign_in_as(world.provider_user)
    shown = version_in((await client.get(url(world))).text)
    await client.sign_in_as(world.colleague)
    saved = await client.post(url(world), {"action": "save", **theirs, "version": shown})
    assert saved.status_code == 303
    await client.sign_in_as(world.provider_user)
    return shown


async def test_saving_over_a_colleagues_later_save_shows_both_and_writes_nothing(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    theirs = {"wants_to_comment": "yes", "comments": "Para 2: 212 pupils."}
    shown = await page_then_colleague_saves(client, world, theirs)

    mine = {"action": "save", "wants_to_comment": "yes", "comments": "Para 5: Ms Patel."}
    response = await client.post(url(world), {**mine, "version": shown})
    assert response.status_code == 200
    page = response.text
    assert "<title>Error: Factual accuracy check – Provider Portal</title>" in page
    assert 'href="#saved-by-colleague"' in page
    assert (
        f"{world.colleague.display_name} saved changes to this check on" in page
        and "after you opened this page. Your answers have not been saved" in page
    )
    inset = page[page.index('id="saved-by-colleague"') :]
    assert f"Saved by {world.colleague.display_name} on" in inset
    assert inset.index("Para 2: 212 pupils.") < inset.index("<textarea")  # theirs, shown
    assert ">Para 5: Ms Patel.</textarea>" in page  # the user's own words, kept
    assert (await stored(world.event)).comments == "Para 2: 212 pupils."

    # Having seen both, saving from this page goes through.
    merged = {**mine, "comments": "Para 2: 212 pupils.\nPara 5: Ms Patel."}
    again = await client.post(url(world), {**merged, "version": version_in(page)})
    assert again.status_code == 303
    assert (await stored(world.event)).comments == merged["comments"]


async def test_saving_as_you_type_over_a_colleagues_save_is_refused_and_says_why(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    shown = await page_then_colleague_saves(client, world, {"comments": "Theirs"})
    typed = {"action": "autosave", "comments": "Mine", "version": shown}
    fragment = await client.post(url(world), typed, htmx=True)
    assert fragment.status_code == 200
    text = re.sub(r"<[^>]+>", "", fragment.text.split("<title>")[0]).strip()
    assert text.startswith(f"Not saved: {world.colleague.display_name} saved changes on")
    assert text.endswith("Select ‘Save and come back later’ to compare them with yours")
    assert f'data-announce="Not saved: {world.colleague.display_name} saved changes on' in (
        fragment.text
    )  # read out by the live region: a screen reader user hears it while typing
    # The form keeps the version it showed: typing on cannot overwrite theirs either.
    assert version_in(fragment.text) == shown
    assert (await stored(world.event)).comments == "Theirs"


async def test_done_over_a_colleagues_later_save_does_not_complete(
    client: PortalClient, make: Factory
) -> None:
    world = await open_world(make)
    shown = await page_then_colleague_saves(client, world, {"comments": "Theirs"})
    fields = done(wants_to_comment="no", confirmed="yes", version=shown)
    response = await client.post(url(world), fields, htmx=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert 'id="saved-by-colleague"' in response.text
    check = await stored(world.event)
    assert (check.status, check.comments) == ("in_progress", "Theirs")
