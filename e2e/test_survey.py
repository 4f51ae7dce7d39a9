"""The survey, as the quick start guide describes it: open it from 'Forms', record
feedback with the rating buttons, choose the most and least useful activities from
the menus, say why and how the inspection could be improved, and 'Save'. By mouse,
by keyboard only and with JavaScript off; then the support administrator's summary.

Each journey changes data, so each starts its own demo server."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in

STATEMENT = "The inspectors were courteous and respectful"
OVERALL = "Overall I am satisfied with how the inspection was carried out"


def open_survey(page: Page) -> None:
    page.get_by_role("link", name="Survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey")


def rating(page: Page, statement: str, choice: str):
    return page.get_by_role("group", name=statement).get_by_label(choice, exact=True)


def settled(page: Page) -> None:
    """No htmx request in flight."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.wait_for_load_state("networkidle")


def test_provider_fills_in_and_saves_the_survey_by_mouse(page: Page, own_server: Server) -> None:
    sign_in(page, own_server, "provider")
    expect(page.get_by_role("link", name="Survey")).to_be_visible()
    expect(page.locator(".govuk-task-list__item", has_text="Survey")).to_contain_text("Optional")
    open_survey(page)
    expect(page.get_by_text("This survey is optional")).to_be_visible()
    expect(page.get_by_text("Your answers are not anonymous")).to_be_visible()
    expect(page.get_by_text("It takes about 10 minutes")).to_be_visible()
    assert_accessible(page, "empty survey form")

    rating(page, "The inspection was carried out professionally", "Strongly agree").check()
    rating(page, STATEMENT, "Agree").check()
    rating(page, OVERALL, "Agree").check()
    page.get_by_label("Most useful activity 1").select_option(label="Final feedback meeting")
    settled(page)
    page.get_by_label("Most useful activity 2").select_option(label="Meetings with staff")
    settled(page)

    # The same activity in the other list: the server says so at once, next to the menu.
    with page.expect_response(lambda r: r.url.endswith("/survey/validate")):
        page.get_by_label("Least useful activity 1").select_option(label="Meetings with staff")
    settled(page)
    message = "Least useful activity 1 must be different from most useful activity 2"
    error = page.locator("#least_1-error")
    expect(error).to_contain_text(message)
    expect(page.locator("#portal-live")).to_contain_text(message)
    expect(page.get_by_label("Least useful activity 1")).to_have_value("staff")
    assert_accessible(page, "survey with a repeated activity")

    # Saving anyway keeps every answer and shows the problem in the summary.
    page.get_by_label("How could the inspection be improved?").fill("Share the timetable earlier.")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(message)
    expect(rating(page, STATEMENT, "Agree")).to_be_checked()
    expect(page.get_by_label("How could the inspection be improved?")).to_have_value(
        "Share the timetable earlier."
    )
    assert_accessible(page, "survey after Save with a repeated activity")

    with page.expect_response(lambda r: r.url.endswith("/survey/validate")):
        page.get_by_label("Least useful activity 1").select_option(
            label="Meetings with governors, trustees or owners"
        )
    settled(page)
    expect(page.locator("#least_1-error")).to_have_count(0)
    page.get_by_label("Why were these activities the most or least useful?").fill(
        "Feedback was specific to our school."
    )
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your survey answers have been saved"
    )
    expect(page.locator(".govuk-task-list__item", has_text="Survey")).to_contain_text("Saved on")
    assert_accessible(page, "profile after saving the survey")

    open_survey(page)
    expect(page.get_by_text("Last saved by Priya Shah on")).to_be_visible()
    expect(rating(page, STATEMENT, "Agree")).to_be_checked()
    expect(page.get_by_label("Most useful activity 1")).to_have_value("final_feedback")
    expect(page.get_by_label("Least useful activity 1")).to_have_value("governors")
    expect(page.get_by_label("Why were these activities the most or least useful?")).to_have_value(
        "Feedback was specific to our school."
    )
    assert_accessible(page, "saved survey form")

    # Answers can be changed until the event is closed.
    rating(page, STATEMENT, "Strongly agree").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    open_survey(page)
    expect(rating(page, STATEMENT, "Strongly agree")).to_be_checked()


