"""The event list as CSV: staffing for coordinators, public events only for everyone else."""

import csv
import io

from fastapi.testclient import TestClient

from app.audit.service import SYSTEM
from app.enums import EventStatus
from app.events.service import cancel_event
from app.printouts.csv_export import PLANNER_EVENTS_HEADER, PUBLIC_EVENTS_HEADER
from tests.factories import Factory
from tests.printouts.demo import Demo


def _table(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert body.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _with_hidden_events(make: Factory, demo: Demo) -> None:
    venue = demo.venues[0]
    make.event(venue=venue, starts_at=demo.asda.starts_at, title="Private planning meeting", public=False)
    make.event(venue=venue, starts_at=demo.asda.starts_at, title="Draft open day", public=True)


def test_events_csv_for_coordinator_has_staffing(client: TestClient, make: Factory, demo: Demo) -> None:
    _with_hidden_events(make, demo)
    day = demo.day.isoformat()
    response = client.get(f"/events.csv?start={day}&end={day}", headers=make.headers("coordinator"))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="events-{day}-to-{day}.csv"'
    header, rows = _table(response.content)
    assert header == list(PLANNER_EVENTS_HEADER)
    assert len(rows) == 10
    blackburn = next(r for r in rows if r["event_id"] == str(demo.blackburn.id))
    assert {k: blackburn[k] for k in ("date", "start", "end", "town", "status", "public_page")} == {
        "date": day,
        "start": "10:00",
        "end": "17:00",
        "town": "Blackburn",
        "status": "Confirmed",
        "public_page": f"https://muster.test/events/{demo.blackburn.id}",
    }
    assert (blackburn["ambassadors_needed"], blackburn["ambassadors"], blackburn["staffing_gaps"]) == (
        "2",
        "2",
        "needs an Urdu speaker",
    )
    draft = next(r for r in rows if r["event"] == "Draft open day")
    assert (draft["status"], draft["public_page"]) == ("Draft", "")


def test_events_csv_for_anyone_lists_public_events_only(
    client: TestClient, make: Factory, demo: Demo
) -> None:
    _with_hidden_events(make, demo)
    day = demo.day.isoformat()
    for headers in ({}, make.headers("partner"), make.headers("staff")):
        response = client.get(f"/events.csv?start={day}&end={day}", headers=headers)
        assert response.status_code == 200
        header, rows = _table(response.content)
        assert header == list(PUBLIC_EVENTS_HEADER)
        assert sorted(r["event_id"] for r in rows) == sorted(str(e.id) for e in demo.events)
        body = response.content.decode("utf-8-sig")
        assert "Private planning meeting" not in body and "Draft open day" not in body
        assert "07700" not in body  # no team, no phone numbers


def test_events_csv_filters_like_the_roster(client: TestClient, make: Factory, demo: Demo) -> None:
    day = demo.day.isoformat()
    headers = make.headers("admin")
    _, rows = _table(client.get(f"/events.csv?start={day}&end={day}&town=Nelson", headers=headers).content)
    assert [r["event"] for r in rows] == ["Careers in policing: Nelson"]
    campaign = demo.asda.campaign_id
    _, rows = _table(
        client.get(f"/events.csv?start={day}&end={day}&campaign_id={campaign}", headers=headers).content
    )
    assert [r["event"] for r in rows] == ["Special constables: drop-in at Asda"]
    person = demo.people[12].id  # Nadia Rahman, recruiter at Burnley
    _, rows = _table(
        client.get(f"/events.csv?start={day}&end={day}&person_id={person}", headers=headers).content
    )
    assert [r["event"] for r in rows] == ["Careers in policing: Burnley"]


def test_events_csv_person_filter_is_refused_to_others(client: TestClient, make: Factory, demo: Demo) -> None:
    person = demo.people[12]
    assert client.get(f"/events.csv?person_id={person.id}").status_code == 403
    other_staff = make.headers("staff")
    assert client.get(f"/events.csv?person_id={person.id}", headers=other_staff).status_code == 403
    own = make.token(make.user("staff", person=person))
    assert client.get(f"/events.csv?person_id={person.id}", headers=own).status_code == 200


def test_events_csv_bad_dates_are_422(client: TestClient) -> None:
    response = client.get("/events.csv?start=2026-02-30", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "not a date" in response.json()["detail"]


def test_events_csv_keeps_cancelled_public_events(client: TestClient, make: Factory, demo: Demo) -> None:
    cancel_event(session=make.session, actor=SYSTEM, event_id=demo.asda.id or 0, reason="store refit")
    day = demo.day.isoformat()
    _, rows = _table(client.get(f"/events.csv?start={day}&end={day}").content)
    assert (
        next(r for r in rows if r["event_id"] == str(demo.asda.id))["status"] == EventStatus.cancelled.title()
    )
