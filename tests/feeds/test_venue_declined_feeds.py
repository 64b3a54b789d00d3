"""Feeds when a venue declines a booking: the team's entries say so (nobody is stood
down), and the public ones drop it until the coordinator acts."""

from typing import Any

from fastapi.testclient import TestClient

from app.enums import AssignmentStatus, EventStatus, PartnerStatus
from tests.factories import Factory
from tests.feeds.conftest import read_icalendar


def test_person_feed_says_the_venue_declined(client: TestClient, make: Factory, feed_of: Any) -> None:
    person = make.person("Aisha Hussain")
    event = make.event(status=EventStatus.confirmed, public=True, title="Careers at Bacup")
    make.assign(event, person, status=AssignmentStatus.confirmed)
    path = feed_of(person)
    assert read_icalendar(client.get(path).text)[0].summary == "Careers at Bacup (ambassador)"
    make.session.refresh(event)
    event.partner_status = PartnerStatus.declined
    make.session.add(event)
    make.session.commit()
    (entry,) = read_icalendar(client.get(path).text)
    assert entry.summary == "Venue declined: Careers at Bacup (ambassador)"
    assert entry.status == "CONFIRMED"
    assert entry.description.startswith(
        "Your role: ambassador (confirmed). The venue has declined this booking: the coordinator "
        "will ask again, move or cancel it. Keep the time free until you hear."
    )


def test_venue_feed_drops_a_declined_booking(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    kept = make.event(venue=venue, status=EventStatus.confirmed, public=True)
    dropped = make.event(
        venue=venue, status=EventStatus.confirmed, public=True, partner_status=PartnerStatus.declined
    )
    uids = {e.uid for e in read_icalendar(client.get(f"/feeds/venues/{venue.id}.ics").text)}
    assert uids == {f"muster-public-event-{kept.id}@muster.test"}
    assert client.get(f"/events/{dropped.id}.ics").status_code == 404
