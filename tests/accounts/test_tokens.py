"""API tokens: named, expiring, listed and revoked by their owner and by administrators,
revoked with a password change or deactivation, and a 401 that says why."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.accounts import service as accounts
from app.accounts.models import ApiToken
from app.audit.service import SYSTEM
from app.cli import cli
from app.clock import utcnow
from app.errors import Unauthorized
from tests.factories import Factory, fresh
from tests.forms import csrf_of, form_errors, post, sign_in


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _life(row: ApiToken) -> timedelta:
    assert row.expires_at is not None
    return row.expires_at - row.created_at


def _move(db: Session, token_id: int, **values: object) -> None:
    db.execute(sa.update(ApiToken).where(col(ApiToken.id) == token_id).values(**values))
    db.commit()


def test_owner_makes_a_named_token_shown_once_that_expires_in_90_days(
    client: TestClient, make: Factory
) -> None:
    me = make.headers("staff")
    made = client.post("/api/v1/me/tokens", json={"name": "Rota spreadsheet"}, headers=me)
    assert made.status_code == 201
    body = made.json()
    assert body["token"].startswith("mst_") and body["name"] == "Rota spreadsheet"
    assert body["state"] == "active"
    assert client.get("/api/v1/me", headers=_bearer(body["token"])).status_code == 200
    listed = client.get("/api/v1/me/tokens", headers=me).json()
    assert [t["name"] for t in listed] == ["Rota spreadsheet", ""]
    assert all("token" not in t and "token_hash" not in t for t in listed)


def test_token_made_before_tokens_expired_lasts_a_year_from_its_making(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("staff")
    token = accounts.create_api_token(session=db, actor=SYSTEM, email=user.email)
    row = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.id is not None
    _move(db, row.id, expires_at=None, created_at=utcnow() - timedelta(days=300))
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    _move(db, row.id, created_at=utcnow() - timedelta(days=366))
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_token_life_is_1_to_365_days(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("coordinator"))  # signed in: no token to cap the new ones' life
    me: dict[str, str] = {}
    for days in (0, 366, -1):
        refused = client.post("/api/v1/me/tokens", json={"name": "x", "expires_in_days": days}, headers=me)
        assert refused.status_code == 422, days
    assert client.post("/api/v1/me/tokens", json={"expires_in_days": 5}, headers=me).status_code == 422
    assert client.post("/api/v1/me/tokens", json={"name": "a\nb"}, headers=me).status_code == 422
    year = client.post("/api/v1/me/tokens", json={"name": "year", "expires_in_days": 365}, headers=me)
    assert year.status_code == 201
    assert _life(fresh(db, ApiToken, year.json()["id"])) == timedelta(days=365)
    default = client.post("/api/v1/me/tokens", json={"name": "default"}, headers=me).json()
    assert _life(fresh(db, ApiToken, default["id"])) == timedelta(days=90)


def test_expired_token_is_401_saying_it_expired(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("coordinator")
    token = accounts.create_api_token(session=db, actor=SYSTEM, email=user.email, expires_in_days=1)
    row = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.id is not None
    _move(db, row.id, expires_at=utcnow() - timedelta(seconds=1))
    answer = client.get("/api/v1/me", headers=_bearer(token))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["detail"].startswith("the API token expired on ")
    assert client.get("/api/v1/me/tokens", headers=make.token(user)).json()[1]["state"] == "expired"


def test_revoked_token_is_401_saying_it_was_revoked(client: TestClient, make: Factory) -> None:
    me = make.headers("staff")
    made = client.post("/api/v1/me/tokens", json={"name": "laptop"}, headers=me).json()
    assert client.delete(f"/api/v1/me/tokens/{made['id']}", headers=me).status_code == 204
    answer = client.get("/api/v1/me", headers=_bearer(made["token"]))
    assert answer.status_code == 401
    assert answer.json()["detail"].startswith("the API token was revoked on ")
    assert client.get("/api/v1/me/tokens", headers=me).json()[0]["state"] == "revoked"
    # Revoking again changes nothing.
    assert client.delete(f"/api/v1/me/tokens/{made['id']}", headers=me).status_code == 204


def test_owner_cannot_see_or_revoke_anyone_elses_token(client: TestClient, make: Factory) -> None:
    theirs = client.post("/api/v1/me/tokens", json={"name": "theirs"}, headers=make.headers("staff")).json()
    me = make.headers("coordinator")
    assert client.delete(f"/api/v1/me/tokens/{theirs['id']}", headers=me).status_code == 404
    assert theirs["id"] not in [t["id"] for t in client.get("/api/v1/me/tokens", headers=me).json()]
    assert client.get("/api/v1/me", headers=_bearer(theirs["token"])).status_code == 200


def test_administrator_lists_and_revokes_a_users_tokens(client: TestClient, make: Factory) -> None:
    user = make.user("partner")
    made = client.post("/api/v1/me/tokens", json={"name": "venue app"}, headers=make.token(user)).json()
    admin = make.headers("admin")
    listed = client.get(f"/api/v1/users/{user.id}/tokens", headers=admin)
    assert [t["name"] for t in listed.json()] == ["venue app", ""]
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(made["token"])).status_code == 401
    assert client.delete("/api/v1/tokens/999999", headers=admin).status_code == 404
    assert client.get("/api/v1/users/999999/tokens", headers=admin).status_code == 404


def test_last_used_is_written_at_most_once_a_minute(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("staff")
    token = accounts.create_api_token(session=db, actor=SYSTEM, email=user.email, name="t")
    row = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.id is not None and row.last_used_at is None
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    first = fresh(db, ApiToken, row.id).last_used_at
    assert first is not None
    _move(db, row.id, last_used_at=utcnow() - timedelta(seconds=30))
    held = fresh(db, ApiToken, row.id).last_used_at
    client.get("/api/v1/me", headers=_bearer(token))
    assert fresh(db, ApiToken, row.id).last_used_at == held
    _move(db, row.id, last_used_at=utcnow() - timedelta(minutes=2))
    client.get("/api/v1/me", headers=_bearer(token))
    used = fresh(db, ApiToken, row.id).last_used_at
    assert used is not None and utcnow() - used < timedelta(seconds=30)


def test_password_change_revokes_every_token(client: TestClient, make: Factory) -> None:
    user = make.user("coordinator")
    mine = make.token(user)
    answer = client.patch(
        f"/api/v1/users/{user.id}", json={"password": "another long one"}, headers=make.headers("admin")
    )
    assert answer.status_code == 200
    refused = client.get("/api/v1/me", headers=mine)
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("the API token was revoked on ")


def test_deactivation_revokes_tokens_and_reactivation_revives_none(client: TestClient, make: Factory) -> None:
    user = make.user("coordinator")
    mine = make.token(user)
    admin = make.headers("admin")
    assert client.patch(f"/api/v1/users/{user.id}", json={"active": False}, headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    assert client.patch(f"/api/v1/users/{user.id}", json={"active": True}, headers=admin).status_code == 200
    again = client.get("/api/v1/me", headers=mine)
    assert again.status_code == 401 and "revoked" in again.json()["detail"]
    states = [t["state"] for t in client.get(f"/api/v1/users/{user.id}/tokens", headers=admin).json()]
    assert states == ["revoked"]


def test_token_made_with_a_token_lasts_no_longer_than_it(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("coordinator")
    token = accounts.create_api_token(session=db, actor=SYSTEM, email=user.email, expires_in_days=3)
    child = client.post(
        "/api/v1/me/tokens", json={"name": "renewal", "expires_in_days": 365}, headers=_bearer(token)
    )
    assert child.status_code == 201
    parent = db.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))).first()
    assert parent is not None
    assert fresh(db, ApiToken, child.json()["id"]).expires_at == parent.expires_at


def test_service_refuses_tokens_for_deactivated_users_and_out_of_range_lives(
    make: Factory, db: Session
) -> None:
    user = make.user("staff")
    assert user.id is not None
    with pytest.raises(Exception, match="from 1 to 365 days"):
        accounts.issue_api_token(session=db, actor=SYSTEM, user_id=user.id, expires_in_days=400)
    db.rollback()
    accounts.update_user(session=db, actor=SYSTEM, user_id=user.id, changes={"active": False})
    with pytest.raises(Exception, match="deactivated"):
        accounts.issue_api_token(session=db, actor=SYSTEM, user_id=user.id)
    with pytest.raises(Unauthorized, match="not known"):
        accounts.authenticate_token(session=db, token="mst_nothing")


# --- the account page ------------------------------------------------------------------------


def test_account_page_makes_a_token_shown_once_and_revokes_it(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("staff"))
    page = client.get("/account")
    assert page.status_code == 200
    assert "You have no API tokens." in page.text
    assert 'value="90"' in page.text
    made = post(
        client, "/account/tokens", {"name": "Rota sheet", "expires_in_days": "30"}, token_from="/account"
    )
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    token = made.text.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert token.startswith("mst_")
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    again = client.get("/account")
    assert token not in again.text and "Rota sheet" in again.text
    token_id = client.get("/api/v1/me/tokens", headers=_bearer(token)).json()[0]["id"]
    revoked = post(client, f"/account/tokens/{token_id}/revoke", token_from="/account")
    assert revoked.headers["location"] == "/account"
    assert "Revoked the API token “Rota sheet”" in client.get("/account").text
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_account_page_token_form_names_each_problem(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("partner"))
    answer = post(client, "/account/tokens", {"name": "", "expires_in_days": "400"}, token_from="/account")
    assert form_errors(answer) == {
        "name": "Enter a name for the token",
        "expires_in_days": "The number of days must be between 1 and 365",
    }


def test_account_page_cannot_revoke_someone_elses_token(
    client: TestClient, make: Factory, db: Session
) -> None:
    other = make.user("staff")
    accounts.create_api_token(session=db, actor=SYSTEM, email=other.email, name="theirs")
    row = db.exec(select(ApiToken).where(ApiToken.user_id == other.id)).one()
    sign_in(client, make.user("coordinator"))
    answer = client.post(
        f"/account/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_of(client, "/account")},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert fresh(db, ApiToken, row.id or 0).revoked_at is None


# --- the command line ------------------------------------------------------------------------


def test_cli_revokes_one_token_by_id_or_all_of_a_user_by_email(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("coordinator")
    first, second, third = (make.token(user) for _ in range(3))
    runner = CliRunner()
    row = db.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))).first()
    assert row is not None

    one = runner.invoke(cli, ["revoke-token", "--id", str(row.id)])
    assert one.exit_code == 0, one.output
    assert f"API token {row.id}" in one.output and user.email in one.output
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200

    every = runner.invoke(cli, ["revoke-token", "--email", user.email.upper()])
    assert every.exit_code == 0, every.output
    assert f"2 API token(s) of {user.email} revoked" in every.output
    assert client.get("/api/v1/me", headers=third).status_code == 401

    assert runner.invoke(cli, ["revoke-token"]).exit_code == 1
    assert runner.invoke(cli, ["revoke-token", "--id", "1", "--email", user.email]).exit_code == 1
    assert runner.invoke(cli, ["revoke-token", "--id", "999999"]).exit_code == 1
    assert runner.invoke(cli, ["revoke-token", "--email", "nobody@muster.test"]).exit_code == 1


def test_cli_creates_a_token_for_the_days_asked(make: Factory, db: Session) -> None:
    user = make.user("coordinator")
    made = CliRunner().invoke(
        cli, ["create-token", "--email", user.email, "--name", "nightly", "--days", "7"]
    )
    assert made.exit_code == 0, made.output
    row = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert (row.name, _life(row)) == ("nightly", timedelta(days=7))
    assert CliRunner().invoke(cli, ["create-token", "--email", user.email, "--days", "366"]).exit_code == 1
