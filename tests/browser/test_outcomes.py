"""The sergeant records a past demo event's outcome from the dashboard: the form says what is
missing, then saves the numbers and who attended; every page passes axe and fits a phone."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, sign_in
from tests.browser.test_journeys import Look

pytestmark = pytest.mark.browser


def test_sergeant_records_an_outcome_from_the_dashboard(page: Any, server: Server, look: Look) -> None:
    sign_in(page, server.logins.coordinator, server.logins.password)
    expect(page.get_by_role("heading", name="Waiting for their outcome")).to_be_visible()
    page.locator("#awaiting-outcome").scroll_into_view_if_needed()
    look("outcome-dashboard-waiting")
    page.locator("#awaiting-outcome + p + ul a").first.click()
    expect(page.get_by_role("heading", name="What did the event achieve?")).to_be_visible()
    look("outcome-form")

    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    look("outcome-form-errors", status=400)

    page.get_by_label("People spoken to").fill("35")
    page.get_by_label("Expressions of interest taken on paper").fill("6")
    page.get_by_label("Leaflets handed out").fill("50")
    page.get_by_label("What worked, and what would you change?").fill("Illustrative: the stand by the door.")
    people = page.locator("fieldset")
    count = people.count()
    assert count >= 2
    for i in range(count - 1):
        people.nth(i).get_by_label("Attended", exact=True).check()
    last = people.nth(count - 1)
    last.get_by_label("Did not attend").check()
    name = last.locator("legend").inner_text().rsplit(" (", 1)[0]
    page.get_by_label(f"Reason {name} did not attend").fill("Called in to cover a shift")
    page.get_by_role("button", name="Save the outcome").click()

    expect(page.get_by_text("Saved the outcome of")).to_be_visible()
    expect(page.get_by_role("heading", name="Outcome", exact=True)).to_be_visible()
    look("outcome-saved-event-page")
    page.get_by_role("link", name="Record or change the outcome").click()
    expect(page.get_by_label(f"Reason {name} did not attend")).to_have_value("Called in to cover a shift")
    expect(page.get_by_label("People spoken to")).to_have_value("35")
