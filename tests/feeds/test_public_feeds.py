"""The venue feed and a single event's .ics: public text only, no login."""

from datetime import UTC, timedelta

import icalendar
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from app.clock import utcnow
from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.events.models import Event
from tests.dates import london, summer_day
from tests.factories import Factory
from tests.feeds.conftest import location_of, read_both, rows_seen, with_venues

JULY = london(summer_day(), 10)


def public_event(make: Factory, **kw: object) -> Event:
    data: dict[str, object] = {"starts_at": JULY, "status": EventStatus.confirmed, "public": True, **kw}
    return make.event(**data)  # type: ignore[arg-type]


def test_venue_feed_lists_confirmed_public_events_matching_the_database(
    client: TestClient, make: Factory, db: Session
):
    venue = make.venue("Blackburn Library", address="Town Hall Street", postcode="BB2 1AG")
    shown = [
        public_event(make, venue=venue, title="Careers drop-in"),
        public_event(make, venue=venue, title="Specials open evening", starts_at=JULY + timedelta(days=30)),
    ]
    public_event(make, venue=venue, title="Draft", status=EventStatus.draft)
    public_event(make, venue=venue, title="Not public", public=False)
    public_event(make, title="Elsewhere")

    response = client.get(f"/feeds/venues/{venue.id}.ics")

    assert response.status_code == 200
    expected = sorted(
        (
            f"muster-public-event-{e.id}@muster.test",
            e.title,
            e.starts_at,
            e.ends_at,
            "CONFIRMED",
            location_of(v),
        )
        for e, v in with_venues(db, shown)
    )
    seen = rows_seen(response.text)
    assert seen == expected
    assert len(seen) == 2


