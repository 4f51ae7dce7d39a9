"""Survey rules: duplicates, partial saves, editing, the profile's status and closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.db.tables import AuditEvent, Event
from portal.survey import forms, service
from portal.survey.questions import ACTIVITIES, STATEMENTS
from portal.survey.tables import SurveyResponse
from portal.web.access import load_event_access
from tests.factories import Factory

ACTIVITY_KEYS = list(ACTIVITIES)
HREF = "/the/survey/page"  # the caller reverses the route; the service only shows it or not


def test_activity_repeated_in_one_list_is_reported_on_the_later_menu() -> None:
    answers = forms.read({"most_1": "staff", "most_2": "leaders", "most_3": "staff"})
    assert forms.validate(answers) == {
        "most_3": "Most useful activity 3 must be different from most useful activity 1"
    }


def test_activity_in_both_lists_is_reported_on_the_least_useful_menu() -> None:
    answers = forms.read({"most_2": "learners", "least_1": "staff", "least_3": "learners"})
    errors = forms.validate(answers)
    assert list(errors) == ["least_3"]
    assert errors["least_3"].startswith(
        "Least useful activity 3 must be different from most useful activity 2"
    )
    assert "cannot be both most and least useful" in errors["least_3"]


def test_every_repeat_is_reported_in_page_order() -> None:
    answers = forms.read(
        {
            "most_1": "staff",
            "most_2": "staff",
            "least_1": "staff",
            "least_2": "governors",
            "least_3": "governors",
        }
    )
    assert list(forms.validate(answers)) == ["most_2", "least_1", "least_3"]


def test_empty_menus_are_not_repeats_and_nothing_is_required() -> None:
    assert forms.validate(forms.read({})) == {}
    assert forms.validate(forms.read({"most_1": "", "most_2": "", "least_1": ""})) == {}


def test_values_not_on_the_lists_are_refused() -> None:
    answers = forms.read({"rating_courteous": "brilliant", "most_1": "lunch"})
    errors = forms.validate(answers)
    assert errors == {
        "rating_courteous": "Select how far you agree that the inspectors were courteous "
        "and respectful",
        "most_1": "Select most useful activity 1 from the list",
    }


def test_parse_gives_the_answers_as_typed_and_every_error() -> None:
    parsed = forms.parse({"most_1": "staff", "least_1": "staff", "why": "x" * 2001})
    assert not parsed.ok
    assert parsed.values.activities["least_1"] == "staff"
    assert list(parsed.errors) == ["least_1", "why"]
    assert forms.parse({"most_1": "staff"}).ok


def test_parse_activities_checks_only_the_menus() -> None:
    parsed = forms.parse_activities({"most_1": "staff", "most_2": "staff", "why": "x" * 2001})
    assert list(parsed.errors) == ["most_2"]
    assert parsed.values.why == "x" * 2001


def test_long_text_is_refused_with_the_limit() -> None:
    errors = forms.validate(forms.read({"why": "x" * 2001, "improve": "y" * 2000}))
    assert errors == {
        "why": "Why these activities were the most or least useful must be 2000 characters or fewer"
    }


def test_line_breaks_count_once() -> None:
    answers = forms.read({"improve": ("a\r\n" * 1000).strip()})
    assert len(answers.improve) == 1999
    assert forms.validate(answers) == {}


async def test_partial_answers_are_saved_and_read_back(make: Factory) -> None:
    world = await make.world()
    answers = forms.read({"rating_professional": "agree", "least_2": "final_feedback"})
    await service.save(world.event.id, world.provider_user.id, answers)

    saved = await service.response_for(world.event.id)
    assert saved is not None
    assert saved.answers.ratings == {"professional": "agree"}
    assert saved.answers.activities["least_2"] == "final_feedback"
    assert saved.answers.activities["most_1"] == ""
    assert saved.answers.why == "" and saved.answers.improve == ""
    assert saved.submitted is True
    assert saved.saved_by_name == world.provider_user.display_name


async def test_an_empty_save_is_kept_but_not_submitted(make: Factory) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read({}))
    saved = await service.response_for(world.event.id)
    assert saved is not None and saved.submitted is False


async def test_editing_replaces_the_one_response_of_the_event(make: Factory) -> None:
    world = await make.world()
    first = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    await service.save(
        world.event.id,
        world.provider_user.id,
        forms.read({key_field: "agree" for key_field in map(forms.rating_field, STATEMENTS)}),
        at=first,
    )
    await service.save(
        world.event.id,
        world.colleague.id,
        forms.read({"rating_overall": "strongly_agree", "improve": "More time."}),
        at=first + timedelta(hours=2),
    )
    assert await SurveyResponse.count().where(SurveyResponse.event == world.event.id) == 1
    saved = await service.response_for(world.event.id)
    assert saved is not None
    # What was cleared is gone: the form shows the whole response, as saved last.
    assert saved.answers.ratings == {"overall": "strongly_agree"}
    assert saved.answers.improve == "More time."
    assert saved.saved_by_name == world.colleague.display_name
    assert saved.saved_at == first + timedelta(hours=2)


async def test_every_save_is_audited(make: Factory) -> None:
    world = await make.world()
    await service.save(world.event.id, world.provider_user.id, forms.read({"why": "Useful."}))
    await service.save(world.event.id, world.colleague.id, forms.read({}))
    rows = await (
        AuditEvent.select(AuditEvent.actor, AuditEvent.detail)
        .where((AuditEvent.action == "survey saved") & (AuditEvent.event == world.event.id))
        .order_by(AuditEvent.id)
    )
    assert [row["actor"] for row in rows] == [world.provider_user.id, world.colleague.id]
    assert "why: yes" in rows[0]["detail"]


async def test_status_for_the_provider_is_optional_then_saved(make: Factory) -> None:
    world = await make.world()
    access = await load_event_access(world.provider_user, world.event.id)
    link = await service.form_link(access, HREF)
    assert (link.title, link.status, link.href) == ("Survey", "Optional", HREF)
    await service.save(
        world.event.id,
        world.provider_user.id,
        forms.read({"why": "x"}),
        at=datetime(2026, 12, 4, 15, 0, tzinfo=UTC),
    )
    link = await service.form_link(access, HREF)
    assert link.status == "Saved on 4 December 2026"
    assert link.tag_colour == "green"


async def test_inspectors_see_only_whether_it_was_submitted(make: Factory) -> None:
    world = await make.world()
    access = await load_event_access(world.inspector, world.event.id)
    link = await service.form_link(access, HREF)
    assert (link.status, link.href) == ("Not submitted", "")
    await service.save(world.event.id, world.provider_user.id, forms.read({"why": "x"}))
    link = await service.form_link(access, HREF)
    assert (link.status, link.href) == ("Submitted", "")
    admin = await load_event_access(world.admin, world.event.id)
    admin_link = await service.form_link(admin, HREF)
    assert (admin_link.status, admin_link.href) == ("Submitted", HREF)


async def test_closing_the_event_ends_editing(make: Factory) -> None:
    world = await make.world()
    access = await load_event_access(world.provider_user, world.event.id)
    assert service.editable(access) and service.may_read(access)
    await Event.update({Event.status: "closed"}).where(Event.id == world.event.id)
    closed = await load_event_access(world.provider_user, world.event.id)
    assert not service.editable(closed)
    assert service.may_answer(closed) and service.may_read(closed)
    assert (await service.form_link(closed, HREF)).status == "Closed"


async def test_who_may_read_and_edit(make: Factory) -> None:
    world = await make.world()
    for user, read, answer in [
        (world.provider_user, True, True),
        (world.lead, False, False),
        (world.inspector, False, False),
        (world.admin, True, False),
    ]:
        access = await load_event_access(user, world.event.id)
        assert (service.may_read(access), service.may_answer(access)) == (read, answer), user.role
        assert service.editable(access) == answer, user.role


def test_the_lists_have_stable_unique_keys() -> None:
    assert len(STATEMENTS) == 7 and len(ACTIVITY_KEYS) == 10
    assert all(len(key) <= 40 for key in ACTIVITY_KEYS)
