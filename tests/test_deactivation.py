"""Deactivating a person or taking a venue out of use shows first what it affects, then
releases or flags it: no confirmed places held by someone inactive, no public events at a
venue no longer used, and nothing deleted."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.audit.service import SYSTEM
from app.enums import AssignmentStatus, EventStatus
from app.events import service as event_service
from app.events.models import Event
from app.notifications.models import OutboxMessage
from app.notifications.triggers import duty_topic
from app.people.models import Person
from app.venues.models import Venue
from tests.factories import Factory, fresh, future
from tests.forms import post, sign_in


@dataclass
class World:
    person: Person
    places: dict[str, Assignment]
    events: dict[str, Event]


def _person_with_places(make: Factory) -> World:
    """A person confirmed on one upcoming event (which that fills), proposed on another,
    and with a past duty and a place on a cancelled event that must stay as they are."""
    person = make.person("Aisha Hussain")
    events = {
        "filled": make.event(
            title="Burnley drop-in", starts_at=future(5), ambassadors_needed=1, recruiters_needed=0
        ),
        "proposed": make.event(title="Nelson drop-in", starts_at=future(9)),
        "past": make.event(title="Last month's fair", starts_at=future(-20)),
        "cancelled": make.event(title="Called-off stand", starts_at=future(12)),
    }
    places = {
        "filled": make.assign(events["filled"], person, status=AssignmentStatus.confirmed),
        "proposed": make.assign(events["proposed"], person),
        "past": make.assign(events["past"], person, status=AssignmentStatus.confirmed),
        "cancelled": make.assign(events["cancelled"], person, status=AssignmentStatus.confirmed),
    }
    event_service.cancel_event(session=make.session, actor=SYSTEM, event_id=events["cancelled"].id or 0)
    return World(person, places, events)


def _status(db: Session, assignment: Assignment) -> str:
    return str(fresh(db, Assignment, assignment.id).status)


def test_person_deactivation_lists_upcoming_places_then_withdraws_them(
    client: TestClient, make: Factory, db: Session
) -> None:
    world = _person_with_places(make)
    person, places, events = world.person, world.places, world.events
    h = make.headers("coordinator")
    filled = events["filled"]
    assert client.get(f"/api/v1/events/{filled.id}/staffing", headers=h).json()["filled"] is True

    preview = client.get(f"/api/v1/people/{person.id}/deactivation", headers=h)

    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["active"] is True
    assert [(a["title"], a["status"]) for a in body["assignments"]] == [
        ("Burnley drop-in", "confirmed"),
        ("Nelson drop-in", "proposed"),
    ]
    assert "Aisha Hussain has a place on 2 upcoming events" in body["summary"]
    # Only a preview: nothing changed yet.
    assert _status(db, places["filled"]) == "confirmed"

    answer = client.patch(f"/api/v1/people/{person.id}", json={"active": False}, headers=h)

    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    assert _status(db, places["filled"]) == "withdrawn"
    assert _status(db, places["proposed"]) == "withdrawn"
    assert _status(db, places["past"]) == "confirmed"
    assert _status(db, places["cancelled"]) == "confirmed"
    staffing = client.get(f"/api/v1/events/{filled.id}/staffing", headers=h).json()
    assert staffing["filled"] is False
    assert staffing["unmet"] == ["needs 1 more ambassador"]
    team = client.get(f"/api/v1/events/{filled.id}", headers=h).json()["team"]
    assert [m["status"] for m in team] == ["withdrawn"]
    trail = db.exec(
        select(AuditEntry).where(
            AuditEntry.record_type == "assignment", AuditEntry.record_id == places["filled"].id
        )
    ).all()
    assert any(
        e.summary == "Aisha Hussain withdrawn from 'Burnley drop-in': no longer active"
        and e.after == {"status": "withdrawn", "revision": 1}
        for e in trail
    ), [(e.summary, e.after) for e in trail]
    # The notification hooks tell the person about each place they lost.
    topics = set(db.exec(select(OutboxMessage.topic)).all())
    assert {duty_topic(places["filled"].id), duty_topic(places["proposed"].id)} <= topics
    after = client.get(f"/api/v1/people/{person.id}/deactivation", headers=h).json()
    assert (after["active"], after["assignments"]) == (False, [])


def test_deactivated_person_cannot_be_booked_again(client: TestClient, make: Factory) -> None:
    person = make.person()
    event = make.event()
    h = make.headers("coordinator")
    client.patch(f"/api/v1/people/{person.id}", json={"active": False}, headers=h)

    answer = client.post(
        "/api/v1/assignments", json={"event_id": event.id, "person_id": person.id}, headers=h
    )

    assert answer.status_code == 409, answer.text


def test_person_deactivation_is_for_planners(client: TestClient, make: Factory) -> None:
    person = make.person()
    staff = make.headers("staff", person=person)
    assert client.get(f"/api/v1/people/{person.id}/deactivation", headers=staff).status_code == 403
    assert (
        client.get("/api/v1/people/999999/deactivation", headers=make.headers("coordinator")).status_code
        == 404
    )


def _venue_with_events(make: Factory) -> tuple[Venue, dict[str, Event]]:
    venue = make.venue("Jobcentre Plus Bacup", town="Bacup")
    events = {
        "public": make.event(
            venue=venue,
            title="Bacup jobs fair",
            starts_at=future(4),
            status=EventStatus.confirmed,
            public=True,
        ),
        "draft": make.event(venue=venue, title="Bacup planning", starts_at=future(20)),
        "past": make.event(
            venue=venue,
            title="Bacup last month",
            starts_at=future(-30),
            status=EventStatus.confirmed,
            public=True,
        ),
    }
    return venue, events


def test_venue_deactivation_lists_upcoming_events_then_takes_them_off_public_view(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue, events = _venue_with_events(make)
    public = events["public"]
    h = make.headers("coordinator")
    assert client.get(f"/events/{public.id}").status_code == 200
    revision = client.get(f"/api/v1/events/{public.id}", headers=h).json()["revision"]

    preview = client.get(f"/api/v1/venues/{venue.id}/deactivation", headers=h)

    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert [(e["title"], e["public"]) for e in body["events"]] == [
        ("Bacup jobs fair", True),
        ("Bacup planning", False),
    ]
    assert "2 upcoming events are booked at Jobcentre Plus Bacup (1 shown to the public)" in body["summary"]

    answer = client.patch(f"/api/v1/venues/{venue.id}", json={"active": False}, headers=h)

    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    moved_on = client.get(f"/api/v1/events/{public.id}", headers=h).json()
    # Still booked and on record, but no longer shown to the public.
    assert (moved_on["status"], moved_on["public"]) == ("confirmed", False)
    assert moved_on["revision"] == revision + 1
    assert client.get(f"/events/{public.id}").status_code == 404
    assert "Bacup jobs fair" not in client.get("/events").text
    past = fresh(db, Event, events["past"].id)
    assert past is not None and past.public is True
    entry = db.exec(
        select(AuditEntry)
        .where(AuditEntry.record_type == "event", AuditEntry.record_id == public.id)
        .order_by(col(AuditEntry.id).desc())
    ).first()
    assert entry is not None
    assert (
        entry.summary
        == "event 'Bacup jobs fair' taken off public view: Jobcentre Plus Bacup is no longer in use"
    )
    after = client.get(f"/api/v1/venues/{venue.id}/deactivation", headers=h).json()
    assert after["active"] is False
    assert "still booked there, off public view" in after["summary"]


def test_events_at_a_venue_no_longer_in_use_are_flagged_and_cannot_be_republished(
    client: TestClient, make: Factory
) -> None:
    venue, events = _venue_with_events(make)
    h = make.headers("coordinator")
    client.patch(f"/api/v1/venues/{venue.id}", json={"active": False}, headers=h)

    republish = client.patch(f"/api/v1/events/{events['public'].id}", json={"public": True}, headers=h)

    assert republish.status_code == 422
    assert "Jobcentre Plus Bacup is no longer in use" in republish.json()["detail"]
    sign_in(client, make.user("coordinator"))
    attention = client.get("/plan/attention").text
    assert "Bacup jobs fair" in attention
    assert "the venue is no longer in use" in attention.lower()
    other = make.venue("Jobcentre Plus Burnley")
    moved = client.patch(
        f"/api/v1/events/{events['public'].id}", json={"venue_id": other.id, "public": True}, headers=h
    )
    assert moved.status_code == 200, moved.text
    assert "the venue is no longer in use" not in client.get("/plan/attention").text.lower()


def test_venue_deactivation_is_for_planners(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    partner = make.headers("partner", venues=[venue])
    assert client.get(f"/api/v1/venues/{venue.id}/deactivation", headers=partner).status_code == 403
    refused = client.patch(f"/api/v1/venues/{venue.id}", json={"active": False}, headers=partner)
    assert refused.status_code == 403


# --- the coordinator's pages -----------------------------------------------------------


@pytest.fixture()
def planner_sees(client: TestClient, make: Factory) -> World:
    """The person with places, and the client signed in as a coordinator."""
    world = _person_with_places(make)
    sign_in(client, make.user("coordinator"))
    return world


def test_person_page_confirms_what_deactivation_withdraws(
    client: TestClient, db: Session, planner_sees: World
) -> None:
    person, places = planner_sees.person, planner_sees.places
    assert f'href="/plan/people/{person.id}/deactivate"' in client.get(f"/plan/people/{person.id}").text

    confirm = client.get(f"/plan/people/{person.id}/deactivate")

    assert confirm.status_code == 200
    assert "Burnley drop-in" in confirm.text and "Nelson drop-in" in confirm.text
    assert "Last month" not in confirm.text and "Called-off stand" not in confirm.text
    assert _status(db, places["filled"]) == "confirmed"

    done = post(
        client, f"/plan/people/{person.id}/deactivate", token_from=f"/plan/people/{person.id}/deactivate"
    )

    assert done.status_code == 303
    assert "withdrawn from 2 upcoming events" in client.get(done.headers["location"]).text
    assert _status(db, places["filled"]) == "withdrawn"
    assert fresh(db, Person, person.id).active is False


def test_person_form_asks_before_unticking_active_withdraws_places(
    client: TestClient, db: Session, planner_sees: World
) -> None:
    person, places = planner_sees.person, planner_sees.places
    data = {
        "name": person.name,
        "staff_number": person.staff_number,
        "kind": "police_officer",
        "monthly_limit": "4",
    }

    asked = post(client, f"/plan/people/{person.id}/edit", data)

    assert asked.status_code == 400
    assert "Confirm that Aisha Hussain should be withdrawn from 2 upcoming events" in asked.text
    assert "Burnley drop-in" in asked.text
    assert _status(db, places["filled"]) == "confirmed"

    saved = post(client, f"/plan/people/{person.id}/edit", {**data, "confirm_deactivation": "yes"})

    assert saved.status_code == 303
    assert _status(db, places["filled"]) == "withdrawn"


def test_venue_pages_confirm_then_flag_events_still_booked(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue, events = _venue_with_events(make)
    sign_in(client, make.user("coordinator"))

    confirm = client.get(f"/plan/venues/{venue.id}/deactivate")

    assert confirm.status_code == 200
    assert "Bacup jobs fair" in confirm.text and "Bacup planning" in confirm.text
    assert "Bacup last month" not in confirm.text

    done = post(
        client, f"/plan/venues/{venue.id}/deactivate", token_from=f"/plan/venues/{venue.id}/deactivate"
    )

    assert done.status_code == 303
    page = client.get(f"/plan/venues/{venue.id}").text
    assert "Its 2 upcoming events are off public view" in page
    assert "2 upcoming events are still booked here, off public view: move or cancel them" in page
    stored = fresh(db, Event, events["public"].id)
    assert stored is not None and (stored.public, stored.status) == (False, EventStatus.confirmed)


def test_venue_form_asks_before_unticking_in_use(client: TestClient, make: Factory, db: Session) -> None:
    venue, events = _venue_with_events(make)
    sign_in(client, make.user("coordinator"))
    data = {"name": venue.name, "kind": "job_centre", "town": "Bacup"}

    asked = post(client, f"/plan/venues/{venue.id}/edit", data)

    assert asked.status_code == 400
    assert (
        "Confirm that the 2 upcoming events at Jobcentre Plus Bacup should come off public view" in asked.text
    )
    assert fresh(db, Venue, venue.id).active is True

    saved = post(client, f"/plan/venues/{venue.id}/edit", {**data, "confirm_deactivation": "yes"})

    assert saved.status_code == 303
    assert fresh(db, Venue, venue.id).active is False
    assert db.get(Event, events["public"].id).public is False  # type: ignore[union-attr]


def test_reactivating_changes_nothing_else(client: TestClient, make: Factory, db: Session) -> None:
    person = make.person()
    event = make.event(starts_at=future(6) + timedelta(hours=1))
    place = make.assign(event, person, status=AssignmentStatus.confirmed)
    h = make.headers("coordinator")
    client.patch(f"/api/v1/people/{person.id}", json={"active": False}, headers=h)

    again = client.patch(f"/api/v1/people/{person.id}", json={"active": True}, headers=h)

    assert again.status_code == 200
    assert _status(db, place) == "withdrawn"
