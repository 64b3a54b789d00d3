"""The planning calendar pages: administrators keep local dates and patterns; coordinators read."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.service import SYSTEM
from app.planning import service
from tests.factories import Factory
from tests.forms import form_errors, post, sign_in

HOME = "/admin/planning-calendar"


def test_admin_adds_changes_and_removes_a_local_date(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("admin"))
    venue = make.venue("Nelson Library", town="Nelson")
    data = {
        "name": "Nelson Mela",
        "starts_on": "2027-07-24",
        "ends_on": "2027-07-23",
        "starts_time": "",
        "ends_time": "",
        "scope": "town",
        "town": "",
        "venue_id": "",
        "venue_kind": "",
        "note": "",
    }

    refused = post(client, f"{HOME}/local-dates/new", data)
    added = post(client, f"{HOME}/local-dates/new", {**data, "ends_on": "2027-07-24", "town": "Nelson"})
    (row,) = service.list_local_dates(session=db)
    form = client.get(f"{HOME}/local-dates/{row.id}/edit")
    changed = post(
        client,
        f"{HOME}/local-dates/{row.id}/edit",
        {
            **data,
            "ends_on": "2027-07-25",
            "scope": "venue",
            "venue_id": str(venue.id),
            "starts_time": "10:00",
        },
    )
    page = client.get(HOME)
    removed = post(client, f"{HOME}/local-dates/{row.id}/remove", {})

    assert form_errors(refused) == {
        "ends_on": "The last day must be on or after the first day",
        "town": "The town is required for a date in one town",
    }
    assert added.status_code == 303
    assert 'value="Nelson Mela"' in form.text
    assert changed.status_code == 303
    assert "Sat 24 Jul 2027 to Sun 25 Jul 2027" in page.text
    assert "at Nelson Library" in page.text
    assert removed.status_code == 303
    assert service.list_local_dates(session=db) == []


def test_admin_changes_a_weekly_pattern(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("admin"))
    friday = service.add_standard_patterns(session=db, actor=SYSTEM)[0]
    data = {
        "name": "Jumu'ah",
        "venue_kind": "mosque",
        "weekday": "4",
        "starts": "12:30",
        "end_weekday": "4",
        "ends": "13:30",
        "note": "",
        "active": "yes",
    }

    changed = post(client, f"{HOME}/weekly-patterns/{friday.id}/edit", data)
    page = client.get(HOME)

    assert changed.status_code == 303
    assert "Jumu&#39;ah" in page.text and "Friday 12:30–13:30" in page.text
    assert "Friday sunset to Saturday sunset" in page.text


def test_coordinator_reads_the_calendar_without_changing_it(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))

    page = client.get(HOME)
    form = client.get(f"{HOME}/local-dates/new")

    assert page.status_code == 200
    assert "Planning calendar" in page.text and "Add a local date" not in page.text
    assert form.status_code == 403


def test_staff_do_not_see_the_calendar_pages(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("staff"))

    assert client.get(HOME).status_code == 403
