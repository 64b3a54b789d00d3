"""Issue 18's "done when", in a real browser: booking the demo's seven job centres on a bank
holiday warns in plain words, venue by venue, before anything is booked; the sergeant books
anyway, and each booking's acknowledgement is in the audit trail. The planner's calendar
bands the holiday across the day, with a key."""

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from app.audit.models import AuditEntry
from app.clock import to_london
from app.enums import VenueKind
from app.events.models import Event
from app.planning.dates import calendar_dates
from app.venues.models import Venue
from tests.browser.conftest import ROOT, Server, sign_in
from tests.browser.test_journeys import Look
from tests.dates import today
from tests.events.test_planning_warnings import bank_holiday, holiday_words

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts"


def test_bulk_booking_job_centres_on_a_bank_holiday_warns_then_books_anyway(
    page: Any, server: Server, look: Look
) -> None:
    day, name = bank_holiday()
    with server.session() as session:
        centres = session.exec(
            select(Venue).where(Venue.kind == VenueKind.job_centre, col(Venue.active).is_(True))
        ).all()
    sign_in(page, server.logins.coordinator, server.logins.password)

    page.goto(f"/plan/book?date={day.isoformat()}")
    page.get_by_label("Campaign").select_option(index=1)
    page.get_by_role("link", name=f"All job centres ({len(centres)})").click()
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Ends at").fill("16:00")
    page.get_by_role("button", name="Book at the ticked venues").click()

    # Nothing is booked yet: the warnings, in words, under each venue's name.
    panel = page.get_by_role("region", name="before you book")
    expect(panel).to_be_visible()
    for venue in centres:
        item = panel.locator(".planning-warnings__venues > li", has_text=venue.name)
        expect(item).to_contain_text(holiday_words(day, name))
    with server.session() as session:
        assert (
            session.exec(select(Event).where(col(Event.title).startswith("Police recruitment at"))).all()
            == []
        )
    for venue in centres:  # what was ticked and typed is kept
        expect(page.get_by_label(f"{venue.name} (", exact=False)).to_be_checked()
    look("bulk-booking-warnings", status=409)
    page.set_viewport_size({"width": 1280, "height": 860})
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "bulk-booking-warnings.png"), full_page=True)

    # The sergeant books anyway.
    page.get_by_label("Book anyway: I have read these warnings").check()
    page.get_by_role("button", name="Book at the ticked venues").click()
    expect(
        page.get_by_role("heading", name=f"Booked at {len(centres)} of {len(centres)} venues")
    ).to_be_visible()
    expect(page.locator(".booking-report").get_by_text("Booked despite").first).to_be_visible()
    look("bulk-booking-booked-anyway")

    with server.session() as session:
        booked = session.exec(select(Event).where(col(Event.title).startswith("Police recruitment at"))).all()
        assert len(booked) == len(centres)
        assert {to_london(e.starts_at).date() for e in booked} == {day}
        notes = session.exec(
            select(AuditEntry).where(
                AuditEntry.record_type == "event",
                col(AuditEntry.record_id).in_([e.id for e in booked]),
                AuditEntry.action == "acknowledge",
            )
        ).all()
    assert len(notes) == len(centres)
    assert all(holiday_words(day, name) in n.summary and n.actor_label != "system" for n in notes)

    # The planner's calendar: the holiday as a band across its day, and the key says what it is.
    page.goto(f"/plan?view=month&d={day.isoformat()}")
    band = page.locator(".cal-band__item--bank_holiday").first
    expect(band).to_contain_text(name)
    expect(page.get_by_role("list", name="Key")).to_contain_text(
        "Bank holiday: job centres and many venues are closed"
    )
    look("planning-calendar-band")
    _photograph_calendar(page, "planning-calendar-band.png")


def test_calendar_bands_a_month_long_expected_date_with_its_key(
    page: Any, server: Server, look: Look
) -> None:
    ramadan = next(d for d in calendar_dates(today(), today() + timedelta(days=400)) if d.name == "Ramadan")
    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto(f"/plan?view=month&d={ramadan.starts_on.isoformat()}")
    bands = page.locator(".cal-band__item--expected", has_text="Ramadan")
    first_shown = ramadan.starts_on.day
    last_in_month = (ramadan.starts_on.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    expect(bands).to_have_count(
        min(ramadan.ends_on, last_in_month).day - first_shown + 1 + _spill(ramadan.ends_on, last_in_month)
    )
    expect(bands.first).to_contain_text("Ramadan (expected, ±1 day)")
    expect(page.get_by_role("list", name="Key")).to_contain_text(
        "Expected date: waits on the moon being sighted"
    )
    look("planning-calendar-ramadan")
    _photograph_calendar(page, "planning-calendar-ramadan.png")


def _spill(ends_on: date, last_in_month: date) -> int:
    """Days of the next month the month's grid still shows (up to its last Sunday)."""
    grid_end = last_in_month + timedelta(days=6 - last_in_month.weekday())
    return max(0, (min(ends_on, grid_end) - last_in_month).days)


def _photograph_calendar(page: Any, name: str) -> None:
    """The calendar with its heading and key, at desktop width."""
    top = page.locator("#cal-heading").bounding_box()
    bottom = page.locator("table.calendar").bounding_box()
    clip = {
        "x": 0,
        "y": top["y"] - 8,
        "width": 1280,
        "height": bottom["y"] + bottom["height"] - top["y"] + 16,
    }
    page.screenshot(path=str(ARTIFACTS / name), clip=clip, full_page=True)