def tab_to(page: Page, predicate: str, limit: int = 80) -> None:
    """Press Tab until `predicate` (JS on document.activeElement as `el`) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached: {predicate}")


def choose_by_keys(page: Page, select_id: str, keys: list[str]) -> None:
    """Type on a focused menu, waiting for each check the change sends to the server."""
    for key in keys:
        with page.expect_response(lambda r: r.url.endswith("/survey/validate")):
            page.keyboard.press(key)
        settled(page)
        expect(page.locator(f"#{select_id}")).to_be_focused()


def test_provider_saves_the_survey_by_keyboard_only(page: Page, own_server: Server) -> None:
    sign_in(page, own_server, "provider")
    tab_to(page, "el.textContent.trim() === 'Survey' && el.tagName === 'A'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey")
    assert_accessible(page, "empty survey form (keyboard)")

    # The first radio group: Tab in, the arrow keys move along and choose.
    tab_to(page, "el.name === 'rating_professional'")
    page.keyboard.press("ArrowRight")  # Strongly agree → Agree (arrow keys check as they go)
    expect(rating(page, "The inspection was carried out professionally", "Agree")).to_be_checked()
    page.keyboard.press("Tab")  # the next group
    page.keyboard.press("Space")
    expect(rating(page, STATEMENT, "Strongly agree")).to_be_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(rating(page, STATEMENT, "Disagree")).to_be_checked()

    # The menus: focus one and press keys; each change is checked at once.
    tab_to(page, "el.id === 'most_1'")
    choose_by_keys(page, "most_1", ["ArrowDown"])  # the planning call
    expect(page.locator("#most_1")).to_have_value("planning_call")
    page.keyboard.press("Tab")
    choose_by_keys(page, "most_2", ["ArrowDown", "ArrowDown"])  # meetings with leaders
    expect(page.locator("#most_2")).to_have_value("leaders")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # least useful activity 1
    expect(page.locator("#least_1")).to_be_focused()
    choose_by_keys(page, "least_1", ["ArrowDown"])  # the planning call again: a problem
    message = "Least useful activity 1 must be different from most useful activity 1"
    expect(page.locator("#least_1-error")).to_contain_text(message)
    expect(page.locator("#portal-live")).to_contain_text(message)
    expect(page.locator("#least_1")).to_be_focused()
    assert_accessible(page, "survey with a repeated activity (keyboard)")
    choose_by_keys(page, "least_1", ["End"])  # final feedback meeting
    expect(page.locator("#least_1")).to_have_value("final_feedback")
    expect(page.locator("#least_1-error")).to_have_count(0)

    tab_to(page, "el.id === 'why'")
    page.keyboard.type("Talking with leaders showed us our next steps.")
    tab_to(page, "el.id === 'improve'")
    page.keyboard.type("More time for the final feedback.")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'")
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your survey answers have been saved"
    )
    assert_accessible(page, "profile after saving (keyboard)")
    tab_to(page, "el.textContent.trim() === 'Survey' && el.tagName === 'A'")
    page.keyboard.press("Enter")
    expect(page.locator("#most_2")).to_have_value("leaders")
    expect(page.locator("#least_1")).to_have_value("final_feedback")
    expect(rating(page, STATEMENT, "Disagree")).to_be_checked()
    expect(page.locator("#improve")).to_have_value("More time for the final feedback.")
    assert_accessible(page, "saved survey form (keyboard)")


def test_provider_saves_the_survey_without_javascript(nojs_page: Page, own_server: Server) -> None:
    page = nojs_page
    sign_in(page, own_server, "provider")
    open_survey(page)
    assert_accessible(page, "empty survey form without JavaScript")

    rating(page, OVERALL, "Strongly agree").check()
    rating(page, "The feedback at the end of the inspection was clear", "Not applicable").check()
    page.get_by_label("Most useful activity 1").select_option(
        label="Talking with children or learners"
    )
    page.get_by_label("Most useful activity 3").select_option(
        label="Talking with children or learners"
    )
    page.get_by_label("Least useful activity 2").select_option(label="Meetings with staff")
    page.get_by_label("How could the inspection be improved?").fill("Nothing to add.")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_title(re.compile(r"^Error: Survey"))
    message = "Most useful activity 3 must be different from most useful activity 1"
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("#most_3-error")).to_contain_text(message)
    expect(rating(page, OVERALL, "Strongly agree")).to_be_checked()
    expect(page.get_by_label("Least useful activity 2")).to_have_value("staff")
    expect(page.get_by_label("How could the inspection be improved?")).to_have_value(
        "Nothing to add."
    )
    assert_accessible(page, "survey with a repeated activity without JavaScript")

    page.locator(".govuk-error-summary").get_by_role("link", name=message).click()
    page.get_by_label("Most useful activity 3").select_option(label="Choose an activity")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your survey answers have been saved"
    )
    assert_accessible(page, "profile after saving without JavaScript")

    open_survey(page)
    expect(page.get_by_text("Last saved by Priya Shah on")).to_be_visible()
    expect(page.get_by_label("Most useful activity 1")).to_have_value("learners")
    expect(page.get_by_label("Most useful activity 3")).to_have_value("")
    expect(
        rating(page, "The feedback at the end of the inspection was clear", "Not applicable")
    ).to_be_checked()
    assert_accessible(page, "saved survey form without JavaScript")


def test_inspector_sees_whether_submitted_and_admin_reads_the_summary(
    page: Page, own_server: Server
) -> None:
    sign_in(page, own_server, "inspector")
    page.get_by_role("link", name="INS-2026-0415").click()
    survey = page.locator(".govuk-task-list__item", has_text="Survey")
    expect(survey).to_contain_text("Not submitted")
    expect(survey.get_by_role("link")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, own_server, "provider")
    open_survey(page)
    rating(page, OVERALL, "Disagree").check()
    page.get_by_label("Most useful activity 1").select_option(label="Meetings with staff")
    settled(page)
    page.get_by_label("Least useful activity 1").select_option(label="Final feedback meeting")
    settled(page)
    page.get_by_label("How could the inspection be improved?").fill("=1+1 more notice")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, own_server, "inspector")
    page.get_by_role("link", name="INS-2026-0415").click()
    expect(page.locator(".govuk-task-list__item", has_text="Survey")).to_contain_text("Submitted")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, own_server, "admin")
    page.goto(f"{own_server.url}/admin/surveys")
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey responses")
    expect(page.get_by_text("1 response.")).to_be_visible()
    overall = page.get_by_role("row", name=re.compile("^Overall I am satisfied"))
    expect(overall.get_by_role("cell")).to_have_text(["0", "0", "1", "0", "0", "0"])
    staff = page.get_by_role("row", name=re.compile("^Meetings with staff"))
    expect(staff.get_by_role("cell")).to_have_text(["1", "0"])
    assert_accessible(page, "admin survey summary")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download all responses (CSV)").click()
    assert download.value.suggested_filename.startswith("survey-responses-")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 1
    assert rows[0]["Event ID"] == "INS-2026-0415"
    assert rows[0]["Most useful activity 1"] == "Meetings with staff"
    assert rows[0]["How the inspection could be improved"] == "'=1+1 more notice"

    page.get_by_role("link", name="View response for INS-2026-0415").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey")
    expect(page.get_by_text("=1+1 more notice")).to_be_visible()
    expect(page.locator("select")).to_have_count(0)
    assert_accessible(page, "admin reading a survey response")
