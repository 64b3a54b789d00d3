"""Events through the API: booking, London times, moving, status, cancelling, staffing."""

from datetime import timedelta

from fastapi.testclient import TestClient

from app.assignments.models import Assignment
from app.enums import AssignmentRole
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person
from tests.dates import at, clear_days_ahead, spring_forward, summer_day, winter_day
from tests.factories import Factory, future


def _event_body(make: Factory, **kw: object) -> dict[str, object]:
    venue = make.venue()
    campaign = make.campaign()
    return {
        "campaign_id": campaign.id,
        "venue_id": venue.id,
        "title": "Police recruitment drop-in",
        "starts_at": at(summer_day(), 10),
        "ends_at": at(summer_day(), 17),
        **kw,
    }


def test_create_event_july_local_time_round_trips(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    r = client.post("/api/v1/events", json=_event_body(make), headers=h)
    assert r.status_code == 201, r.text
    event = client.get(f"/api/v1/events/{r.json()['id']}", headers=h).json()
    july = summer_day()
    assert (event["starts_at"], event["ends_at"]) == (f"{july}T10:00:00+01:00", f"{july}T17:00:00+01:00")


def test_create_event_january_local_time_round_trips(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    january = winter_day()
    body = _event_body(make, starts_at=at(january, 10), ends_at=at(january, 17))
    event = client.post("/api/v1/events", json=body, headers=h).json()
    assert (event["starts_at"], event["ends_at"]) == (
        f"{january}T10:00:00+00:00",
        f"{january}T17:00:00+00:00",
    )


def test_create_event_with_offset_keeps_instant(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    july = summer_day()
    body = _event_body(make, starts_at=f"{july}T09:00:00Z", ends_at=f"{july}T16:00:00Z")
    event = client.post("/api/v1/events", json=body, headers=h).json()
    assert event["starts_at"] == f"{july}T10:00:00+01:00"


def test_create_event_in_spring_forward_gap_is_422(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    night = spring_forward()
    body = _event_body(make, starts_at=at(night, 1, 30), ends_at=at(night, 4))
    r = client.post("/api/v1/events", json=body, headers=h)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert "does not exist in Europe/London" in r.json()["detail"]


def test_create_event_ending_before_start_is_422(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    body = _event_body(make, starts_at=at(summer_day(), 17), ends_at=at(summer_day(), 10))
    r = client.post("/api/v1/events", json=body, headers=h)
    assert (r.status_code, r.json()["detail"]) == (422, "the event must end after it starts")


def test_create_event_in_past_refused_for_coordinator_allowed_for_admin(
    client: TestClient, make: Factory
) -> None:
    body = _event_body(make, starts_at="2024-07-10T10:00", ends_at="2024-07-10T17:00")
    refused = client.post("/api/v1/events", json=body, headers=make.headers("coordinator"))
    assert refused.status_code == 422
    assert "past" in refused.json()["detail"]
    recorded = client.post("/api/v1/events", json=body, headers=make.headers("admin"))
    assert recorded.status_code == 201


def test_create_event_unknown_venue_is_422_naming_it(client: TestClient, make: Factory) -> None:
    body = _event_body(make, venue_id=9999)
    r = client.post("/api/v1/events", json=body, headers=make.headers("coordinator"))
    assert (r.status_code, r.json()["detail"]) == (422, "venue 9999 does not exist")


def test_status_transition_not_allowed_is_422(client: TestClient, make: Factory) -> None:
    event = make.event()
    h = make.headers("coordinator")
    r = client.patch(f"/api/v1/events/{event.id}", json={"status": "completed"}, headers=h)
    assert r.status_code == 422
    assert r.json()["detail"] == f"event {event.id} is draft; it can only become: cancelled, confirmed"


def test_cancel_event_keeps_event_and_assignments(client: TestClient, make: Factory) -> None:
    event = make.event()
    person = make.person()
    make.assign(event, person)
    h = make.headers("coordinator")
    r = client.post(f"/api/v1/events/{event.id}/cancel", json={"reason": "venue closed"}, headers=h)
    assert r.status_code == 200
    body = client.get(f"/api/v1/events/{event.id}", headers=h).json()
    assert (body["status"], body["cancelled_reason"], len(body["team"])) == ("cancelled", "venue closed", 1)
    assert body["revision"] == 1


CLEAR = clear_days_ahead(20)  # a day without planning warnings: these tests are about clashes


def _one_person_on_two_drop_ins(make: Factory) -> tuple[Person, Event, Assignment]:
    """Imran on the Accrington drop-in in the morning and the Bacup one in the afternoon."""
    person = make.person(name="Imran Patel")
    first = make.event(title="Accrington drop-in", starts_at=future(CLEAR, 9), hours=3)
    second = make.event(title="Bacup drop-in", starts_at=future(CLEAR, 14), hours=3)
    make.assign(first, person)
    return person, first, make.assign(second, person)


def _onto_the_morning(**extra: object) -> dict[str, object]:
    """The afternoon drop-in's new times: three hours from 10:00, over the morning one."""
    new_start = future(CLEAR, 10)
    return {
        "starts_at": new_start.isoformat(),
        "ends_at": (new_start + timedelta(hours=3)).isoformat(),
        **extra,
    }


def test_move_event_onto_team_clash_is_409_naming_the_other_event(client: TestClient, make: Factory) -> None:
    _, first, afternoon = _one_person_on_two_drop_ins(make)
    second = afternoon.event_id
    h = make.headers("coordinator")
    r = client.patch(f"/api/v1/events/{second}", json=_onto_the_morning(), headers=h)
    assert r.status_code == 409
    assert "Imran Patel is already on 'Accrington drop-in'" in r.json()["detail"]
    assert r.json()["conflicts"][0]["event_id"] == first.id
    unchanged = client.get(f"/api/v1/events/{second}", headers=h).json()
    assert unchanged["revision"] == 0


def test_move_event_with_accept_conflicts_marks_assignment(client: TestClient, make: Factory) -> None:
    person, _, moved_assignment = _one_person_on_two_drop_ins(make)
    h = make.headers("coordinator")
    move = _onto_the_morning(accept_conflicts=True)
    r = client.patch(f"/api/v1/events/{moved_assignment.event_id}", json=move, headers=h)
    assert r.status_code == 200
    assert [c["person_id"] for c in r.json()["conflicts_accepted"]] == [person.id]
    kept = client.get(f"/api/v1/assignments/{moved_assignment.id}", headers=h).json()
    assert kept["status"] == "proposed"
    assert "Accrington drop-in" in kept["conflict_note"]
    assert r.json()["revision"] == 1


def _wanting_urdu_and_lgbt(
    client: TestClient, make: Factory, h: dict[str, str], **needed: int
) -> tuple[Event, Network]:
    """An event wanting an Urdu speaker, and (set through the API) an LGBT+ network ambassador."""
    lgbt = make.network("LGBT+ network")
    event = make.event(wanted_languages=["Urdu"], **needed)
    network_needs = [{"network_id": lgbt.id, "min_count": 1}]
    client.patch(f"/api/v1/events/{event.id}", json={"network_needs": network_needs}, headers=h)
    return event, lgbt


def test_staffing_reports_unmet_needs_in_words(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    event, _ = _wanting_urdu_and_lgbt(client, make, h, ambassadors_needed=2, recruiters_needed=0)
    make.assign(event, make.person())
    r = client.get(f"/api/v1/events/{event.id}/staffing", headers=h)
    assert r.json()["unmet"] == [
        "needs 1 more ambassador",
        "needs 1 more ambassador from the LGBT+ network",
        "needs an Urdu speaker",
    ]
    assert r.json()["filled"] is False


def test_staffing_filled_when_needs_met(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    event, lgbt = _wanting_urdu_and_lgbt(client, make, h, ambassadors_needed=1, recruiters_needed=1)
    ambassador = make.person(languages=["English", "Urdu"])
    make.represent(ambassador, lgbt)
    make.assign(event, ambassador)
    make.assign(event, make.person(), role=AssignmentRole.lead)
    r = client.get(f"/api/v1/events/{event.id}/staffing", headers=h)
    assert (r.json()["filled"], r.json()["unmet"], r.json()["summary"]) == (
        True,
        [],
        "Fully staffed (2 awaiting reply)",
    )


def test_list_events_filters_by_town_and_paginates(client: TestClient, make: Factory) -> None:
    burnley = make.venue(town="Burnley")
    nelson = make.venue(town="Nelson")
    for day in range(3):
        make.event(venue=burnley, starts_at=future(10 + day))
    make.event(venue=nelson)
    h = make.headers("coordinator")
    page = client.get("/api/v1/events", params={"town": "burnley", "limit": 2}, headers=h).json()
    assert (page["total"], len(page["items"]), page["items"][0]["venue"]["town"]) == (3, 2, "Burnley")


def test_list_events_date_range_end_before_start_is_422(client: TestClient, make: Factory) -> None:
    r = client.get(
        "/api/v1/events",
        params={"start": "2027-02-01", "end": "2027-01-01"},
        headers=make.headers("coordinator"),
    )
    assert r.status_code == 422


def test_partner_sees_only_own_venue_events_without_internal_notes(client: TestClient, make: Factory) -> None:
    theirs = make.venue(name="Jobcentre Plus Nelson")
    other = make.venue(name="Jobcentre Plus Bacup")
    own_event = make.event(venue=theirs, internal_notes="Park at the station")
    other_event = make.event(venue=other)
    person = make.person()
    network = make.network("Black Police Association")
    make.represent(person, network)
    make.assign(own_event, person)
    h = make.headers("partner", venues=[theirs])
    page = client.get("/api/v1/events", headers=h).json()
    assert [e["id"] for e in page["items"]] == [own_event.id]
    item = page["items"][0]
    assert (item["internal_notes"], item["network_needs"], item["staffing"]) == (None, None, None)
    assert [m["name"] for m in item["team"]] == [person.name]
    assert "Black Police Association" not in str(item)
    assert client.get(f"/api/v1/events/{other_event.id}", headers=h).status_code == 403


def test_partner_confirms_booking_at_own_venue(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    event = make.event(venue=venue)
    h = make.headers("partner", venues=[venue])
    r = client.post(
        f"/api/v1/events/{event.id}/partner-response",
        json={"status": "confirmed", "message": "Room 2 is yours"},
        headers=h,
    )
    assert (r.status_code, r.json()["partner_status"], r.json()["partner_message"]) == (
        200,
        "confirmed",
        "Room 2 is yours",
    )


def test_every_change_is_in_the_audit_trail(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    r = client.post("/api/v1/events", json=_event_body(make), headers=h)
    event_id = r.json()["id"]
    client.patch(f"/api/v1/events/{event_id}", json={"title": "Jobs fair"}, headers=h)
    trail = client.get(
        "/api/v1/audit", params={"record_type": "event", "record_id": event_id}, headers=h
    ).json()
    assert [e["action"] for e in trail["items"]] == ["update", "create"]
    assert trail["items"][0]["before"] == {"title": "Police recruitment drop-in", "revision": 0}
    assert trail["items"][0]["after"] == {"title": "Jobs fair", "revision": 1}
    assert trail["items"][0]["actor_label"].startswith("coordinator")
