"""A venue's answer is part of the event's state: a declined booking is withdrawn from
public view, shown as such to the coordinator, the rosters and the partner, until the
coordinator asks again, moves or cancels it."""

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import AssignmentRole, AssignmentStatus, EventStatus, PartnerStatus
from app.events.models import Event
from app.venues.models import Venue
from tests.factories import Factory, fresh, future
from tests.forms import post, says, sign_in

NO_ROOM = "Our foyer is being refitted that week"


def _declined(client: TestClient, make: Factory, venue: Venue, **kw: object) -> Event:
    """A confirmed public event that the venue's partner declines through their portal."""
    event = make.event(venue=venue, status=EventStatus.confirmed, public=True, **kw)
    sign_in(client, make.user("partner", venues=[venue]))
    answer = post(client, f"/partner/events/{event.id}", {"answer": "declined", "message": NO_ROOM})
    assert answer.status_code == 303, answer.text
    client.cookies.clear()
    return event


def test_declined_booking_is_withdrawn_from_public_pages(client: TestClient, make: Factory) -> None:
    venue = make.venue("Jobcentre Plus Nelson", town="Nelson")
    event = _declined(client, make, venue, title="Careers in Nelson")
    page = client.get(f"/events/{event.id}")
    says(page, "This event is not going ahead as planned", "please do not travel to it", status=410)
    assert 'href="/events?town=Nelson"' in page.text
    assert "Careers in Nelson" not in client.get("/events").text
    assert "Careers in Nelson" not in client.get(f"/venues/{venue.id}").text
    assert client.get(f"/events/{event.id}.ics").status_code == 404
    assert f"event-{event.id}@" not in client.get(f"/feeds/venues/{venue.id}.ics").text
    start = f"{event.starts_at:%Y-%m-%d}"
    public_csv = client.get(f"/events.csv?start={start}&end={start}").text
    assert "Careers in Nelson" not in public_csv


def test_asking_the_venue_again_lists_the_event_again(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    event = _declined(client, make, venue)
    sign_in(client, make.user("coordinator"))
    answer = post(client, f"/plan/events/{event.id}/ask-venue")
    assert answer.status_code == 303
    row = fresh(db, Event, event.id)
    assert (row.partner_status, row.partner_message) == (PartnerStatus.pending, "")
    says(client.get(f"/plan/events/{event.id}"), "It is waiting for their answer.")
    client.cookies.clear()
    assert client.get(f"/events/{event.id}").status_code == 200
    assert f"event-{event.id}@" in client.get(f"/feeds/venues/{venue.id}.ics").text


def test_asking_again_when_the_venue_did_not_decline_is_refused(client: TestClient, make: Factory) -> None:
    event = make.event(status=EventStatus.confirmed)
    sign_in(client, make.user("coordinator"))
    answer = post(client, f"/plan/events/{event.id}/ask-venue")
    assert answer.status_code == 303
    says(client.get(f"/plan/events/{event.id}"), "The venue has not declined event")


def test_moving_a_declined_event_asks_the_venue_afresh(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue()
    event = _declined(client, make, venue)
    make.move_event(event, timedelta(days=1))
    row = fresh(db, Event, event.id)
    assert (row.partner_status, row.partner_message) == (PartnerStatus.pending, "")
    assert client.get(f"/events/{event.id}").status_code == 200


def test_moving_a_confirmed_booking_asks_the_venue_afresh(make: Factory, db: Session) -> None:
    event = make.event(status=EventStatus.confirmed, partner_status=PartnerStatus.confirmed)
    make.change_event(event, title="Renamed only")
    assert fresh(db, Event, event.id).partner_status == PartnerStatus.confirmed
    make.move_event(event, timedelta(hours=2))
    assert fresh(db, Event, event.id).partner_status == PartnerStatus.pending


def test_cancelled_declined_event_says_cancelled_publicly(client: TestClient, make: Factory) -> None:
    event = _declined(client, make, make.venue())
    sign_in(client, make.user("coordinator"))
    assert post(client, f"/plan/events/{event.id}/cancel", {"reason": "No room"}).status_code == 303
    client.cookies.clear()
    says(client.get(f"/events/{event.id}"), "This event is cancelled")


def test_event_page_shows_the_decline_with_three_actions(client: TestClient, make: Factory) -> None:
    event = _declined(client, make, make.venue())
    sign_in(client, make.user("coordinator"))
    says(
        client.get(f"/plan/events/{event.id}"),
        f"The venue declined: “{NO_ROOM}”",
        f'action="/plan/events/{event.id}/ask-venue"',
        ">Ask the venue again</button>",
        f'href="/plan/events/{event.id}/edit">Move to another time or venue</a>',
        f'href="/plan/events/{event.id}/cancel">Cancel the event</a>',
        "Withdrawn while the venue has declined",
    )


def test_dashboard_raises_a_declined_booking_months_ahead(client: TestClient, make: Factory) -> None:
    event = _declined(client, make, make.venue(), starts_at=future(90), title="Spring careers fair")
    sign_in(client, make.user("coordinator"))
    attention = client.get("/plan").text.split('id="attention"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/plan/events/{event.id}">Spring careers fair</a>' in attention
    assert "The venue declined the booking" in attention
    says(client.get("/plan/attention"), "Spring careers fair")
    day = f"{event.starts_at:%Y-%m-%d}"
    says(client.get(f"/plan?view=week&d={day}"), '<strong class="cal-event__detail">Venue declined</strong>')


def test_rosters_print_venue_declined_beside_the_status(client: TestClient, make: Factory) -> None:
    event = _declined(client, make, make.venue(), title="Declined day")
    make.event(status=EventStatus.confirmed, starts_at=event.starts_at + timedelta(hours=1), title="Fine day")
    sign_in(client, make.user("coordinator"))
    day = f"{event.starts_at:%Y-%m-%d}"
    says(client.get(f"/rosters?start={day}&end={day}"), '<strong class="status">Venue declined</strong>')
    rows = list(csv.DictReader(io.StringIO(client.get(f"/rosters.csv?start={day}&end={day}").text)))
    statuses = {row["event"]: row["status"] for row in rows}
    assert statuses == {"Declined day": "Confirmed · Venue declined", "Fine day": "Confirmed"}
    listed = list(csv.DictReader(io.StringIO(client.get(f"/events.csv?start={day}&end={day}").text)))
    assert {row["event"]: (row["status"], row["public_page"]) for row in listed}["Declined day"] == (
        "Confirmed · Venue declined",
        "",
    )


def test_partner_sees_their_answer_and_who_is_coming(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    event = _declined(client, make, venue)
    network = make.network("Black Police Association")
    lead = make.person("Karen Edwards", phone="07700 900123", email="karen@police.example")
    make.represent(lead, network, public_naming=True)
    make.assign(event, lead, role=AssignmentRole.lead, status=AssignmentStatus.confirmed)
    make.assign(event, make.person("Omar Shah"), status=AssignmentStatus.proposed)
    gone = make.assign(event, make.person("Gone Person"))
    gone.status = AssignmentStatus.declined
    db.add(gone)
    db.commit()
    sign_in(client, make.user("partner", venues=[venue]))
    page = client.get(f"/partner/events/{event.id}")
    says(
        page,
        "You declined this booking",
        f"Your message: “{NO_ROOM}”",
        "<li>Karen Edwards (lead)</li>",
        "<li>Omar Shah (ambassador, not yet confirmed)</li>",
        "Withdrawn while you have declined it",
    )
    for private in ("Black Police Association", "07700 900123", "karen@police.example", "Gone Person"):
        assert private not in page.text
