"""Booking is safe under concurrency: simultaneous requests to a real server never double-book.

A real uvicorn with two worker processes serves the app (``live_server``, tests/servers.py) on
a file SQLite database, and on a scratch PostgreSQL database when ``MUSTER_TEST_DATABASE_URL``
(or ``MUSTER_TEST_POSTGRES_URL``) is set. Threads released together by a barrier post the bookings; exactly one is accepted, the rest are refused with
409 naming the clash, and the database holds exactly one active assignment.
"""

from typing import Any

import httpx

from tests.factories import future
from tests.servers import LiveServer

N = 12  # simultaneous requests per scenario


def _post_together(server: LiveServer, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body to /api/v1/assignments at the same moment, one connection each."""
    return server.together("POST", "/api/v1/assignments", bodies)


def _statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_concurrent_bookings_of_one_person_on_overlapping_events_accept_exactly_one(
    live_server: LiveServer,
) -> None:
    with live_server.data() as make:
        person = make.person()
        campaign = make.campaign()
        starts_at = future(days=20)
        events = [make.event(campaign=campaign, starts_at=starts_at, hours=3) for _ in range(N)]
    bodies = [{"event_id": e.id, "person_id": person.id, "role": "ambassador"} for e in events]

    responses = _post_together(live_server, bodies)

    assert _statuses(responses) == [201] + [409] * (N - 1), [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 201)
    winning_title = next(e.title for e in events if e.id == winner["event_id"])
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert winning_title in refused.json()["detail"]
    assert live_server.active_assignments(person_id=person.id) == 1


def test_concurrent_bookings_of_one_person_on_the_same_event_accept_exactly_one(
    live_server: LiveServer,
) -> None:
    with live_server.data() as make:
        person = make.person()
        event = make.event(starts_at=future(days=30))
    bodies = [{"event_id": event.id, "person_id": person.id, "role": "ambassador"}] * N

    responses = _post_together(live_server, bodies)

    assert _statuses(responses) == [201] + [409] * (N - 1), [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert "is already on" in refused.json()["detail"]
    assert live_server.active_assignments(person_id=person.id) == 1
    assert live_server.active_assignments(event_id=event.id) == 1


def test_concurrent_bookings_of_different_people_on_one_event_all_succeed(live_server: LiveServer) -> None:
    with live_server.data() as make:
        people = [make.person() for _ in range(N)]
        event = make.event(starts_at=future(days=40), ambassadors_needed=N)
    bodies = [{"event_id": event.id, "person_id": p.id, "role": "ambassador"} for p in people]

    responses = _post_together(live_server, bodies)

    assert _statuses(responses) == [201] * N, [r.text for r in responses]
    assert live_server.active_assignments(event_id=event.id) == N
