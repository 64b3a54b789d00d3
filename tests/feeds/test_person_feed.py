"""The personal feed: a person's duties, as both parsers read them, against the database."""

from datetime import UTC, timedelta

import icalendar
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from app.assignments.models import Assignment
from app.clock import utcnow
from app.config import get_settings
from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.events.models import Event
from app.venues.models import Venue
from tests.dates import london, summer_day, winter_day
from tests.factories import Factory
from tests.feeds.conftest import location_of, read_both, rows_seen

JULY = london(summer_day(), 10)  # 09:00 UTC (BST)
JANUARY = london(winter_day(), 10)  # 10:00 UTC (GMT)


def vevent(body: str, uid_event_id: int) -> icalendar.Event:
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return next(e for e in events if str(e["UID"]).startswith(f"muster-duty-event-{uid_event_id}@"))


def test_person_feed_matches_database_in_both_parsers(
    client: TestClient, make: Factory, feed_of, db: Session
):
    person = make.person("PC Amira Khan")
    venue = make.venue(
        "Jobcentre Plus, Accrington", address="Union Street", town="Accrington", postcode="BB5 1AA"
    )
    summer = make.event(venue=venue, starts_at=JULY, title="Jobs fair", status=EventStatus.confirmed)
    winter = make.event(starts_at=JANUARY, title="Careers evening", status=EventStatus.confirmed)
    make.assign(summer, person, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(winter, person, AssignmentRole.lead, AssignmentStatus.proposed)
    make.assign(make.event(starts_at=JULY + timedelta(days=1), title="Not mine"), make.person())

    response = client.get(feed_of(person))

    assert response.status_code == 200
    rows = db.execute(
        sa.select(Event, Venue, Assignment)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .join(Assignment, col(Assignment.event_id) == Event.id)
        .where(Assignment.person_id == person.id)
    ).all()
    expected = sorted(
        (
            f"muster-duty-event-{event.id}@muster.test",
            f"{event.title} ({assignment.role}" + (", proposed)" if assignment.status == "proposed" else ")"),
            event.starts_at,
            event.ends_at,
            "TENTATIVE" if assignment.status == "proposed" else "CONFIRMED",
            location_of(v),
        )
        for event, v, assignment in rows
    )
    seen = rows_seen(response.text)
    assert seen == expected
    assert len(seen) == 2


def test_person_feed_writes_london_wall_clock_times(client: TestClient, make: Factory, feed_of):
    person = make.person()
    make.assign(make.event(starts_at=JULY, hours=7), person)
    make.assign(make.event(starts_at=JANUARY, hours=7), person)

    body = client.get(feed_of(person)).text

    july, january = f"{summer_day():%Y%m%d}", f"{winter_day():%Y%m%d}"
    assert f"DTSTART;TZID=Europe/London:{july}T100000\r\n" in body
    assert f"DTEND;TZID=Europe/London:{july}T170000\r\n" in body
    assert f"DTSTART;TZID=Europe/London:{january}T100000\r\n" in body
    assert body.count("BEGIN:VTIMEZONE\r\n") == 1


def test_person_feed_describes_role_team_kit_and_coordinator(
    client: TestClient, make: Factory, feed_of, db: Session
):
    coordinator_person = make.person("Sgt Sam Patel", phone="01254 000111")
    coordinator = make.user("coordinator", person=coordinator_person, email="sam.patel@muster.test")
    coordinator.full_name = "Sgt Sam Patel"
    db.add(coordinator)
    db.commit()
    venue = make.venue(
        "Asda Grimshaw Park", latitude=53.7401, longitude=-2.4752, parking_notes="Staff car park at the rear"
    )
    event = make.event(
        venue=venue,
        campaign=make.campaign("Special constables 2027"),
        starts_at=JULY,
        title="Special constables evening",
        what_to_bring="Leaflets, pop-up banner",
        coordinator_user_id=coordinator.id,
        status=EventStatus.confirmed,
    )
    person = make.person("PC Amira Khan")
    make.assign(event, person, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(event, make.person("Dee Brown"), AssignmentRole.recruiter, AssignmentStatus.confirmed)
    make.assign(event, make.person("Ola Nowak"), AssignmentRole.ambassador, AssignmentStatus.proposed)
    gone = make.assign(event, make.person("Gone Away"), AssignmentRole.ambassador, AssignmentStatus.proposed)
    gone.status = AssignmentStatus.withdrawn
    db.add(gone)
    db.commit()

    body = client.get(feed_of(person)).text
    entry = vevent(body, event.id)

    assert str(entry["SUMMARY"]) == "Special constables evening (ambassador)"
    assert str(entry["DESCRIPTION"]).split("\n") == [
        "Your role: ambassador (confirmed).",
        "Team: Dee Brown (recruiter), Ola Nowak (ambassador, proposed)",
        "What to bring: Leaflets, pop-up banner",
        "Coordinator: Sgt Sam Patel, sam.patel@muster.test, 01254 000111",
        "Venue: Asda Grimshaw Park, 1 High Street, Blackburn, BB1 1AA",
        "Parking: Staff car park at the rear",
        "Campaign: Special constables 2027",
        f"In Muster: https://muster.test/events/{event.id}",
    ]
    assert str(entry["CONTACT"]) == "Sgt Sam Patel, sam.patel@muster.test, 01254 000111"
    assert str(entry["URL"]) == f"https://muster.test/events/{event.id}"
    assert (entry["GEO"].latitude, entry["GEO"].longitude) == (53.7401, -2.4752)
    assert [str(c) for c in entry["CATEGORIES"].cats] == ["Outreach", "Ambassador"]


def test_person_feed_never_mentions_networks(client: TestClient, make: Factory, feed_of):
    network = make.network("Black Police Association")
    person = make.person()
    teammate = make.person("Dee Brown")
    make.represent(person, network, public_naming=True)
    make.represent(teammate, network, public_naming=True)
    event = make.event(starts_at=JULY)
    make.assign(event, person)
    make.assign(event, teammate)

    body = client.get(feed_of(person)).text

    assert "Black Police Association" not in body
    assert "Dee Brown (ambassador, proposed)" in read_both(body)[0].description


def test_person_feed_marks_proposed_tentative_and_confirmed_confirmed(
    client: TestClient, make: Factory, feed_of
):
    person = make.person()
    proposed = make.event(starts_at=JULY, status=EventStatus.confirmed)
    confirmed = make.event(starts_at=JULY + timedelta(days=7), status=EventStatus.confirmed)
    draft = make.event(starts_at=JULY + timedelta(days=14))
    make.assign(proposed, person, status=AssignmentStatus.proposed)
    make.assign(confirmed, person, status=AssignmentStatus.confirmed)
    make.assign(draft, person, status=AssignmentStatus.confirmed)

    body = client.get(feed_of(person)).text

    statuses = {s.uid: s.status for s in read_both(body)}
    assert statuses == {
        f"muster-duty-event-{proposed.id}@muster.test": "TENTATIVE",
        f"muster-duty-event-{confirmed.id}@muster.test": "CONFIRMED",
        f"muster-duty-event-{draft.id}@muster.test": "TENTATIVE",
    }
    assert str(vevent(body, draft.id)["DESCRIPTION"]).startswith(
        "Your role: ambassador (confirmed). The event itself is not confirmed yet.\n"
    )


def test_person_feed_keeps_declined_withdrawn_and_cancelled_as_cancelled(
    client: TestClient, make: Factory, feed_of
):
    coordinator = make.headers("coordinator")
    person = make.person()
    feed = feed_of(person)
    declined = make.assign(make.event(starts_at=JULY, title="Declined one"), person)
    withdrawn = make.assign(make.event(starts_at=JULY + timedelta(days=2), title="Withdrawn one"), person)
    cancelled_event = make.event(starts_at=JULY + timedelta(days=4), title="Cancelled one")
    make.assign(cancelled_event, person)
    client.get(feed)

    assert (
        client.patch(
            f"/api/v1/assignments/{declined.id}",
            json={"status": "declined", "reason": "on leave"},
            headers=coordinator,
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/assignments/{withdrawn.id}", json={"status": "withdrawn"}, headers=coordinator
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/events/{cancelled_event.id}/cancel", json={"reason": "store refit"}, headers=coordinator
        ).status_code
        == 200
    )
    body = client.get(feed).text

    seen = {s.summary: s.status for s in read_both(body)}
    assert seen == {
        "Cancelled: Declined one": "CANCELLED",
        "Cancelled: Withdrawn one": "CANCELLED",
        "Cancelled: Cancelled one": "CANCELLED",
    }
    descriptions = [s.description.split("\n")[0] for s in read_both(body)]
    assert sorted(descriptions) == [
        "This event has been cancelled: store refit",
        "You declined this duty.",
        "You have been taken off this duty.",
    ]


def test_person_feed_drops_cancelled_entries_after_the_retention_days(
    client: TestClient, make: Factory, feed_of, db: Session
):
    person = make.person()
    old = make.assign(make.event(starts_at=JULY, title="Declined long ago"), person)
    recent = make.assign(make.event(starts_at=JULY + timedelta(days=1), title="Declined this week"), person)
    long_ago = utcnow() - timedelta(days=31)
    db.execute(
        sa.update(Assignment)
        .where(Assignment.id == old.id)
        .values(status=AssignmentStatus.declined, updated_at=long_ago)
    )
    db.execute(
        sa.update(Assignment)
        .where(Assignment.id == recent.id)
        .values(status=AssignmentStatus.declined, updated_at=utcnow() - timedelta(days=29))
    )
    db.execute(sa.update(Event).values(updated_at=long_ago))
    db.commit()  # a bulk ORM statement: the change counters move for everything

    body = client.get(feed_of(person)).text

    assert [s.summary for s in read_both(body)] == ["Cancelled: Declined this week"]


def test_person_feed_sequence_increases_on_move_and_role_change(client: TestClient, make: Factory, feed_of):
    coordinator = make.headers("coordinator")
    person = make.person()
    event = make.event(starts_at=JULY)
    assignment = make.assign(event, person)
    feed = feed_of(person)

    first = vevent(client.get(feed).text, event.id)
    moved = client.patch(
        f"/api/v1/events/{event.id}",
        json={"starts_at": f"{summer_day()}T11:00:00+01:00"},
        headers=coordinator,
    )
    second = vevent(client.get(feed).text, event.id)
    client.patch(f"/api/v1/assignments/{assignment.id}", json={"role": "lead"}, headers=coordinator)
    third = vevent(client.get(feed).text, event.id)

    assert moved.status_code == 200
    assert [first["SEQUENCE"], second["SEQUENCE"], third["SEQUENCE"]] == [0, 1, 2]
    assert second["DTSTART"].dt.astimezone(UTC) == JULY + timedelta(hours=1)
    assert str(third["SUMMARY"]) == f"{event.title} (lead, proposed)"
    assert first.decoded("LAST-MODIFIED") <= second.decoded("LAST-MODIFIED") <= third.decoded("LAST-MODIFIED")


def test_person_feed_uid_is_stable_and_differs_from_the_public_one(
    client: TestClient, make: Factory, feed_of
):
    person = make.person()
    event = make.event(starts_at=JULY, status=EventStatus.confirmed, public=True)
    make.assign(event, person)
    feed = feed_of(person)

    first = read_both(client.get(feed).text)[0].uid
    again = read_both(client.get(feed).text)[0].uid
    public = read_both(client.get(f"/events/{event.id}.ics").text)[0].uid

    assert first == again == f"muster-duty-event-{event.id}@muster.test"
    assert public == f"muster-public-event-{event.id}@muster.test"


def test_person_feed_escapes_hostile_text(client: TestClient, make: Factory, feed_of):
    hostile = 'Fair, Bacup; \\ "x"\r\nATTENDEE:mailto:x@y'
    person = make.person("Name, With; Semicolon\r\nX-INJECTED:1")
    venue = make.venue(hostile)
    teammate = make.person(hostile)
    event = make.event(venue=venue, starts_at=JULY, title=hostile, what_to_bring=hostile)
    make.assign(event, person)
    make.assign(event, teammate)

    body = client.get(feed_of(person)).text

    seen = read_both(body)
    assert len(seen) == 1
    assert seen[0].summary == 'Fair, Bacup; \\ "x"\nATTENDEE:mailto:x@y (ambassador, proposed)'
    assert "\r\nATTENDEE" not in body
    assert "\r\nX-INJECTED" not in body
    assert max(len(line) for line in body.encode().split(b"\r\n")) <= 75


def test_person_feed_without_duties_is_a_valid_empty_calendar(client: TestClient, make: Factory, feed_of):
    response = client.get(feed_of(make.person("New Starter")))

    assert response.status_code == 200
    assert read_both(response.text) == []
    assert "NAME:Outreach duties: New Starter\r\n" in response.text


def test_person_feed_asks_clients_to_refresh_hourly_by_default(client: TestClient, make: Factory, feed_of):
    body = client.get(feed_of(make.person())).text

    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert "X-PUBLISHED-TTL:PT1H\r\n" in body
    assert "X-WR-TIMEZONE:Europe/London\r\n" in body
    assert "METHOD:PUBLISH\r\n" in body


def test_person_feed_refresh_interval_follows_the_setting(
    client: TestClient, make: Factory, feed_of, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(get_settings(), "feed_refresh_minutes", 15)

    body = client.get(feed_of(make.person())).text

    assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in body
    assert "X-PUBLISHED-TTL:PT15M\r\n" in body
