"""The public pages, without sign-in: upcoming public events, an event, a venue; what the
public may see, and nothing more."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.service import SYSTEM
from app.clock import to_london
from app.enums import AssignmentStatus, EventStatus
from app.events import service as events
from app.venues import hours
from tests.factories import Factory, future
from tests.forms import sign_in


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


def test_public_event_page_of_a_cancelled_event_names_nobody(
    client: TestClient, make: Factory, db: Session
) -> None:
    network = make.network("Women's Network")
    event = make.event(status=EventStatus.confirmed, public=True, title="Called off")
    named = make.person("Karen Edwards")
    make.represent(named, network, public_naming=True)
    make.assign(event, named, status=AssignmentStatus.confirmed)
    assert "Karen Edwards" in client.get(f"/events/{event.id}").text
    assert event.id is not None
    events.cancel_event(session=db, actor=SYSTEM, event_id=event.id, reason="Venue flooded")
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    assert "This event is cancelled" in page.text and "Venue flooded" in page.text
    assert "Karen Edwards" not in page.text


def test_public_venue_page_gives_its_opening_hours(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue("Jobcentre Plus Nelson", opening_notes="Closed for lunch 13:00-14:00")
    week = [hours.OpenHours(day, "09:00", "17:00") for day in range(5)]
    hours.replace_week(session=db, venue_id=venue.id or 0, week=week)
    db.commit()

    page = client.get(f"/venues/{venue.id}")

    assert "Mon 09:00–17:00, Tue 09:00–17:00" in page.text and "closed Sat, Sun" in page.text
    assert "Closed for lunch 13:00-14:00" in page.text
