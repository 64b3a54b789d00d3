"""Sign-in, sign-out, CSRF and the 403 page, through HTTP as a browser uses them."""

from fastapi.testclient import TestClient

from tests.factories import Factory
from tests.forms import csrf_of, form_errors, post, sign_in


def test_login_page_shows_form_with_csrf_token(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label class="label " for="email">E-mail address</label>' in page.text
    assert 'name="csrf_token"' in page.text


def test_login_wrong_password_shows_error_and_keeps_email(client: TestClient, make: Factory) -> None:
    user = make.user("coordinator", email="sam@muster.test")
    answer = post(client, "/login", {"email": user.email, "password": "not the password"})
    assert answer.status_code == 400
    assert "<title>Error: Sign in – Muster</title>" in answer.text
    assert "There is a problem" in answer.text
    assert form_errors(answer) == {"email": "The e-mail address or password is not right"}
    assert 'value="sam@muster.test"' in answer.text
    assert "not the password" not in answer.text


def test_login_empty_fields_name_each_field(client: TestClient) -> None:
    answer = post(client, "/login", {"email": "", "password": ""})
    assert form_errors(answer) == {"email": "Enter your e-mail address", "password": "Enter your password"}


def test_login_planner_lands_on_dashboard(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/plan"


def test_login_follows_same_site_next_only(client: TestClient, make: Factory) -> None:
    user = make.user("coordinator")
    from tests.factories import PASSWORD

    here = post(client, "/login", {"email": user.email, "password": PASSWORD, "next": "/plan/venues"})
    assert here.headers["location"] == "/plan/venues"
    client.cookies.clear()
    away = post(client, "/login", {"email": user.email, "password": PASSWORD, "next": "//evil.example/x"})
    assert away.headers["location"] == "/"


def test_post_without_csrf_token_is_refused_with_403_page(client: TestClient, make: Factory) -> None:
    user = make.user("coordinator")
    client.get("/login")
    answer = client.post("/login", data={"email": user.email, "password": "x"})
    assert answer.status_code == 403
    assert "You cannot see this page" in answer.text
    assert "This form has expired or was not sent from Muster" in answer.text


def test_post_with_token_of_another_session_is_refused(client: TestClient, make: Factory) -> None:
    token = csrf_of(client)
    client.cookies.clear()
    client.get("/login")
    answer = client.post("/login", data={"email": "a@b.c", "password": "x", "csrf_token": token})
    assert answer.status_code == 403


def test_logout_ends_the_session(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    assert client.get("/plan").status_code == 200
    copied = client.cookies.get("muster_session")
    answer = post(client, "/logout", token_from="/plan")
    assert answer.headers["location"] == "/login?signed_out=1"
    after = client.get("/plan", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"] == "/login?next=/plan"
    # The cookie copied before signing out is refused too: the session ended on the server.
    client.cookies.clear()
    client.cookies.set("muster_session", copied or "")
    replayed = client.get("/plan", follow_redirects=False)
    assert (replayed.status_code, replayed.headers["location"]) == (303, "/login?next=/plan")


def test_planner_page_without_sign_in_redirects_to_login(client: TestClient) -> None:
    answer = client.get("/plan/people", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/plan/people"


def test_staff_on_planner_page_gets_clear_403(client: TestClient, make: Factory) -> None:
    user = make.user("staff")
    sign_in(client, user)
    answer = client.get("/plan")
    assert answer.status_code == 403
    assert "You cannot see this page" in answer.text
    assert f"You are signed in as <strong>{user.email}</strong> (staff)" in answer.text


def test_partner_on_staff_page_gets_403(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("partner"))
    answer = client.get("/my")
    assert answer.status_code == 403
    assert "not linked to a person" in answer.text


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    answer = client.get("/no/such/page")
    assert answer.status_code == 404
    assert "Page not found" in answer.text


def test_pages_are_not_cached_when_signed_in(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    assert client.get("/plan").headers["cache-control"] == "no-store"
