"""The venue partner's portal: bookings at their venues, their answers, their venue notes;
what a partner may see, and nothing more."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clock import utcnow
from app.enums import AssignmentStatus, PartnerStatus
from app.events.models import Event
from app.venues import hours
from app.venues.models import Venue
from tests.factories import Factory, fresh
from tests.forms import form_errors, post, says, sign_in


def test_partner_sees_only_their_venues_bookings(client: TestClient, make: Factory) -> None:
    mine = make.venue("Asda Grimshaw Park")
    other = make.venue("Burnley College")
    booked = make.event(venue=mine, title="Asda special constables")
    hidden = make.event(venue=other, title="College careers day")
    sign_in(client, make.user("partner", venues=[mine]))
    page = client.get("/partner")
    assert f'href="/partner/events/{booked.id}">Asda special constables</a>' in page.text
    assert "College careers day" not in page.text
    assert client.get(f"/partner/events/{hidden.id}").status_code == 404


def test_partner_confirms_a_booking_with_a_message(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    event = make.event(venue=venue)
    sign_in(client, make.user("partner", venues=[venue]))
    answer = post(
        client, f"/partner/events/{event.id}", {"answer": "confirmed", "message": "Stand by the tills"}
    )
    assert answer.status_code == 303
    row = fresh(db, Event, event.id)
    assert (row.partner_status, row.partner_message) == (PartnerStatus.confirmed, "Stand by the tills")


def test_partner_decline_needs_a_message(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    event = make.event(venue=venue)
    sign_in(client, make.user("partner", venues=[venue]))
    answer = post(client, f"/partner/events/{event.id}", {"answer": "declined", "message": ""})
    assert form_errors(answer) == {"message": "Tell the coordinator why, or suggest another date"}
    assert fresh(db, Event, event.id).partner_status == PartnerStatus.pending


def test_partner_booking_page_hides_team_networks_and_internal_notes(
    client: TestClient, make: Factory
) -> None:
    venue = make.venue()
    network = make.network("LGBT+ Network")
    event = make.event(venue=venue, internal_notes="Sergeant's private note")
    person = make.person("Private Person")
    make.represent(person, network, public_naming=False)
    make.assign(event, person, status=AssignmentStatus.confirmed)
    sign_in(client, make.user("partner", venues=[venue]))
    for path in ("/partner", f"/partner/events/{event.id}"):
        text = client.get(path).text
        assert "LGBT+ Network" not in text
        assert "Sergeant&#39;s private note" not in text
    # Since issue 16 the booking page names who is coming, with their role and nothing else.
    assert "<li>Private Person (ambassador)</li>" in client.get(f"/partner/events/{event.id}").text


def test_partner_edits_only_the_venue_notes(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue(name="Jobcentre Plus Nelson")
    sign_in(client, make.user("partner", venues=[venue]))
    answer = post(
        client,
        f"/partner/venues/{venue.id}",
        {
            "accessibility_notes": "Ramp at the side door",
            "parking_notes": "",
            "opening_notes": "9 to 5",
            "name": "Renamed",
        },
    )
    assert answer.status_code == 303
    row = fresh(db, Venue, venue.id)
    assert (row.name, row.accessibility_notes, row.opening_notes) == (
        "Jobcentre Plus Nelson",
        "Ramp at the side door",
        "9 to 5",
    )


def test_partner_cannot_edit_another_venue(client: TestClient, make: Factory) -> None:
    other = make.venue()
    sign_in(client, make.user("partner"))
    assert client.get(f"/partner/venues/{other.id}").status_code == 404


def test_partner_sees_past_bookings_newest_first_and_running_ones_as_upcoming(
    client: TestClient, make: Factory
) -> None:
    venue = make.venue()
    now = utcnow()
    for days, title in ((40, "Spring fair"), (10, "Summer fair"), (20, "May fair")):
        make.event(venue=venue, title=title, starts_at=now - timedelta(days=days), hours=3)
    make.event(venue=venue, title="Running now", starts_at=now - timedelta(hours=1), hours=3)
    sign_in(client, make.user("partner", venues=[venue]))
    page = client.get("/partner").text
    past = page.split('id="past-title"')[1]
    assert [past.index(t) for t in ("Summer fair", "May fair", "Spring fair")] == sorted(
        past.index(t) for t in ("Summer fair", "May fair", "Spring fair")
    )
    assert "Running now" not in past and "Running now" in page.split('id="past-title"')[0]


def test_partner_sees_how_an_event_went_with_small_counts_hidden(
    client: TestClient, make: Factory, db: Session
) -> None:
    from tests.outcomes.conftest import body, run_event

    ran = run_event(make)
    recorded = client.put(
        f"/api/v1/events/{ran.event.id}/outcome",
        json=body(ran, people_spoken_to=42, interest_on_paper=3),
        headers=make.headers("coordinator"),
    )
    assert recorded.status_code == 200, recorded.text
    sign_in(client, make.user("partner", venues=[ran.venue]))

    page = client.get(f"/partner/events/{ran.event.id}")

    says(
        page,
        "How it went",
        'People the team spoke to</dt><dd class="summary-list__value">42</dd>',
        # Three on paper: someone could be recognised, so it reads as it would in a report.
        'Expressions of interest on paper</dt><dd class="summary-list__value">fewer than 5</dd>',
    )
    assert "The stand by the entrance" not in page.text  # the team's note is not the venue's
    assert "Called in sick" not in page.text


def test_partner_keeps_their_venues_opening_hours(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue(name="Jobcentre Plus Nelson")
    sign_in(client, make.user("partner", venues=[venue]))
    notes = {"accessibility_notes": "", "parking_notes": "", "opening_notes": "Closed for lunch 13:00-14:00"}

    refused = post(client, f"/partner/venues/{venue.id}", {**notes, "opens_0": "09:00"})
    saved = post(
        client,
        f"/partner/venues/{venue.id}",
        {**notes, "opens_0": "09:00", "closes_0": "17:00", "opens_4": "09:00", "closes_4": "16:00"},
    )

    assert form_errors(refused) == {"closes_0": "Enter Monday's closing time"}
    assert saved.status_code == 303
    week = [(d.weekday, d.opens, d.closes) for d in hours.week_of(session=db, venue_id=venue.id or 0)]
    assert week == [(0, "09:00", "17:00"), (4, "09:00", "16:00")]
    says(client.get(f"/partner/venues/{venue.id}"), 'value="16:00"')
