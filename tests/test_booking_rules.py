"""The booking rules, through the API as a coordinator uses them."""

from datetime import timedelta

from fastapi.testclient import TestClient

from app.audit.service import SYSTEM
from app.enums import AssignmentStatus, EventStatus, UnavailabilityReason
from app.events import service as events
from app.events.models import Event
from tests.factories import Factory, future


def _book(
    client: TestClient, headers: dict[str, str], event_id: int | None, person_id: int | None, **kw: object
):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/assignments", json={"event_id": event_id, "person_id": person_id, **kw}, headers=headers
    )


def _clash(answer, code: str) -> str:  # type: ignore[no-untyped-def]
    """The booking was refused with 409 for the clash ``code``; the words it was refused in."""
    assert answer.status_code == 409, answer.text
    assert answer.json()["clashes"][0]["code"] == code
    return str(answer.json()["detail"])


def _two_events_in_one_month(make: Factory) -> tuple[Event, Event]:
    start = future(40, 9).replace(day=10)
    return make.event(starts_at=start, hours=2), make.event(starts_at=start + timedelta(days=2), hours=2)


def test_assign_free_person_is_201_proposed(client: TestClient, make: Factory) -> None:
    event, person = make.event(), make.person()
    r = _book(client, make.headers("coordinator"), event.id, person.id)
    assert (r.status_code, r.json()["status"], r.json()["role"]) == (201, "proposed", "ambassador")


def test_assign_overlapping_event_is_409_naming_it(client: TestClient, make: Factory) -> None:
    person = make.person(name="Priya Khan")
    first = make.event(title="Burnley drop-in", starts_at=future(15, 9), hours=7)
    second = make.event(title="Nelson drop-in", starts_at=future(15, 13), hours=3)
    h = make.headers("coordinator")
    assert _book(client, h, first.id, person.id).status_code == 201
    r = _book(client, h, second.id, person.id)
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith(
        "Priya Khan cannot be booked on 'Nelson drop-in': Priya Khan is already on 'Burnley drop-in'"
    )
    assert r.json()["clashes"][0] == {
        "code": "overlap",
        "message": r.json()["clashes"][0]["message"],
        "event_id": first.id,
    }


def test_assign_within_travel_buffer_at_other_venue_is_409(client: TestClient, make: Factory) -> None:
    person = make.person()
    bacup, nelson = make.venue(name="Bacup"), make.venue(name="Nelson")
    first = make.event(venue=bacup, starts_at=future(16, 9), hours=2)
    second = make.event(venue=nelson, starts_at=future(16, 11, 10), hours=2)
    h = make.headers("coordinator")
    _book(client, h, first.id, person.id)
    r = _book(client, h, second.id, person.id)
    assert "30-minute travel time" in _clash(r, "travel")


def test_assign_back_to_back_at_same_venue_is_allowed(client: TestClient, make: Factory) -> None:
    person, venue = make.person(), make.venue()
    first = make.event(venue=venue, starts_at=future(16, 9), hours=2)
    second = make.event(venue=venue, starts_at=future(16, 11), hours=2)
    h = make.headers("coordinator")
    assert _book(client, h, first.id, person.id).status_code == 201
    assert _book(client, h, second.id, person.id).status_code == 201


def test_assign_after_travel_buffer_is_allowed(client: TestClient, make: Factory) -> None:
    person = make.person()
    first = make.event(starts_at=future(16, 9), hours=2)
    second = make.event(starts_at=future(16, 11, 30), hours=2)
    h = make.headers("coordinator")
    assert _book(client, h, first.id, person.id).status_code == 201
    assert _book(client, h, second.id, person.id).status_code == 201


def test_assign_during_unavailability_is_409(client: TestClient, make: Factory) -> None:
    person = make.person(name="Tom Walsh")
    event = make.event(starts_at=future(18, 9))
    make.away(person, future(17, 0), future(19, 0), UnavailabilityReason.annual_leave)
    r = _book(client, make.headers("coordinator"), event.id, person.id)
    assert "Tom Walsh is unavailable (annual leave)" in _clash(r, "unavailable")


def test_assign_over_monthly_limit_is_409(client: TestClient, make: Factory) -> None:
    person = make.person(monthly_limit=1)
    first, second = _two_events_in_one_month(make)
    h = make.headers("coordinator")
    assert _book(client, h, first.id, person.id).status_code == 201
    r = _book(client, h, second.id, person.id)
    assert "limit of 1 event(s)" in _clash(r, "monthly_limit")


def test_declined_assignment_does_not_count_towards_limit(client: TestClient, make: Factory) -> None:
    person = make.person(monthly_limit=1)
    first, second = _two_events_in_one_month(make)
    h = make.headers("coordinator")
    assignment_id = _book(client, h, first.id, person.id).json()["id"]
    client.patch(f"/api/v1/assignments/{assignment_id}", json={"status": "declined"}, headers=h)
    assert _book(client, h, second.id, person.id).status_code == 201


