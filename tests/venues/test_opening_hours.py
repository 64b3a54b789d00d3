"""A venue's opening hours: set and read over the API and on the coordinator's form."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.venues import hours
from tests.factories import Factory
from tests.forms import form_errors, post, sign_in

WEEKDAYS_9_TO_5 = [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(5)]


def test_opening_hours_set_and_read_over_the_api(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    body = {"name": "Jobcentre Plus Burnley", "kind": "job_centre", "opening_hours": WEEKDAYS_9_TO_5}

    created = client.post("/api/v1/venues", json=body, headers=headers)

    assert created.status_code == 201, created.text
    assert created.json()["opening_hours"] == WEEKDAYS_9_TO_5
    listed = client.get("/api/v1/venues", headers=headers).json()["items"]
    assert listed[0]["opening_hours"] == WEEKDAYS_9_TO_5


def test_opening_hours_change_is_a_new_revision_and_kept_when_not_sent(
    client: TestClient, make: Factory
) -> None:
    headers = make.headers("coordinator")
    venue = make.venue(opening_hours=WEEKDAYS_9_TO_5)
    saturday = [*WEEKDAYS_9_TO_5, {"weekday": 5, "opens": "10:00", "closes": "13:00"}]

    changed = client.patch(f"/api/v1/venues/{venue.id}", json={"opening_hours": saturday}, headers=headers)
    notes_only = client.patch(
        f"/api/v1/venues/{venue.id}", json={"opening_notes": "Lunch 13-14"}, headers=headers
    )
    cleared = client.patch(f"/api/v1/venues/{venue.id}", json={"opening_hours": []}, headers=headers)

    assert (changed.json()["revision"], changed.json()["opening_hours"]) == (1, saturday)
    assert (notes_only.json()["revision"], notes_only.json()["opening_hours"]) == (2, saturday)
    assert (cleared.json()["revision"], cleared.json()["opening_hours"]) == (3, [])


def test_opening_hours_refused_in_words(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    venue = make.venue()
    cases = [
        (
            [{"weekday": 0, "opens": "17:00", "closes": "09:00"}],
            "opening_hours.0.closes",
            "must be after the opening time",
        ),
        (
            [{"weekday": 0, "opens": "9am", "closes": "17:00"}],
            "opening_hours.0.opens",
            "must be a time of day, like 13:00",
        ),
        (
            [{"weekday": 7, "opens": "09:00", "closes": "17:00"}],
            "opening_hours.0.weekday",
            "must be a whole number between 0 and 6, like 4",
        ),
        (WEEKDAYS_9_TO_5[:1] * 2, "opening_hours", "may list each weekday once"),
    ]
    for week, field, words in cases:
        answer = client.patch(f"/api/v1/venues/{venue.id}", json={"opening_hours": week}, headers=headers)
        assert answer.status_code == 422, answer.text
        assert {"field": field, "message": words} in answer.json()["errors"]


def test_partner_sets_their_venues_opening_hours(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    headers = make.headers("partner", venues=[venue])

    answer = client.patch(
        f"/api/v1/venues/{venue.id}", json={"opening_hours": WEEKDAYS_9_TO_5}, headers=headers
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["opening_hours"] == WEEKDAYS_9_TO_5


def test_opening_hours_on_the_venue_form(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("coordinator"))
    venue = make.venue("Jobcentre Plus Nelson", opening_notes="Ring the bell")
    data = {
        "name": venue.name,
        "kind": "job_centre",
        "town": "Nelson",
        "active": "yes",
        "opening_notes": "Ring the bell",
    }
    week = {f"opens_{d}": "09:00" for d in range(5)} | {f"closes_{d}": "17:00" for d in range(5)}

    refused = post(
        client, f"/plan/venues/{venue.id}/edit", {**data, **week, "closes_2": "", "opens_6": "25:00"}
    )
    saved = post(client, f"/plan/venues/{venue.id}/edit", {**data, **week})
    edit = client.get(f"/plan/venues/{venue.id}/edit")
    page = client.get(f"/plan/venues/{venue.id}")

    assert form_errors(refused) == {
        "closes_2": "Enter Wednesday's closing time",
        "opens_6": "Sunday's opening time must be a time of day, like 13:00",
        "closes_6": "Enter Sunday's closing time",
    }
    assert saved.status_code == 303
    assert [(d.weekday, d.opens, d.closes) for d in hours.week_of(session=db, venue_id=venue.id or 0)] == [
        (d, "09:00", "17:00") for d in range(5)
    ]
    assert 'name="opens_4" type="time" value="09:00"' in edit.text
    assert (
        "Mon 09:00–17:00, Tue 09:00–17:00, Wed 09:00–17:00, Thu 09:00–17:00, Fri 09:00–17:00; closed Sat, Sun"
        in page.text
    )
    assert "Ring the bell" in page.text
