"""Sessions kept on the server: a fresh id at every sign-in, idle and absolute limits, and
every way a session ends (sign-out, everywhere, password, deactivation, an administrator)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.pages import safe_next
from app.accounts.security import token_digest
from app.clock import utcnow
from tests.accounts.conftest import COOKIE, cookie_data, move_session, session_row, sessions_of
from tests.factories import Factory
from tests.forms import csrf_of, post, sign_in


def _refused(client: TestClient, path: str = "/my") -> bool:
    answer = client.get(path, follow_redirects=False)
    return answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"


def _replay(client: TestClient, cookie: str | None) -> TestClient:
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie or "")
    return client


def test_sign_in_keeps_only_a_random_id_in_the_cookie_and_its_hash_on_the_server(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("staff")
    sign_in(client, user)
    data = cookie_data(client)
    assert set(data) == {"sid", "csrf"}
    assert len(data["sid"]) >= 40
    row = session_row(db, client)
    assert (row.user_id, row.id_hash) == (user.id, token_digest(data["sid"]))
    assert row.revoked_at is None
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.user_agent == "testclient"
    db.refresh(user)
    assert user.last_sign_in_at is not None and utcnow() - user.last_sign_in_at < timedelta(minutes=1)
    assert client.get("/my").status_code == 200


def test_sign_in_rotates_the_session_id_and_the_csrf_token(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("staff")
    before = csrf_of(client)
    sign_in(client, user)
    first = cookie_data(client)
    assert first["csrf"] != before
    copied = client.cookies.get(COOKIE)

    sign_in(client, user)
    second = cookie_data(client)
    assert second["sid"] != first["sid"] and second["csrf"] != first["csrf"]
    assert client.get("/my").status_code == 200
    # The session the browser had before signing in again is over, copies included.
    assert [s.revoked_reason for s in sessions_of(db, user.id) if s.revoked_at] == ["signed in again"]
    with TestClient(client.app, base_url="https://muster.test") as other:
        assert _refused(_replay(other, copied))


def test_cookie_copied_before_logout_no_longer_opens_my(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("staff")
    sign_in(client, user)
    copied = client.cookies.get(COOKIE)
    row = session_row(db, client)
    assert post(client, "/logout", token_from="/my").headers["location"] == "/login?signed_out=1"
    assert _refused(_replay(client, copied))
    db.refresh(row)
    assert (row.revoked_at is not None, row.revoked_reason) == (True, "signed out")


def test_session_unused_for_the_idle_limit_ends(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("staff"))
    row = session_row(db, client)
    move_session(db, row, last_seen_at=timedelta(minutes=119))
    assert client.get("/my").status_code == 200
    move_session(db, row, last_seen_at=timedelta(minutes=121))
    assert _refused(client)
    # The dead id is dropped from the cookie.
    assert "sid" not in cookie_data(client)


def test_session_ends_at_its_absolute_limit_even_when_in_use(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("staff"))
    row = session_row(db, client)
    move_session(db, row, created_at=timedelta(hours=12), expires_at=timedelta(seconds=1))
    assert _refused(client)


def test_last_seen_is_written_at_most_once_a_minute(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("staff"))
    row = session_row(db, client)
    move_session(db, row, last_seen_at=timedelta(seconds=30))
    seen = session_row(db, client).last_seen_at
    assert client.get("/my").status_code == 200
    assert session_row(db, client).last_seen_at == seen
    move_session(db, row, last_seen_at=timedelta(minutes=5))
    assert client.get("/my").status_code == 200
    assert utcnow() - session_row(db, client).last_seen_at < timedelta(seconds=30)


def test_sign_out_everywhere_ends_every_browser(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("staff")
    with TestClient(client.app, base_url="https://muster.test") as phone:
        sign_in(phone, user)
        sign_in(client, user)
        page = client.get("/account")
        assert page.status_code == 200
        assert page.text.count("testclient") == 2
        assert "This browser" in page.text
        answer = post(client, "/account/sign-out-everywhere", token_from="/account")
        assert answer.headers["location"] == "/login?signed_out=everywhere"
        assert (
            "You have signed out of Muster in every browser." in client.get(answer.headers["location"]).text
        )
        assert _refused(client) and _refused(phone)
    assert all(s.revoked_reason == "signed out everywhere" for s in sessions_of(db, user.id))


def test_password_change_ends_every_session(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("staff")
    sign_in(client, user)
    changed = client.patch(
        f"/api/v1/users/{user.id}", json={"password": "a brand new password"}, headers=make.headers("admin")
    )
    assert changed.status_code == 200
    assert _refused(client)
    assert [s.revoked_reason for s in sessions_of(db, user.id)] == ["password changed"]


def test_deactivation_ends_every_session_and_reactivation_revives_none(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("staff")
    admin = make.headers("admin")
    sign_in(client, user)
    copied = client.cookies.get(COOKIE)
    assert client.patch(f"/api/v1/users/{user.id}", json={"active": False}, headers=admin).status_code == 200
    assert _refused(client)
    assert client.patch(f"/api/v1/users/{user.id}", json={"active": True}, headers=admin).status_code == 200
    assert _refused(_replay(client, copied))
    assert [s.revoked_reason for s in sessions_of(db, user.id)] == ["deactivated"]


def test_administrator_signs_a_user_out_everywhere_by_api(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("coordinator")
    sign_in(client, user)
    answer = client.post(f"/api/v1/users/{user.id}/sessions/revoke", headers=make.headers("admin"))
    assert (answer.status_code, answer.json()) == (200, {"ended": 1})
    assert _refused(client, "/plan")
    assert sessions_of(db, user.id)[0].revoked_reason.startswith("signed out by admin")


def test_administrator_signs_a_user_out_everywhere_from_their_page(client: TestClient, make: Factory) -> None:
    user = make.user("staff")
    with TestClient(client.app, base_url="https://muster.test") as theirs:
        sign_in(theirs, user)
        sign_in(client, make.user("admin"))
        page = client.get(f"/admin/users/{user.id}")
        assert "Sign them out everywhere" in page.text
        answer = post(
            client, f"/admin/users/{user.id}/sign-out-everywhere", token_from=f"/admin/users/{user.id}"
        )
        assert answer.headers["location"] == f"/admin/users/{user.id}"
        assert f"Signed {user.email} out of 1 browser." in client.get(answer.headers["location"]).text
        assert _refused(theirs)
    assert client.get("/admin/users").status_code == 200


def test_session_of_a_user_deactivated_behind_its_back_is_refused(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("staff")
    sign_in(client, user)
    row = db.get(User, user.id)
    assert row is not None
    row.active = False
    db.add(row)
    db.commit()
    assert _refused(client)


# --- never a redirect loop, never a way off-site -------------------------------------------


def test_invalid_bearer_token_on_the_login_page_is_a_401_page_not_a_redirect(client: TestClient) -> None:
    bad = {"Authorization": "Bearer mst_not-a-real-token"}
    login = client.get("/login", headers=bad, follow_redirects=False)
    assert login.status_code == 401
    assert "location" not in login.headers
    assert "The API token is not known" in login.text
    page = client.get("/plan", headers=bad, follow_redirects=False)
    assert (page.status_code, page.headers.get("location")) == (401, None)


def test_login_page_never_redirects_to_itself(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    for next_url in ("/login", "/login?next=/login", "/%6Cogin", "/logout", "/login/"):
        answer = client.get("/login", params={"next": next_url}, follow_redirects=False)
        assert answer.status_code == 200, next_url
    assert client.get("/login?next=/plan", follow_redirects=False).headers["location"] == "/plan"


def test_safe_next_refuses_the_login_page_and_other_sites() -> None:
    for refused in (
        "/login",
        "/login?next=/plan",
        "/%6cogin",
        "/logout",
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "/%2F%2Fevil.example",
        "plan",
        None,
    ):
        assert safe_next(refused) == "", refused
    for kept in ("/", "/plan", "/plan/events/3?view=week", "/my/login-help", "/loginx"):
        assert safe_next(kept) == kept


def test_signed_out_page_request_goes_to_login_with_the_way_back(client: TestClient) -> None:
    answer = client.get("/plan/events", follow_redirects=False)
    assert answer.headers["location"] == "/login?next=/plan/events"
    assert client.get("/account", follow_redirects=False).headers["location"] == "/login?next=/account"
