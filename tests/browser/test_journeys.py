"""Each user's job, done in a real browser: book, staff, accept, subscribe, confirm, find.

Every main page is scanned with axe-core (no serious or critical violations) and
photographed at desktop and 360 px phone width into artifacts/screenshots/. The walks visit
records the demo or the test created (never guessed ids), and a page is scanned only once
it has answered as meant (200 at the address asked for, unless the walk expects a refusal).
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.accounts.models import User
from app.audit.service import SYSTEM
from app.campaigns.models import Campaign
from app.clock import from_london, to_london, utcnow
from app.enums import EventStatus
from app.events import service as events
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person
from app.planning.dates import calendar_dates
from app.venues.models import Venue
from tests.browser.conftest import Server, sign_in

pytestmark = pytest.mark.browser

Look = Callable[..., None]


def visit(page: Any, look: Look, name: str, path: str) -> None:
    """Open ``path``, check it answered 200 there (not a redirect to the sign-in page), scan it."""
    answer = page.goto(path)
    assert answer is not None and answer.status == 200, f"{path}: {answer and answer.status}"
    assert urlsplit(page.url).path == urlsplit(path).path, f"{path} ended at {page.url}"
    look(name)


def _staff_duty(server: Server, event_id: int) -> int:
    """Put the demo's staff member on the event; the assignment's id."""
    with server.session() as session:
        user = session.exec(select(User).where(User.email == server.logins.staff)).one()
    return server.propose(event_id, user.person_id or 0)


def _day(days_ahead: int, weekday: int = 3, *, clear: bool = False) -> date:
    """A London date at least ``days_ahead`` away, on the given weekday (3 = Thursday); with
    ``clear``, with no planning date on it or the day after, for a journey through a form that
    would warn about one (what the journey is about is something else)."""
    day = to_london(utcnow()).date() + timedelta(days=days_ahead)
    while day.weekday() != weekday or (clear and calendar_dates(day, day + timedelta(days=1))):
        day += timedelta(days=1)
    return day


def _book(
    server: Server,
    *,
    venue_name: str,
    title: str,
    day: date,
    public: bool = True,
    status: EventStatus = EventStatus.confirmed,
) -> int:
    with server.session() as session:
        venue = session.exec(select(Venue).where(Venue.name == venue_name)).one()
        campaign = session.exec(select(Campaign)).first()
        event = events.create_event(
            session=session,
            actor=SYSTEM,
            data={
                "campaign_id": campaign.id,
                "venue_id": venue.id,
                "title": title,
                "starts_at": from_london(datetime.combine(day, time(10, 0))),
                "ends_at": from_london(datetime.combine(day, time(15, 0))),
                "status": status,
                "public": public,
                "public_description": "Talk to serving officers about joining.",
                "ambassadors_needed": 2,
                "recruiters_needed": 1,
            },
        )
        return int(event.id or 0)


def test_coordinator_books_across_three_venues_and_staffs_one(page: Any, server: Server, look: Look) -> None:
    sign_in(page, server.logins.coordinator, server.logins.password)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    look("dashboard-month")
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("link", name="Week", exact=True)).to_have_attribute("aria-current", "page")
    with server.session() as session:
        soonest = session.exec(
            select(Event).where(Event.starts_at > utcnow()).order_by(Event.starts_at)
        ).first()
    page.goto(f"/plan?view=week&d={to_london(soonest.starts_at).date().isoformat()}")
    expect(page.locator(".calendar--week .cal-event").first).to_be_visible()
    look("dashboard-week")
    page.get_by_role("link", name="List", exact=True).click()
    look("dashboard-list")

    page.get_by_role("link", name="Book across several venues").first.click()
    look("book-form")
    day = _day(40)
    while calendar_dates(day, day):  # a bank holiday or religious date would warn first (tested apart)
        day += timedelta(weeks=1)
    page.get_by_label("Campaign").select_option(index=1)  # none is chosen for you
    page.get_by_label("Title (optional)").fill("Careers drop-in")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Ends at").fill("16:00")
    page.get_by_label("Confirmed – it is going ahead").check()
    for name in ("Jobcentre Plus Accrington", "Jobcentre Plus Burnley", "Jobcentre Plus Nelson"):
        page.get_by_label(f"{name} (", exact=False).check()
    page.get_by_role("button", name="Book at the ticked venues").click()
    expect(page.get_by_role("heading", name="Booked at 3 of 3 venues")).to_be_visible()
    look("book-report")

    page.get_by_role("link", name="Careers drop-in", exact=False).first.click()
    expect(page.get_by_role("heading", name="Careers drop-in")).to_be_visible()
    first_free = page.locator("#picker .picker__item").first
    name = first_free.locator(".person-name").inner_text()
    first_free.get_by_role("button", name=f"Add {name}").click()
    expect(page.get_by_text(f"Added {name} as ambassador (proposed).")).to_be_visible()
    expect(page.locator("#team ~ .table-wrap").get_by_role("link", name=name)).to_be_visible()
    look("event")

    with server.session() as session:
        booked = session.exec(select(Event).where(Event.title == "Careers drop-in")).all()
    assert len(booked) == 3
    assert {to_london(e.starts_at).strftime("%H:%M") for e in booked} == {"10:00"}


def test_staff_accepts_an_assignment_and_copies_the_calendar_link(
    page: Any, server: Server, look: Look
) -> None:
    day = _day(50, weekday=1)
    event_id = _book(server, venue_name="Jobcentre Plus Darwen", title="Darwen careers morning", day=day)
    _staff_duty(server, event_id)

    sign_in(page, server.logins.staff, server.logins.password)
    expect(page.get_by_role("heading", name="My outreach")).to_be_visible()
    look("my-outreach")
    card = page.locator("li.duty", has_text="Darwen careers morning")
    card.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Thank you: you are confirmed for 'Darwen careers morning'.")).to_be_visible()

    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_role("button", name="Make my calendar link").click()
    link = page.locator("#feed-url").input_value()
    assert link.startswith(f"{server.url}/feeds/people/")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    look("calendar")
    feed = httpx.get(link, timeout=10)
    assert feed.status_code == 200
    assert "Darwen careers morning" in feed.text

    page.get_by_role("link", name="My data").click()
    look("my-data")


def test_partner_confirms_a_booking(page: Any, server: Server, look: Look) -> None:
    title = "Blackburn jobs fair stand"
    event_id = _book(server, venue_name="Jobcentre Plus Blackburn", title=title, day=_day(55, weekday=2))
    sign_in(page, server.logins.partner, server.logins.password)
    expect(page.get_by_role("heading", name="Bookings at your venues")).to_be_visible()
    look("partner-bookings")
    page.get_by_role("link", name=f"Confirm or decline {title}").click()
    look("partner-booking")
    page.get_by_label("Yes, confirm the booking").check()
    page.get_by_label("Message to the coordinator").fill("Please set up by the front windows.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text(f"Thank you. You confirmed '{title}'.")).to_be_visible()
    row = page.locator("tr", has_text=title)
    expect(row.get_by_text("You confirmed")).to_be_visible()
    with server.session() as session:
        event = session.get(Event, event_id)
        assert (event.partner_status, event.partner_message) == (
            "confirmed",
            "Please set up by the front windows.",
        )
    page.get_by_role("link", name="Edit access, parking and opening notes", exact=False).first.click()
    look("partner-venue")


def test_public_page_of_the_event_shows_it(page: Any, server: Server, look: Look) -> None:
    title = "Meet Lancashire Police in Rawtenstall"
    day = _day(30, weekday=5)
    event_id = _book(server, venue_name="Jobcentre Plus Rawtenstall", title=title, day=day)
    page.goto("/events")
    look("public-events")
    page.get_by_label("Town", exact=True).select_option("Rawtenstall")
    page.get_by_role("button", name="Show events").click()
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/events/{event_id}")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text(f"{day:%A %-d %B %Y}, 10:00 to 15:00").first).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    look("public-event")
    page.get_by_role("link", name="Jobcentre Plus Rawtenstall").first.click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    look("public-venue")

    with server.session() as session:
        events.cancel_event(session=session, actor=SYSTEM, event_id=event_id, reason="The centre is closed")
    page.goto(f"/events/{event_id}")
    expect(page.get_by_role("heading", name="This event is cancelled")).to_be_visible()
    look("public-event-cancelled")


def test_coordinator_records_pages_are_accessible(page: Any, server: Server, look: Look) -> None:
    with server.session() as session:
        venue = session.exec(select(Venue).where(Venue.name == "Jobcentre Plus Blackburn")).one()
        person = session.exec(select(Person).where(Person.name == "Imran Patel")).one()
        campaign = session.exec(select(Campaign)).first()
        network = session.exec(select(Network)).first()
        user = session.exec(select(User).where(User.email == server.logins.coordinator)).one()
    assert campaign is not None and network is not None
    visit(page, look, "login", "/login")
    sign_in(page, server.logins.admin, server.logins.password)
    for name, path, heading in [
        ("venues", "/plan/venues", None),
        ("venue", f"/plan/venues/{venue.id}", venue.name),
        ("people", "/plan/people", None),
        ("person", f"/plan/people/{person.id}", person.name),
        ("campaigns", "/plan/campaigns", None),
        ("campaign", f"/plan/campaigns/{campaign.id}", campaign.name),
        ("networks", "/plan/networks", None),
        ("network-form", f"/plan/networks/{network.id}/edit", None),
        ("users", "/admin/users", None),
        ("user", f"/admin/users/{user.id}", None),
        ("audit", "/plan/audit", None),
        ("events", "/plan/events", None),
    ]:
        visit(page, look, name, path)
        if heading:  # the record asked for, not another one
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    visit(page, look, "event-form", "/plan/events/new")
    page.get_by_label("Title", exact=True).fill("")
    page.get_by_label("Time", exact=True).fill("")
    page.get_by_role("button", name="Book the event").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    look("event-form-errors", status=400)


def test_forbidden_page_is_clear(page: Any, server: Server, look: Look) -> None:
    sign_in(page, server.logins.staff, server.logins.password)
    answer = page.goto("/plan")
    assert answer.status == 403
    expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
    look("forbidden", status=403)


def test_skip_link_is_the_first_thing_keyboard_users_reach(page: Any, server: Server) -> None:
    page.goto("/events")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_staff_can_accept_without_javascript(browser: Any, server: Server) -> None:
    day = _day(85, weekday=0)
    event_id = _book(server, venue_name="Jobcentre Plus Bacup", title="Bacup no-script test", day=day)
    _staff_duty(server, event_id)
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, server.logins.staff, server.logins.password)
        page.locator("li.duty", has_text="Bacup no-script test").get_by_role("button", name="Accept").click()
        expect(page.get_by_text("Thank you: you are confirmed for 'Bacup no-script test'.")).to_be_visible()
    finally:
        context.close()


def test_coordinator_moves_an_event_through_the_conflicts_dialog(
    page: Any, server: Server, look: Look
) -> None:
    day = _day(70, weekday=2, clear=True)
    first = _book(server, venue_name="Jobcentre Plus Accrington", title="Morning at Accrington", day=day)
    second = _book(
        server, venue_name="Jobcentre Plus Burnley", title="Burnley later", day=day + timedelta(days=1)
    )
    with server.session() as session:
        person = session.exec(select(Person).where(Person.name == "Imran Patel")).one()
    for event_id in (first, second):
        server.propose(event_id, person.id or 0)
    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto(f"/plan/events/{first}/edit")
    page.get_by_label("Date").fill((day + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Moving this event creates conflicts")).to_be_visible()
    expect(page.get_by_text("Imran Patel is already on 'Burnley later'")).to_be_visible()
    look("move-conflicts", status=409)
    page.get_by_role("button", name="Move it anyway and mark the clashes").click()
    expect(page.get_by_text("1 of the team now clash and are marked on the team list.")).to_be_visible()
    expect(page.locator("#team ~ .table-wrap").get_by_text("Clash", exact=True)).to_be_visible()
    look("event-with-clash")


def test_other_coordinator_pages_are_accessible(page: Any, server: Server, look: Look) -> None:
    event_id = _book(server, venue_name="Jobcentre Plus Nelson", title="Nelson evening", day=_day(75))
    sign_in(page, server.logins.coordinator, server.logins.password)
    for name, path in [
        ("attention", "/plan/attention"),
        ("cancel", f"/plan/events/{event_id}/cancel"),
        ("duplicate", f"/plan/events/{event_id}/duplicate"),
        ("event-edit", f"/plan/events/{event_id}/edit"),
        ("venue-form", "/plan/venues/new"),
        ("person-form", "/plan/people/new"),
        ("campaign-form", "/plan/campaigns/new"),
    ]:
        visit(page, look, name, path)


def test_staff_pages_are_accessible(page: Any, server: Server, look: Look) -> None:
    title = "Accrington careers evening"
    event_id = _book(server, venue_name="Jobcentre Plus Accrington", title=title, day=_day(80, weekday=4))
    assignment_id = _staff_duty(server, event_id)
    sign_in(page, server.logins.staff, server.logins.password)
    for name, path in [
        ("staff-home", "/my"),
        ("staff-calendar", "/my/calendar"),
        ("staff-briefing", f"/my/events/{event_id}"),
        ("staff-decline", f"/my/assignments/{assignment_id}/decline"),
        ("staff-unavailability", "/my/unavailability"),
        ("staff-data", "/my/data"),
        ("staff-notifications", "/my/notifications"),
        ("staff-account", "/account"),
    ]:
        visit(page, look, name, path)
        if path in ("/my", f"/my/events/{event_id}", f"/my/assignments/{assignment_id}/decline"):
            expect(page.get_by_text(title).first).to_be_visible()  # the duty this walk gave them
