"""Managing venues, campaigns, people, networks, users, and reading the audit trail."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import User, UserVenue
from app.campaigns.models import Campaign
from app.people.models import Person, Representation
from app.venues.models import Venue
from tests.factories import Factory
from tests.pages.conftest import post, sign_in


def _planner(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))


def test_add_venue_with_errors_then_fixed(client: TestClient, make: Factory, db: Session) -> None:
    _planner(client, make)
    data = {"name": "", "kind": "supermarket", "town": "Blackburn", "latitude": "north", "active": "yes"}
    refused = post(client, "/plan/venues/new", data)
    assert refused.status_code == 400
    assert '<a href="#name">Enter the venue&#39;s name</a>' in refused.text
    assert (
        '<a href="#latitude">Enter the latitude as a number between -90 and 90, like 53.748</a>'
        in refused.text
    )
    assert 'value="Blackburn"' in refused.text
    saved = post(client, "/plan/venues/new", {**data, "name": "Asda Grimshaw Park", "latitude": "53.74"})
    assert saved.status_code == 303
    venue = db.exec(select(Venue)).one()
    assert (venue.name, venue.kind, venue.latitude) == ("Asda Grimshaw Park", "supermarket", 53.74)


def test_venue_page_shows_partner_contacts_to_planner(client: TestClient, make: Factory) -> None:
    venue = make.venue(contact_name="Partnership manager", contact_phone="0800 169 0190")
    _planner(client, make)
    page = client.get(f"/plan/venues/{venue.id}")
    assert "Partnership manager" in page.text and "0800 169 0190" in page.text


def test_add_campaign_refuses_end_before_start(client: TestClient, make: Factory, db: Session) -> None:
    _planner(client, make)
    data = {"name": "Specials", "starts_on": "2027-03-01", "ends_on": "2027-02-01"}
    refused = post(client, "/plan/campaigns/new", data)
    assert refused.status_code == 400
    assert '<a href="#ends_on">The last day must be the same as or after the first day</a>' in refused.text
    saved = post(
        client,
        "/plan/campaigns/new",
        {
            **data,
            "ends_on": "2027-04-30",
            "roles_recruited": "Special constable",
            "target_label_1": "ethnic-minority officers",
            "baseline_1": "97",
            "target_1": "111",
        },
    )
    assert saved.status_code == 303
    campaign = db.exec(select(Campaign)).one()
    assert campaign.targets == [{"label": "ethnic-minority officers", "target": 111, "baseline": 97}]
    assert campaign.roles_recruited == ["Special constable"]


def test_add_person_with_taken_staff_number_says_who_has_it(client: TestClient, make: Factory) -> None:
    make.person("First Holder", staff_number="LC1234")
    _planner(client, make)
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
    _planner(client, make)
    page = client.get("/plan/people")
    assert "Sikh Police Association" in page.text
    filtered = client.get(f"/plan/people?network={network.id}")
    assert "Harpreet Singh" in filtered.text


def test_planner_records_opt_in_only_with_persons_request(
    client: TestClient, make: Factory, db: Session
) -> None:
    network = make.network()
    person = make.person()
    _planner(client, make)
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
    _planner(client, make)
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
    assert "<strong>Court</strong>: Sun 5 Jan 09:00 to Sun 5 Jan 2031 13:00" in page.text


def test_admin_creates_partner_user_linked_to_venues(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    sign_in(client, make.user("admin"))
    refused = post(
        client,
        "/admin/users/new",
        {"email": "p@jcp.example", "full_name": "JCP", "role": "partner", "password": "long enough password"},
    )
    assert refused.status_code == 400
    assert "Select the venues this partner speaks for" in refused.text
    assert "long enough password" not in refused.text
    saved = post(
        client,
        "/admin/users/new",
        {
            "email": "p@jcp.example",
            "full_name": "JCP",
            "role": "partner",
            "password": "long enough password",
            "venue_ids": [venue.id],
        },
    )
    assert saved.status_code == 303
    user = db.exec(select(User).where(User.email == "p@jcp.example")).one()
    assert db.exec(select(UserVenue.venue_id).where(UserVenue.user_id == user.id)).all() == [venue.id]


def test_coordinator_cannot_manage_users(client: TestClient, make: Factory) -> None:
    _planner(client, make)
    assert client.get("/admin/users").status_code == 403


def test_admin_cannot_remove_own_admin_role(client: TestClient, make: Factory) -> None:
    admin = make.user("admin")
    sign_in(client, admin)
    answer = post(client, f"/admin/users/{admin.id}", {"full_name": "Me", "role": "staff", "active": "yes"})
    assert answer.status_code == 400
    assert "You cannot take away your own administrator access" in answer.text


def test_audit_view_shows_who_changed_an_event(client: TestClient, make: Factory) -> None:
    event = make.event(title="Audited")
    coordinator = make.user("coordinator", email="sgt@muster.test")
    sign_in(client, coordinator)
    post(client, f"/plan/events/{event.id}/status", {"status": "confirmed"})
    page = client.get(f"/plan/audit?record_type=event&record_id={event.id}")
    assert "sgt@muster.test" in page.text
    assert "event &#39;Audited&#39; draft → confirmed" in page.text
    assert "<code>status</code>: <del>draft</del> → <ins>confirmed</ins>" in page.text


def test_person_edit_keeps_languages(client: TestClient, make: Factory, db: Session) -> None:
    person = make.person(languages=["Urdu", "Punjabi"])
    _planner(client, make)
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
    db.expire_all()
    assert db.get(Person, person.id).languages == ["Urdu", "Gujarati"]
