"""The coordinator's venue pages: adding and changing a venue, and its page."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.venues.models import Venue
from tests.factories import Factory, fresh
from tests.forms import form_errors, post, sign_in


def test_add_venue_with_errors_then_fixed(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("coordinator"))
    data = {"name": "", "kind": "supermarket", "town": "Blackburn", "latitude": "north", "active": "yes"}
    refused = post(client, "/plan/venues/new", data)
    assert form_errors(refused) == {
        "name": "Enter the venue's name",
        "latitude": "The latitude must be a number between -90 and 90, like 53.748",
    }
    assert 'value="Blackburn"' in refused.text
    saved = post(client, "/plan/venues/new", {**data, "name": "Asda Grimshaw Park", "latitude": "53.74"})
    assert saved.status_code == 303
    venue = db.exec(select(Venue)).one()
    assert (venue.name, venue.kind, venue.latitude) == ("Asda Grimshaw Park", "supermarket", 53.74)


def test_venue_page_shows_partner_contacts_to_planner(client: TestClient, make: Factory) -> None:
    venue = make.venue(contact_name="Partnership manager", contact_phone="0800 169 0190")
    sign_in(client, make.user("coordinator"))
    page = client.get(f"/plan/venues/{venue.id}")
    assert "Partnership manager" in page.text and "0800 169 0190" in page.text


def _api_words(answer: Response, field: str) -> str:
    assert answer.status_code == 422, answer.text
    return next(e["message"] for e in answer.json()["errors"] if e["field"] == field)


@pytest.mark.parametrize(
    ("field", "value", "words", "title"),
    [
        ("latitude", "95", "must be a number between -90 and 90, like 53.748", "The latitude"),
        ("name", "J" * 201, "must be 200 characters or fewer", "The venue's name"),
        ("address", "1 High Street " * 40, "must be 500 characters or fewer", "The address"),
        (
            "contact_email",
            "jcp.burnley.example.org",
            "must be in the correct format, like name@example.org",
            "The contact's e-mail address",
        ),
        (
            "kind",
            "castle",
            "must be one of 'job_centre', 'supermarket', 'community_centre', 'mosque', "
            "'gurdwara', 'mandir', 'synagogue', 'church', 'place_of_worship', 'college', "
            "'library', 'sports_club' or 'other'",
            "The kind of venue",
        ),
    ],
)
def test_venue_value_refused_in_the_same_words_by_api_and_form(
    client: TestClient, make: Factory, db: Session, field: str, value: str, words: str, title: str
) -> None:
    coordinator = make.user("coordinator")
    body = {"name": "Jobcentre Plus Burnley", "kind": "job_centre", field: value}
    api = client.post("/api/v1/venues", json=body, headers=make.token(coordinator))
    sign_in(client, coordinator)
    form = post(client, "/plan/venues/new", {**body, "active": "yes"})

    assert _api_words(api, field) == words
    assert form_errors(form) == {field: f"{title} {words}"}
    assert db.exec(select(Venue)).all() == []


def test_venue_change_refused_in_the_same_words_by_api_and_form(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue(name="Jobcentre Plus Nelson")
    coordinator = make.user("coordinator")
    api = client.patch(
        f"/api/v1/venues/{venue.id}", json={"postcode": "BB9 7SZ BB9 7SZ"}, headers=make.token(coordinator)
    )
    sign_in(client, coordinator)
    form = post(
        client,
        f"/plan/venues/{venue.id}/edit",
        {"name": venue.name, "kind": "job_centre", "postcode": "BB9 7SZ BB9 7SZ", "active": "yes"},
    )

    assert _api_words(api, "postcode") == "must be 12 characters or fewer"
    assert form_errors(form) == {"postcode": "The postcode must be 12 characters or fewer"}
    assert fresh(db, Venue, venue.id).postcode == venue.postcode


def test_venue_edit_clears_the_map_position(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue(name="Asda Grimshaw Park", latitude=53.74, longitude=-2.47)
    sign_in(client, make.user("coordinator"))
    form = client.get(f"/plan/venues/{venue.id}/edit").text
    assert 'value="53.74"' in form
    saved = post(
        client,
        f"/plan/venues/{venue.id}/edit",
        {"name": venue.name, "kind": "supermarket", "latitude": "", "longitude": "", "active": "yes"},
    )
    assert saved.status_code == 303
    assert (fresh(db, Venue, venue.id).latitude, fresh(db, Venue, venue.id).longitude) == (None, None)
