"""The partner portal and the public pages: what each may see, and nothing more."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import AssignmentStatus, EventStatus, PartnerStatus
from app.events.models import Event
from app.venues.models import Venue
from tests.factories import Factory, future
from tests.pages.conftest import post, sign_in


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
    db.expire_all()
    row = db.get(Event, event.id)
    assert (row.partner_status, row.partner_message) == (PartnerStatus.confirmed, "Stand by the tills")


def test_partner_decline_needs_a_message(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    event = make.event(venue=venue)
    sign_in(client, make.user("partner", venues=[venue]))
    answer = post(client, f"/partner/events/{event.id}", {"answer": "declined", "message": ""})
    assert answer.status_code == 400
    assert '<a href="#message">Tell the coordinator why, or suggest another date</a>' in answer.text
    db.expire_all()
    assert db.get(Event, event.id).partner_status == PartnerStatus.pending


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
        assert "Private Person" not in text
        assert "Sergeant&#39;s private note" not in text


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
    db.expire_all()
    row = db.get(Venue, venue.id)
    assert (row.name, row.accessibility_notes, row.opening_notes) == (
        "Jobcentre Plus Nelson",
        "Ramp at the side door",
        "9 to 5",
    )


def test_partner_cannot_edit_another_venue(client: TestClient, make: Factory) -> None:
    other = make.venue()
    sign_in(client, make.user("partner"))
    assert client.get(f"/partner/venues/{other.id}").status_code == 404


def test_public_event_page_shows_when_where_and_calendar_links(client: TestClient, make: Factory) -> None:
    venue = make.venue("Jobcentre Plus Burnley", town="Burnley", accessibility_notes="Step-free entrance")
    campaign = make.campaign(roles_recruited=["Police constable", "PCSO"])
    event = make.event(
        venue=venue,
        campaign=campaign,
        status=EventStatus.confirmed,
        public=True,
        starts_at=future(9, hour=10),
        hours=7,
        title="Meet the police",
    )
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    from app.clock import to_london

    start = to_london(event.starts_at)
    assert f"{start:%A %-d %B %Y}, {start:%H:%M} to" in page.text
    assert "Step-free entrance" in page.text
    assert "Police constable, PCSO" in page.text
    assert f'href="/events/{event.id}.ics"' in page.text
    assert f'href="/feeds/venues/{venue.id}.ics"' in page.text


def test_public_event_page_hides_drafts_and_private_events(client: TestClient, make: Factory) -> None:
    draft = make.event(public=True)
    private = make.event(public=False, status=EventStatus.confirmed)
    assert client.get(f"/events/{draft.id}").status_code == 404
    assert client.get(f"/events/{private.id}").status_code == 404


def test_public_event_names_only_consenting_team_members(client: TestClient, make: Factory) -> None:
    network = make.network("Women's Network")
    secret = make.network("Disability Network")
    event = make.event(status=EventStatus.confirmed, public=True)
    named = make.person("Karen Edwards", rank_or_title="Sergeant")
    quiet = make.person("Quiet Person")
    make.represent(named, network, public_naming=True)
    make.represent(named, secret, public_naming=False)
    make.represent(quiet, network, public_naming=False)
    make.assign(event, named, status=AssignmentStatus.confirmed)
    make.assign(event, quiet, status=AssignmentStatus.confirmed)
    page = client.get(f"/events/{event.id}")
    assert "<li>Sergeant Karen Edwards, representing the Women&#39;s Network</li>" in page.text
    assert "Quiet Person" not in page.text
    assert "Disability Network" not in page.text


def test_public_events_list_filters_by_town(client: TestClient, make: Factory) -> None:
    nelson = make.event(
        venue=make.venue(town="Nelson"), status=EventStatus.confirmed, public=True, title="Nelson day"
    )
    darwen = make.event(
        venue=make.venue(town="Darwen"), status=EventStatus.confirmed, public=True, title="Darwen day"
    )
    make.event(venue=make.venue(town="Bacup"), public=True, title="Draft day")
    page = client.get("/events?town=Nelson")
    assert f'href="/events/{nelson.id}">Nelson day</a>' in page.text
    assert "Darwen day" not in page.text
    everything = client.get("/events").text
    assert "Darwen day" in everything and "Draft day" not in everything
    assert '<option value="Darwen">Darwen</option>' in everything
    assert '<option value="Bacup">' not in everything
    assert darwen.id


def test_public_venue_page_lists_its_upcoming_public_events(client: TestClient, make: Factory) -> None:
    venue = make.venue("Nelson Central Mosque", contact_phone="01282 000000")
    event = make.event(venue=venue, status=EventStatus.confirmed, public=True, title="Open afternoon")
    page = client.get(f"/venues/{venue.id}")
    assert f'href="/events/{event.id}">Open afternoon</a>' in page.text
    assert "01282 000000" not in page.text


def test_home_sends_each_role_to_its_start_page(client: TestClient, make: Factory) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/events"
    sign_in(client, make.user("partner"))
    assert client.get("/", follow_redirects=False).headers["location"] == "/partner"
