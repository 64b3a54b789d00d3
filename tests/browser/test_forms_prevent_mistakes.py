"""Issue 16, forms that prevent mistakes, in a real browser: bulk booking starts with no
campaign and a weekday and ticks every job centre at once; the picker puts the wanted
language's speaker first with its reasons shown; an officer's duty page says how to reach
the coordinator and the event lead. Each page is scanned with axe and photographed."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.accounts.models import User
from app.audit.service import SYSTEM
from app.booking import service as booking
from app.enums import AssignmentRole, AssignmentStatus, PersonKind, VenueKind
from app.events import service as events
from app.people import service as people
from app.venues.models import Venue
from tests.browser.conftest import Server, sign_in
from tests.browser.test_journeys import _book, _day

pytestmark = pytest.mark.browser

Look = Callable[..., None]


def _event(server: Server, *, title: str, venue_name: str, day: date, **changes: Any) -> int:
    """An event booked as the other journeys book theirs, then given these ``changes``."""
    event_id = _book(server, venue_name=venue_name, title=title, day=day)
    with server.session() as session:
        events.update_event(session=session, actor=SYSTEM, event_id=event_id, changes=changes)
    return event_id


def test_bulk_booking_starts_blank_and_ticks_every_job_centre(page: Any, server: Server, look: Look) -> None:
    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto("/plan/book")

    expect(page.get_by_label("Campaign")).to_have_value("")
    chosen = date.fromisoformat(page.get_by_label("Date").input_value())
    assert chosen.weekday() < 5, chosen
    look("i16-bulk-booking-start")

    with server.session() as session:
        centres = session.exec(
            select(Venue).where(Venue.kind == VenueKind.job_centre, Venue.active == True)  # noqa: E712
        ).all()
    link = page.get_by_role("link", name=f"All job centres ({len(centres)})")
    address = page.url
    link.click()
    assert page.url == address  # ticked in place by the script, nothing typed is lost
    for venue in centres:
        expect(page.get_by_label(f"{venue.name} (", exact=False)).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="Ticked")).to_have_text(
        f"Ticked {len(centres)} venues: All job centres."
    )
    look("i16-bulk-booking-job-centres")

    page.get_by_role("button", name="Book at the ticked venues").click()
    expect(page.get_by_role("link", name="Select a campaign")).to_be_visible()
    for venue in centres:
        expect(page.get_by_label(f"{venue.name} (", exact=False)).to_be_checked()
    look("i16-bulk-booking-needs-campaign", status=400)


def test_picker_ranks_the_language_speaker_first_with_reasons(page: Any, server: Server, look: Look) -> None:
    event_id = _event(
        server,
        title="Urdu speakers' evening",
        venue_name="Jobcentre Plus Burnley",
        day=_day(95, weekday=2),
        wanted_languages=["Urdu"],
        ambassadors_needed=1,
        recruiters_needed=0,
    )
    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto(f"/plan/events/{event_id}")

    expect(page.get_by_label("Order")).to_have_value("best")
    free = page.locator("#picker .picker").first.locator(".picker__item")
    first = free.first
    expect(first.locator(".picker__reasons li").first).to_have_text(
        "Speaks Urdu, which the event wants and nobody on the team speaks yet"
    )
    for index in range(min(free.count(), 5)):
        expect(free.nth(index).locator(".picker__reasons li").first).to_be_visible()
    first.scroll_into_view_if_needed()
    look("i16-picker-best-match")

    page.get_by_label("Order").select_option("near")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Order")).to_have_value("near")
    expect(page.locator("#picker .picker__reasons").first).to_be_visible()
    look("i16-picker-nearest")


def test_officer_duty_page_shows_the_coordinator_and_the_lead(page: Any, server: Server, look: Look) -> None:
    with server.session() as session:
        sergeant = session.exec(select(User).where(User.email == server.logins.coordinator)).one()
    event_id = _event(
        server,
        title="Nelson evening stall",
        venue_name="Jobcentre Plus Nelson",
        day=_day(100, weekday=3),
        coordinator_user_id=sergeant.id,
    )
    with server.session() as session:
        lead = people.create_person(
            session=session,
            actor=SYSTEM,
            data={
                "name": "Insp Jo Lead",
                "staff_number": "LEAD9001",
                "kind": PersonKind.police_officer,
                "base_town": "Nelson",
                "email": "jo.lead@police.example",
                "phone": "07700 900123",
                "monthly_limit": 4,
            },
        )
        booking.assign(
            session=session,
            actor=SYSTEM,
            event_id=event_id,
            person_id=lead.id or 0,
            role=AssignmentRole.lead,
            status=AssignmentStatus.confirmed,
        )
        staff = session.exec(select(User).where(User.email == server.logins.staff)).one()
    server.propose(event_id, staff.person_id or 0)

    sign_in(page, server.logins.staff, server.logins.password)
    page.goto(f"/my/events/{event_id}")

    contacts = page.locator("section", has=page.get_by_role("heading", name="Who to contact"))
    expect(contacts.get_by_text("Sgt Karen Whitworth (recruitment)")).to_be_visible()
    expect(contacts.get_by_text("Insp Jo Lead")).to_be_visible()
    expect(contacts.get_by_role("link", name="jo.lead@police.example")).to_have_attribute(
        "href", "mailto:jo.lead@police.example"
    )
    expect(contacts.get_by_role("link", name="07700 900123")).to_have_attribute("href", "tel:07700900123")
    look("i16-duty-contacts")
