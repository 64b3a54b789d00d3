"""A venue partner declines a booking two months ahead: the sergeant's dashboard, the event
page, the roster PDF, the public page and the venue's public feed all show it at once, and
asking the venue again puts it back."""

import io
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from app.assignments.models import Assignment
from app.clock import to_london
from app.enums import AssignmentStatus
from app.events.models import Event
from app.venues.models import Venue
from tests.browser.conftest import DESKTOP, Server, sign_in
from tests.browser.test_journeys import Look, _book, _day, _staff_duty

pytestmark = pytest.mark.browser

TITLE = "Blackburn spring careers stand"
REASON = "Our foyer is being refitted that week; any date after Easter suits."


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-"), body[:40]
    pages = PdfReader(io.BytesIO(body)).pages
    return " ".join(" ".join((p.extract_text() or "") for p in pages).split())


def test_partner_declines_and_every_view_says_so(page: Any, browser: Any, server: Server, look: Look) -> None:
    event_id = _book(server, venue_name="Jobcentre Plus Blackburn", title=TITLE, day=_day(70, weekday=2))
    assignment_id = _staff_duty(server, event_id)
    with server.session() as session:
        event = session.get(Event, event_id)
        venue = session.exec(select(Venue).where(Venue.name == "Jobcentre Plus Blackburn")).one()
        day = to_london(event.starts_at).date().isoformat()

    # The partner sees who is coming, and declines.
    sign_in(page, server.logins.partner, server.logins.password)
    page.get_by_role("link", name=f"Confirm or decline {TITLE}").click()
    expect(page.get_by_role("heading", name="Who is coming")).to_be_visible()
    page.get_by_label("No, decline it").check()
    page.get_by_label("Message to the coordinator").fill(REASON)
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text(f"You declined '{TITLE}'.")).to_be_visible()
    page.goto(f"/partner/events/{event_id}")
    expect(page.get_by_role("heading", name="You declined this booking")).to_be_visible()
    look("declined-partner-booking")

    # The public page and the venue's public feed no longer advertise it.
    public = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="en-GB")
    visitor = public.new_page()
    visitor.goto(f"/events/{event_id}")
    expect(visitor.get_by_role("heading", name="This event is not going ahead as planned")).to_be_visible()
    feed = httpx.get(f"{server.url}/feeds/venues/{venue.id}.ics").text
    assert "BEGIN:VCALENDAR" in feed and f"event-{event_id}@" not in feed
    public.close()

    # The sergeant: the dashboard raises it although it is two months away; the event
    # page offers the three ways forward; the roster PDF prints it beside the status.
    coordinator = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="en-GB")
    sergeant = coordinator.new_page()
    sergeant.set_default_timeout(15000)
    sign_in(sergeant, server.logins.coordinator, server.logins.password)
    attention = sergeant.locator("ul.attention li", has_text=TITLE)
    expect(attention).to_contain_text("The venue declined the booking")
    pdf = sergeant.request.get(f"/rosters.pdf?start={day}&end={day}")
    assert pdf.status == 200
    assert "Venue declined" in _pdf_text(pdf.body())
    sergeant.goto(f"/plan/events/{event_id}")
    expect(sergeant.get_by_role("heading", name=f"The venue declined: “{REASON}”")).to_be_visible()
    expect(sergeant.get_by_role("link", name="Move to another time or venue")).to_be_visible()
    expect(sergeant.get_by_role("link", name="Cancel the event")).to_be_visible()
    sergeant.get_by_role("button", name="Ask the venue again").click()
    expect(sergeant.get_by_text("It is waiting for their answer.")).to_be_visible()
    coordinator.close()

    with server.session() as session:
        assert session.get(Event, event_id).partner_status == "pending"
        # Nobody was stood down while the venue had declined.
        assert session.get(Assignment, assignment_id).status == AssignmentStatus.proposed
    assert httpx.get(f"{server.url}/events/{event_id}").status_code == 200


def test_declined_views_are_accessible(page: Any, server: Server, look: Look) -> None:
    """The coordinator's and the public's views of a declined booking pass axe."""
    event_id = _book(server, venue_name="Jobcentre Plus Darwen", title="Darwen careers stand", day=_day(80))
    with server.session() as session:
        event = session.get(Event, event_id)
        event.partner_status = "declined"
        event.partner_message = "Closed for stocktaking."
        session.add(event)
        session.commit()
        day = to_london(event.starts_at).date().isoformat()
    page.goto(f"/events/{event_id}")
    look("declined-public-event", status=410)
    sign_in(page, server.logins.coordinator, server.logins.password)
    expect(page.locator("ul.attention li", has_text="Darwen careers stand")).to_be_visible()
    look("declined-dashboard")
    page.goto(f"/plan/events/{event_id}")
    look("declined-event")
    page.goto(f"/plan?view=week&d={day}")
    expect(page.locator(".cal-event", has_text="Venue declined").first).to_be_visible()
    look("declined-calendar-week")
    page.goto(f"/rosters?start={day}&end={day}")
    look("declined-roster")
