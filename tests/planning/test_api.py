"""Local dates and weekly patterns over the API: administrators write, coordinators read."""

from fastapi.testclient import TestClient

from app.planning.service import STANDARD_PATTERNS
from tests.factories import Factory

LOCAL = "/api/v1/planning-calendar/local-dates"
PATTERNS = "/api/v1/planning-calendar/weekly-patterns"


def test_local_date_added_changed_and_removed(client: TestClient, make: Factory) -> None:
    admin = make.headers("admin")
    venue = make.venue("Nelson Library", town="Nelson")
    body = {
        "name": "Stocktake",
        "starts_on": "2027-07-12",
        "ends_on": "2027-07-13",
        "starts_time": "9:30",
        "scope": "venue",
        "venue_id": venue.id,
        "town": "ignored for a venue",
    }

    created = client.post(LOCAL, json=body, headers=admin)
    local_date_id = created.json()["id"]
    changed = client.patch(
        f"{LOCAL}/{local_date_id}",
        json={"scope": "town", "town": "Nelson", "starts_time": None},
        headers={**admin, "If-Match": '"0"'},
    )
    stale = client.patch(
        f"{LOCAL}/{local_date_id}", json={"note": "late"}, headers={**admin, "If-Match": '"0"'}
    )
    removed = client.delete(f"{LOCAL}/{local_date_id}", headers=admin)
    gone = client.get(f"{LOCAL}/{local_date_id}", headers=admin)

    assert created.status_code == 201, created.text
    assert {
        k: created.json()[k] for k in ("starts_time", "ends_time", "scope", "town", "venue_id", "venue_kind")
    } == {
        "starts_time": "09:30",
        "ends_time": None,
        "scope": "venue",
        "town": "",
        "venue_id": venue.id,
        "venue_kind": "",
    }
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("starts_time", "scope", "town", "venue_id", "revision")} == {
        "starts_time": None,
        "scope": "town",
        "town": "Nelson",
        "venue_id": None,
        "revision": 1,
    }
    assert stale.status_code == 412
    assert removed.status_code == 204
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"local date {local_date_id} does not exist"


def test_local_date_refusals_in_words(client: TestClient, make: Factory) -> None:
    admin = make.headers("admin")
    base = {"name": "Mela", "starts_on": "2027-07-24", "ends_on": "2027-07-24"}
    cases = [
        ({"ends_on": "2027-07-23"}, "ends_on", "must be on or after the first day"),
        ({"starts_time": "14:00", "ends_time": "10:00"}, "ends_time", "must be after the start time"),
        ({"scope": "town"}, "town", "is required for a date in one town"),
        ({"scope": "venue"}, "venue_id", "is required for a date at one venue"),
        ({"scope": "venue_kind"}, "venue_kind", "is required for a date at one kind of venue"),
        ({"starts_time": "25:00"}, "starts_time", "must be a time of day, like 13:00"),
        ({"starts_on": "1999-12-31"}, "starts_on", "must be between 2000-01-01 and 2100-12-31"),
    ]
    for change, field, words in cases:
        answer = client.post(LOCAL, json={**base, **change}, headers=admin)
        assert answer.status_code == 422, (change, answer.text)
        assert {"field": field, "message": words} in answer.json()["errors"], answer.json()["errors"]


def test_local_date_at_an_unknown_venue_is_404(client: TestClient, make: Factory) -> None:
    body = {
        "name": "Closed",
        "starts_on": "2027-07-24",
        "ends_on": "2027-07-24",
        "scope": "venue",
        "venue_id": 404,
    }

    answer = client.post(LOCAL, json=body, headers=make.headers("admin"))

    assert answer.status_code == 404
    assert answer.json()["detail"] == "venue 404 does not exist"


def test_local_date_patch_checked_as_a_whole(client: TestClient, make: Factory) -> None:
    admin = make.headers("admin")
    created = client.post(
        LOCAL, json={"name": "Half term", "starts_on": "2027-10-25", "ends_on": "2027-10-29"}, headers=admin
    ).json()

    answer = client.patch(f"{LOCAL}/{created['id']}", json={"ends_on": "2027-10-01"}, headers=admin)

    assert answer.status_code == 422
    assert answer.json()["detail"] == "ends_on: must be on or after the first day"


def test_coordinator_reads_but_does_not_write(client: TestClient, make: Factory) -> None:
    coordinator = make.headers("coordinator")
    admin = make.headers("admin")
    client.post(
        LOCAL, json={"name": "Half term", "starts_on": "2027-10-25", "ends_on": "2027-10-29"}, headers=admin
    )

    listed = client.get(LOCAL, params={"start": "2027-10-01", "end": "2027-10-31"}, headers=coordinator)
    refused = client.post(
        LOCAL, json={"name": "Mela", "starts_on": "2027-07-24", "ends_on": "2027-07-24"}, headers=coordinator
    )

    assert [r["name"] for r in listed.json()] == ["Half term"]
    assert refused.status_code == 403


def test_weekly_pattern_added_changed_and_removed(client: TestClient, make: Factory) -> None:
    admin = make.headers("admin")
    body = {
        "name": "Langar",
        "venue_kind": "gurdwara",
        "weekday": 6,
        "starts": "12:00",
        "end_weekday": 6,
        "ends": "14:00",
    }

    created = client.post(PATTERNS, json=body, headers=admin)
    pattern_id = created.json()["id"]
    to_sunset = client.patch(f"{PATTERNS}/{pattern_id}", json={"ends": None}, headers=admin)
    after_sunset = client.patch(
        f"{PATTERNS}/{pattern_id}", json={"ends": None, "end_weekday": 0}, headers=admin
    )
    removed = client.delete(f"{PATTERNS}/{pattern_id}", headers=admin)

    assert created.status_code == 201, created.text
    assert to_sunset.status_code == 200, to_sunset.text
    assert (to_sunset.json()["ends"], to_sunset.json()["revision"]) == (None, 1)
    assert (after_sunset.json()["end_weekday"], after_sunset.json()["revision"]) == (0, 2)
    assert removed.status_code == 204
    assert client.get(PATTERNS, headers=admin).json() == []


def test_weekly_pattern_refusals_in_words(client: TestClient, make: Factory) -> None:
    admin = make.headers("admin")
    base = dict(STANDARD_PATTERNS[0])  # Friday prayers at mosques, 13:00 to 14:00
    cases = [
        ({"ends": "12:00"}, "ends", "must be after the start time on the same day"),
        (
            {"starts": None, "ends": None},
            "ends",
            "must be a time, or a later day, when the pattern starts at sunset",
        ),
        ({"weekday": 7}, "weekday", "must be a whole number between 0 and 6, like 4"),
        ({"venue_kind": "castle"}, "venue_kind", None),
    ]
    for change, field, words in cases:
        answer = client.post(PATTERNS, json={**base, **change}, headers=admin)
        assert answer.status_code == 422, (change, answer.text)
        fields = {e["field"]: e["message"] for e in answer.json()["errors"]}
        assert field in fields and (words is None or fields[field] == words), fields
