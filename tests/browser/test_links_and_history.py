"""Issue 16, parts 3 and 4a in a real browser: the dashboard's export and print links give
what the filtered calendar shows (and an empty printout says why, with the nearest events),
and an event's history names who was proposed and who declined."""

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.accounts.models import User
from tests.browser.conftest import Server, sign_in
from tests.browser.test_journeys import Look, _book, _day

pytestmark = pytest.mark.browser


def test_dashboard_exports_and_prints_what_the_filtered_week_shows(
    page: Any, server: Server, look: Look
) -> None:
    wednesday = _day(150, weekday=2)
    _book(server, venue_name="Jobcentre Plus Bacup", title="Bacup links check", day=wednesday)
    _book(
        server,
        venue_name="Jobcentre Plus Nelson",
        title="Nelson links check",
        day=wednesday + timedelta(days=1),
    )
    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto(f"/plan?view=week&d={wednesday.isoformat()}")
    page.get_by_label("Venue").select_option(label="Jobcentre Plus Bacup")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".calendar--week .cal-event")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download events (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [row["event"] for row in rows] == ["Bacup links check"]

    page.get_by_role("link", name="Print rosters").click()
    expect(page.get_by_text("Venue: Jobcentre Plus Bacup")).to_be_visible()
    expect(page.get_by_text("Bacup links check")).to_be_visible()
    expect(page.get_by_text("Nelson links check")).to_have_count(0)
    look("roster-filtered")

    # A week earlier, with the same filter: nothing to print, and the way to the nearest events.
    earlier = wednesday - timedelta(days=7)
    page.goto(f"/plan?view=week&d={earlier.isoformat()}&town=Bacup")
    page.get_by_role("link", name="Print rosters").click()
    expect(page.get_by_role("heading", name="Nothing to print")).to_be_visible()
    expect(page.get_by_text("for Town: Bacup")).to_be_visible()
    look("roster-empty")
    page.get_by_role("link", name="Print the roster for", exact=False).click()
    expect(page.get_by_text("Bacup links check")).to_be_visible()


def test_event_history_names_who_was_proposed_and_who_declined(page: Any, server: Server, look: Look) -> None:
    day = _day(160, weekday=2)
    event_id = _book(server, venue_name="Jobcentre Plus Blackburn", title="History check fair", day=day)
    with server.session() as session:
        staff = session.exec(select(User).where(User.email == server.logins.staff)).one()
    assignment_id = server.propose(event_id, staff.person_id or 0)

    sign_in(page, server.logins.staff, server.logins.password)
    page.goto(f"/my/assignments/{assignment_id}/decline")
    page.get_by_label("Why can you not go?").fill("On a training course that day")
    page.get_by_role("button", name="Decline the event").click()
    expect(page.get_by_text("You have declined 'History check fair'")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, server.logins.partner, server.logins.password)
    page.goto(f"/partner/events/{event_id}")
    page.get_by_label("No, decline it").check()
    page.get_by_label("Message to the coordinator", exact=False).fill("Closed for a staff day")
    page.get_by_role("button", name="Send answer").click()
    page.context.clear_cookies()

    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto(f"/plan/events/{event_id}")
    history = page.locator("#history + ul")
    expect(history.locator("li").nth(0)).to_contain_text("venue partner declined 'History check fair'")
    expect(history.locator("li").nth(1)).to_contain_text(
        "Aisha Hussain on 'History check fair': declined as ambassador (On a training course that day)"
    )
    expect(history.locator("li").nth(1)).to_contain_text(f"by {server.logins.staff}")
    expect(history.locator("li").nth(2)).to_contain_text("Aisha Hussain proposed as ambassador")
    look("event-history")

    page.get_by_role("link", name="Full history of this event").click()
    expect(page.get_by_text("to the event and its team")).to_be_visible()
    look("event-audit-trail")