def test_assign_inactive_person_is_409(client: TestClient, make: Factory) -> None:
    person = make.person(active=False)
    r = _book(client, make.headers("coordinator"), make.event().id, person.id)
    assert (r.status_code, r.json()["clashes"][0]["code"]) == (409, "inactive")


def test_assign_to_cancelled_event_is_409(client: TestClient, make: Factory, db) -> None:  # type: ignore[no-untyped-def]
    event = make.event()
    events.cancel_event(session=db, actor=SYSTEM, event_id=event.id or 0)
    r = _book(client, make.headers("coordinator"), event.id, make.person().id)
    assert r.status_code == 409
    assert r.json()["detail"] == f"event {event.id} '{event.title}' is cancelled; nobody can be added to it"


def test_assign_to_completed_event_is_409(client: TestClient, make: Factory, db) -> None:  # type: ignore[no-untyped-def]
    event = make.event(starts_at=future(-10), status=EventStatus.confirmed)
    events.set_status(session=db, actor=SYSTEM, event_id=event.id or 0, status=EventStatus.completed)
    r = _book(client, make.headers("coordinator"), event.id, make.person().id)
    assert (r.status_code, "is completed" in r.json()["detail"]) == (409, True)


def test_assign_twice_is_409_duplicate(client: TestClient, make: Factory) -> None:
    event, person = make.event(), make.person(name="Zara Ali")
    h = make.headers("coordinator")
    _book(client, h, event.id, person.id)
    r = _book(client, h, event.id, person.id, role="recruiter")
    assert r.status_code == 409
    assert r.json()["detail"].startswith(f"Zara Ali is already on '{event.title}' as ambassador")


def test_rebooking_declined_person_reopens_same_assignment(client: TestClient, make: Factory) -> None:
    event, person = make.event(), make.person()
    h = make.headers("coordinator")
    first = _book(client, h, event.id, person.id).json()
    client.patch(
        f"/api/v1/assignments/{first['id']}", json={"status": "declined", "reason": "on leave"}, headers=h
    )
    again = _book(client, h, event.id, person.id, role="recruiter")
    assert (again.status_code, again.json()["id"], again.json()["role"], again.json()["status"]) == (
        201,
        first["id"],
        "recruiter",
        "proposed",
    )


def test_staff_accepts_own_proposed_assignment(client: TestClient, make: Factory) -> None:
    person = make.person()
    assignment = make.assign(make.event(), person)
    h = make.headers("staff", person=person)
    r = client.patch(f"/api/v1/assignments/{assignment.id}", json={"status": "confirmed"}, headers=h)
    assert (r.status_code, r.json()["status"], r.json()["revision"]) == (200, "confirmed", 1)


def test_staff_declines_with_reason(client: TestClient, make: Factory) -> None:
    person = make.person()
    assignment = make.assign(make.event(), person)
    h = make.headers("staff", person=person)
    r = client.patch(
        f"/api/v1/assignments/{assignment.id}",
        json={"status": "declined", "reason": "night shift"},
        headers=h,
    )
    assert (r.json()["status"], r.json()["decline_reason"]) == ("declined", "night shift")


def test_staff_cannot_answer_someone_elses_assignment(client: TestClient, make: Factory) -> None:
    assignment = make.assign(make.event(), make.person())
    h = make.headers("staff")
    r = client.patch(f"/api/v1/assignments/{assignment.id}", json={"status": "confirmed"}, headers=h)
    assert r.status_code == 403


def test_staff_cannot_change_own_role(client: TestClient, make: Factory) -> None:
    person = make.person()
    assignment = make.assign(make.event(), person)
    r = client.patch(
        f"/api/v1/assignments/{assignment.id}",
        json={"role": "lead"},
        headers=make.headers("staff", person=person),
    )
    assert r.status_code == 403


def test_withdrawn_assignment_can_not_be_confirmed_by_staff(client: TestClient, make: Factory) -> None:
    person = make.person()
    assignment = make.assign(make.event(), person)
    client.patch(
        f"/api/v1/assignments/{assignment.id}",
        json={"status": "withdrawn"},
        headers=make.headers("coordinator"),
    )
    r = client.patch(
        f"/api/v1/assignments/{assignment.id}",
        json={"status": "confirmed"},
        headers=make.headers("staff", person=person),
    )
    assert (r.status_code, r.json()["detail"]) == (
        422,
        f"assignment {assignment.id} is withdrawn; it cannot become confirmed",
    )


def test_staff_lists_only_own_assignments(client: TestClient, make: Factory) -> None:
    me, other = make.person(), make.person()
    event = make.event()
    mine = make.assign(event, me)
    make.assign(event, other)
    page = client.get("/api/v1/assignments", headers=make.headers("staff", person=me)).json()
    assert [a["id"] for a in page["items"]] == [mine.id]
    assert page["items"][0]["status"] == AssignmentStatus.proposed
