"""The coordinator's people pages: adding and changing a person, their opt-ins and time away."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.people.models import Person, Representation
from tests.factories import Factory, fresh
from tests.forms import form_errors, post, sign_in


def test_add_person_with_taken_staff_number_says_who_has_it(client: TestClient, make: Factory) -> None:
    make.person("First Holder", staff_number="LC1234")
    sign_in(client, make.user("coordinator"))
    answer = post(
        client,
        "/plan/people/new",
        {
            "name": "New Person",
            "staff_number": "LC1234",
            "kind": "pcso",
            "monthly_limit": "3",
            "active": "yes",
        },
    )
    assert answer.status_code == 400
    assert "Staff number LC1234 already belongs to First Holder" in answer.text
    assert 'value="New Person"' in answer.text


def test_people_list_shows_networks_to_planners(client: TestClient, make: Factory) -> None:
    network = make.network("Sikh Police Association")
    make.represent(make.person("Harpreet Singh"), network)
    sign_in(client, make.user("coordinator"))
    page = client.get("/plan/people")
    assert "Sikh Police Association" in page.text
    filtered = client.get(f"/plan/people?network={network.id}")
    assert "Harpreet Singh" in filtered.text


def test_planner_records_opt_in_only_with_persons_request(
    client: TestClient, make: Factory, db: Session
) -> None:
    network = make.network()
    person = make.person()
    sign_in(client, make.user("coordinator"))
    refused = post(client, f"/plan/people/{person.id}/networks", {"network_id": network.id})
    assert refused.status_code == 400
    assert "Confirm that the person asked for this themselves" in refused.text
    saved = post(
        client, f"/plan/people/{person.id}/networks", {"network_id": network.id, "confirmed_by_person": "yes"}
    )
    assert saved.status_code == 303
    assert db.exec(select(Representation)).one().person_id == person.id


def test_planner_records_time_away_for_a_person(client: TestClient, make: Factory) -> None:
    person = make.person()
    sign_in(client, make.user("coordinator"))
    saved = post(
        client,
        f"/plan/people/{person.id}/unavailability",
        {
            "start_date": "2031-01-05",
            "end_date": "2031-01-05",
            "start_time": "09:00",
            "end_time": "13:00",
            "reason": "court",
        },
    )
    assert saved.status_code == 303
    page = client.get(f"/plan/people/{person.id}")
    assert "<strong>Court</strong>: Sun 5 Jan 2031, 09:00 to 13:00" in page.text


def test_person_edit_keeps_languages(client: TestClient, make: Factory, db: Session) -> None:
    person = make.person(languages=["Urdu", "Punjabi"])
    sign_in(client, make.user("coordinator"))
    form = client.get(f"/plan/people/{person.id}/edit").text
    assert 'value="Urdu, Punjabi"' in form
    post(
        client,
        f"/plan/people/{person.id}/edit",
        {
            "name": person.name,
            "staff_number": person.staff_number,
            "kind": "police_officer",
            "languages": "Urdu, Gujarati",
            "monthly_limit": "2",
            "active": "yes",
        },
    )
    assert fresh(db, Person, person.id).languages == ["Urdu", "Gujarati"]


def _api_words(answer: Response, field: str) -> str:
    assert answer.status_code == 422, answer.text
    return next(e["message"] for e in answer.json()["errors"] if e["field"] == field)


PERSON = {"name": "Aisha Hussain", "staff_number": "LC4321", "kind": "police_officer"}


@pytest.mark.parametrize(
    ("field", "form_value", "api_value", "api_field", "said"),
    [
        (
            "monthly_limit",
            "40",
            40,
            "monthly_limit",
            "The monthly limit must be a whole number between 0 and 31, like 4",
        ),
        (
            "rank_or_title",
            "Detective Chief Superintendent " * 5,
            "Detective Chief Superintendent " * 5,
            "rank_or_title",
            "The rank or title must be 120 characters or fewer",
        ),
        (
            "email",
            "aisha.hussain",
            "aisha.hussain",
            "email",
            "The e-mail address must be in the correct format, like name@example.org",
        ),
        (
            "languages",
            "Urdu, " + "Punjabi" * 10,
            ["Urdu", "Punjabi" * 10],
            "languages.1",
            "Each of the languages must be 60 characters or fewer",
        ),
        (
            "kind",
            "sheriff",
            "sheriff",
            "kind",
            "What they are must be one of 'police_officer', 'special_constable', 'pcso' or 'police_staff'",
        ),
    ],
)
def test_person_value_refused_in_the_same_words_by_api_and_form(
    client: TestClient,
    make: Factory,
    db: Session,
    field: str,
    form_value: str,
    api_value: object,
    api_field: str,
    said: str,
) -> None:
    coordinator = make.user("coordinator")
    api = client.post("/api/v1/people", json={**PERSON, field: api_value}, headers=make.token(coordinator))
    sign_in(client, coordinator)
    form = post(client, "/plan/people/new", {**PERSON, field: form_value, "active": "yes"})

    words = _api_words(api, api_field)
    assert said.endswith(words)
    assert form_errors(form) == {field: said}
    assert db.exec(select(Person)).all() == []


def test_person_change_refused_in_the_same_words_by_api_and_form(
    client: TestClient, make: Factory, db: Session
) -> None:
    person = make.person("Tom Walsh", monthly_limit=4)
    coordinator = make.user("coordinator")
    api = client.patch(
        f"/api/v1/people/{person.id}", json={"monthly_limit": -1}, headers=make.token(coordinator)
    )
    sign_in(client, coordinator)
    form = post(
        client,
        f"/plan/people/{person.id}/edit",
        {
            **PERSON,
            "name": person.name,
            "staff_number": person.staff_number,
            "monthly_limit": "-1",
            "active": "yes",
        },
    )

    assert _api_words(api, "monthly_limit") == "must be a whole number between 0 and 31, like 4"
    assert form_errors(form) == {
        "monthly_limit": "The monthly limit must be a whole number between 0 and 31, like 4"
    }
    assert fresh(db, Person, person.id).monthly_limit == 4


def test_person_form_asks_for_what_is_missing(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    answer = post(client, "/plan/people/new", {"name": " ", "staff_number": "", "kind": "", "active": "yes"})
    assert form_errors(answer) == {
        "name": "Enter the person's name",
        "staff_number": "Enter the staff number",
        "kind": "Select what they are",
    }


def test_person_edit_keeps_the_map_position_the_form_does_not_show(
    client: TestClient, make: Factory, db: Session
) -> None:
    person = make.person("Harpreet Singh", latitude=53.75, longitude=-2.48, monthly_limit=2)
    sign_in(client, make.user("coordinator"))
    saved = post(
        client,
        f"/plan/people/{person.id}/edit",
        {
            **PERSON,
            "name": person.name,
            "staff_number": person.staff_number,
            "base_town": "Burnley",
            "active": "yes",
        },
    )
    assert saved.status_code == 303
    changed = fresh(db, Person, person.id)
    assert (changed.base_town, changed.latitude, changed.longitude, changed.monthly_limit) == (
        "Burnley",
        53.75,
        -2.48,
        2,
    )


def test_person_weekly_limit_set_shown_and_cleared_by_form_and_api(
    client: TestClient, make: Factory, db: Session
) -> None:
    person = make.person("Tom Walsh")
    coordinator = make.user("coordinator")
    sign_in(client, coordinator)
    fields = {"name": person.name, "staff_number": person.staff_number, "kind": "police_officer"}
    post(
        client,
        f"/plan/people/{person.id}/edit",
        {**fields, "monthly_limit": "4", "max_duties_per_week": "1", "active": "yes"},
    )
    assert fresh(db, Person, person.id).max_duties_per_week == 1
    assert "Most events a week" in client.get(f"/plan/people/{person.id}").text
    assert (
        'name="max_duties_per_week" type="number" value="1"'
        in client.get(f"/plan/people/{person.id}/edit").text
    )
    assert (
        client.get(f"/api/v1/people/{person.id}", headers=make.token(coordinator)).json()[
            "max_duties_per_week"
        ]
        == 1
    )

    post(
        client,
        f"/plan/people/{person.id}/edit",
        {**fields, "monthly_limit": "4", "max_duties_per_week": "", "active": "yes"},
    )
    assert fresh(db, Person, person.id).max_duties_per_week is None

    refused = client.patch(
        f"/api/v1/people/{person.id}", json={"max_duties_per_week": 8}, headers=make.token(coordinator)
    )
    assert refused.status_code == 422
    assert _api_words(refused, "max_duties_per_week") == "must be a whole number between 0 and 7"