def test_venue_feed_needs_no_login_and_may_be_cached_publicly(client: TestClient, make: Factory):
    venue = make.venue()
    public_event(make, venue=venue)

    response = client.get(f"/feeds/venues/{venue.id}.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "public, no-cache"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "x-robots-tag" not in response.headers
    assert f"SOURCE;VALUE=URI:https://muster.test/feeds/venues/{venue.id}.ics\r\n" in response.text


def test_venue_feed_names_only_consenting_confirmed_staff_and_no_network(client: TestClient, make: Factory):
    network = make.network("Black Police Association")
    venue = make.venue()
    event = public_event(make, venue=venue)
    named = make.person("Amira Khan")
    make.represent(named, network, public_naming=True)
    not_consenting = make.person("Private Person")
    make.represent(not_consenting, network, public_naming=False)
    no_network = make.person("Plain Recruiter")
    proposed = make.person("Not Yet Confirmed")
    make.represent(proposed, network, public_naming=True)
    make.assign(event, named, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(event, not_consenting, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(event, no_network, AssignmentRole.recruiter, AssignmentStatus.confirmed)
    make.assign(event, proposed, AssignmentRole.ambassador, AssignmentStatus.proposed)

    body = client.get(f"/feeds/venues/{venue.id}.ics").text

    description = read_both(body)[0].description
    assert "Meet: Amira Khan" in description.split("\n")
    for hidden in ("Private Person", "Plain Recruiter", "Not Yet Confirmed", "Black Police Association"):
        assert hidden not in body


def test_venue_feed_shows_no_internal_notes_or_phone_numbers(client: TestClient, make: Factory):
    venue = make.venue(contact_phone="01254 999888", contact_name="Manager Mo", parking_notes="Key code 4321")
    coordinator = make.user("coordinator", person=make.person("Coord", phone="07700 900999"))
    event = public_event(
        make,
        venue=venue,
        internal_notes="Sensitive: targeting Bacup mosque attendees",
        what_to_bring="Internal kit list",
        public_description="Come and meet us, ask anything.",
        coordinator_user_id=coordinator.id,
    )
    make.assign(event, make.person("Staff Member", phone="07700 900111"), status=AssignmentStatus.confirmed)

    body = client.get(f"/feeds/venues/{venue.id}.ics").text + client.get(f"/events/{event.id}.ics").text

    for secret in (
        "Sensitive",
        "Internal kit list",
        "01254 999888",
        "07700 900999",
        "07700 900111",
        "Manager Mo",
        "Key code",
        "Staff Member",
        "Coord",
        coordinator.email,
    ):
        assert secret not in body
    assert "Come and meet us\\, ask anything." in body


def test_venue_feed_keeps_a_recently_cancelled_public_event_as_cancelled(
    client: TestClient, make: Factory, db: Session
):
    coordinator = make.headers("coordinator")
    venue = make.venue()
    recent = public_event(make, venue=venue, title="Called off")
    old = public_event(make, venue=venue, title="Called off long ago", starts_at=JULY + timedelta(days=1))
    client.post(
        f"/api/v1/events/{recent.id}/cancel", json={"reason": "internal: low staffing"}, headers=coordinator
    )
    client.post(f"/api/v1/events/{old.id}/cancel", json={"reason": ""}, headers=coordinator)
    db.execute(
        sa.update(Event).where(col(Event.id) == old.id).values(updated_at=utcnow() - timedelta(days=31))
    )
    db.commit()

    body = client.get(f"/feeds/venues/{venue.id}.ics").text

    seen = read_both(body)
    assert [(s.summary, s.status) for s in seen] == [("Cancelled: Called off", "CANCELLED")]
    assert seen[0].description.startswith("This event has been cancelled.\n")
    assert "low staffing" not in body


def test_venue_feed_unknown_or_malformed_venue_is_404(client: TestClient, make: Factory):
    answers = [
        client.get(path)
        for path in (
            "/feeds/venues/999.ics",
            "/feeds/venues/abc.ics",
            "/feeds/venues/0.ics",
            "/feeds/venues/-1.ics",
            "/feeds/venues/99999999999999999999.ics",
            "/feeds/venues/١٢.ics",
        )
    ]

    assert [a.status_code for a in answers] == [404] * 6


def test_event_ics_is_an_add_to_calendar_download(client: TestClient, make: Factory, db: Session):
    venue = make.venue("Asda Grimshaw Park", latitude=53.7401, longitude=-2.4752)
    event = public_event(
        make, venue=venue, title="Specials: ask us anything", public_description="Free entry"
    )

    response = client.get(f"/events/{event.id}.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="event-{event.id}.ics"'
    seen = read_both(response.text)
    assert [(s.uid, s.summary, s.starts_at, s.ends_at, s.status) for s in seen] == [
        (
            f"muster-public-event-{event.id}@muster.test",
            event.title,
            event.starts_at,
            event.ends_at,
            "CONFIRMED",
        )
    ]
    assert seen[0].description.split("\n") == [
        "Free entry",
        "Where: Asda Grimshaw Park, 1 High Street, Blackburn, BB1 1AA",
        f"More: https://muster.test/events/{event.id}",
    ]
    parsed = icalendar.Calendar.from_ical(response.text).walk("VEVENT")[0]
    assert str(parsed["CLASS"]) == "PUBLIC"
    assert (parsed["GEO"].latitude, parsed["GEO"].longitude) == (53.7401, -2.4752)


def test_event_ics_of_draft_or_private_event_is_404(client: TestClient, make: Factory):
    draft = public_event(make, status=EventStatus.draft)
    private = public_event(make, public=False)

    assert client.get(f"/events/{draft.id}.ics").status_code == 404
    assert client.get(f"/events/{private.id}.ics").status_code == 404
    assert client.get("/events/999.ics").status_code == 404
    assert client.get("/events/abc.ics").status_code == 404


def test_event_ics_of_cancelled_public_event_says_cancelled(client: TestClient, make: Factory):
    event = public_event(make)
    client.post(
        f"/api/v1/events/{event.id}/cancel", json={"reason": "x"}, headers=make.headers("coordinator")
    )

    seen = read_both(client.get(f"/events/{event.id}.ics").text)

    assert [(s.summary, s.status) for s in seen] == [(f"Cancelled: {event.title}", "CANCELLED")]


def test_event_ics_sequence_follows_event_revision(client: TestClient, make: Factory, db: Session):
    event = public_event(make)
    client.patch(
        f"/api/v1/events/{event.id}",
        json={"starts_at": f"{summer_day()}T12:00:00+01:00", "ends_at": f"{summer_day()}T18:00:00+01:00"},
        headers=make.headers("coordinator"),
    )

    parsed = icalendar.Calendar.from_ical(client.get(f"/events/{event.id}.ics").text).walk("VEVENT")[0]

    db.refresh(event)
    assert parsed["SEQUENCE"] == event.revision == 1
    assert parsed["DTSTART"].dt.astimezone(UTC) == JULY + timedelta(hours=2)
