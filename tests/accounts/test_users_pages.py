"""The administrators' user pages: adding a sign-in, changing one, and who may."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import User, UserVenue
from tests.factories import Factory
from tests.forms import form_errors, post, sign_in


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
    sign_in(client, make.user("coordinator"))
    assert client.get("/admin/users").status_code == 403


def test_admin_cannot_remove_own_admin_role(client: TestClient, make: Factory) -> None:
    admin = make.user("admin")
    sign_in(client, admin)
    answer = post(client, f"/admin/users/{admin.id}", {"full_name": "Me", "role": "staff", "active": "yes"})
    assert answer.status_code == 400
    assert "You cannot take away your own administrator access" in answer.text


def test_user_email_refused_in_the_same_words_by_api_and_form(client: TestClient, make: Factory) -> None:
    admin = make.user("admin")
    body = {"email": "sergeant.lancashire", "full_name": "Sgt Khan", "role": "coordinator"}
    api = client.post(
        "/api/v1/users", json={**body, "password": "long enough password"}, headers=make.token(admin)
    )
    sign_in(client, admin)
    form = post(client, "/admin/users/new", {**body, "password": "long enough password"})

    assert api.json()["errors"] == [
        {"field": "email", "message": "must be in the correct format, like name@example.org"}
    ]
    assert form_errors(form) == {
        "email": "The e-mail address must be in the correct format, like name@example.org"
    }


def test_user_password_too_short_is_refused_in_the_same_words(client: TestClient, make: Factory) -> None:
    admin = make.user("admin")
    user = make.user("coordinator")
    api = client.patch(f"/api/v1/users/{user.id}", json={"password": "short"}, headers=make.token(admin))
    sign_in(client, admin)
    form = post(
        client,
        f"/admin/users/{user.id}",
        {"full_name": "Sgt Khan", "role": "coordinator", "active": "yes", "password": "short"},
    )

    assert api.json()["errors"] == [{"field": "password", "message": "must be at least 10 characters"}]
    assert form_errors(form) == {"password": "The password must be at least 10 characters"}
    assert 'value="short"' not in form.text


def test_admin_links_a_staff_sign_in_by_staff_number(client: TestClient, make: Factory, db: Session) -> None:
    person = make.person("Aisha Hussain", staff_number="LC1234")
    sign_in(client, make.user("admin"))
    unknown = post(
        client,
        "/admin/users/new",
        {
            "email": "a@muster.test",
            "full_name": "Aisha",
            "role": "staff",
            "staff_number": "LC9999",
            "password": "x" * 12,
        },
    )
    assert "No person has the staff number LC9999" in unknown.text
    saved = post(
        client,
        "/admin/users/new",
        {
            "email": "a@muster.test",
            "full_name": "Aisha",
            "role": "staff",
            "staff_number": "LC1234",
            "password": "x" * 12,
        },
    )
    assert saved.status_code == 303
    assert db.exec(select(User).where(User.email == "a@muster.test")).one().person_id == person.id
    listed = client.get("/admin/users").text
    assert f'<a href="/plan/people/{person.id}">Aisha Hussain</a>' in listed
