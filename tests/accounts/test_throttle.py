"""Sign-in throttling, per account and per client address: it slows guessing, says when to
try again, and never locks anyone out for good."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from app.clock import utcnow
from app.config import get_settings
from app.ratelimit.models import RateCounter
from tests.factories import PASSWORD, Factory
from tests.forms import csrf_of


def _try(client: TestClient, email: str, password: str) -> int:
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    return answer.status_code


def _window_over(db: Session, key_prefix: str) -> None:
    """The window ending is a clock passing: move the stored window back instead of waiting."""
    db.execute(
        sa.update(RateCounter)
        .where(col(RateCounter.key).startswith(key_prefix))
        .values(window_start=utcnow() - timedelta(minutes=2))
    )
    db.commit()


def test_eleventh_wrong_password_in_a_minute_is_throttled_then_the_right_one_works_later(
    client: TestClient, make: Factory, db: Session
) -> None:
    user = make.user("coordinator")
    for _ in range(10):
        assert _try(client, user.email, "not the password") == 400
    throttled = client.post(
        "/login",
        data={"email": user.email, "password": "not the password", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert throttled.status_code == 429
    # The rest of the minute, and the part of the next by which the burst has faded.
    assert 1 <= int(throttled.headers["retry-after"]) <= 72
    assert "Too many sign-in attempts. Try again in " in throttled.text
    assert "text/html" in throttled.headers["content-type"]
    # Throttled means not checked: the right password waits too.
    assert _try(client, user.email, PASSWORD) == 429
    # The same address may still sign in to another account.
    assert _try(client, make.user("staff").email, PASSWORD) == 303

    _window_over(db, "sign-in:account:")
    assert _try(client, user.email, PASSWORD) == 303
    assert client.get("/plan").status_code == 200


def test_account_limit_counts_the_email_normalised(client: TestClient, make: Factory) -> None:
    make.user("coordinator", email="sam@muster.test")
    for spelling in ["SAM@muster.test", " sam@MUSTER.test "] * 5:
        assert _try(client, spelling, "wrong") == 400
    assert _try(client, "sam@muster.test", "wrong") == 429


def test_unknown_account_is_throttled_like_a_known_one(client: TestClient) -> None:
    for _ in range(10):
        assert _try(client, "nobody@muster.test", "guess") == 400
    assert _try(client, "nobody@muster.test", "guess") == 429


@pytest.fixture()
def three_per_address() -> Iterator[None]:
    settings = get_settings()
    before = settings.sign_in_attempts_per_address
    settings.sign_in_attempts_per_address = 3
    yield
    settings.sign_in_attempts_per_address = before


@pytest.mark.usefixtures("three_per_address")
def test_one_address_trying_many_accounts_is_throttled_and_others_are_not(
    client: TestClient, make: Factory, db: Session
) -> None:
    users = [make.user("staff") for _ in range(4)]
    for user in users[:3]:
        assert _try(client, user.email, "wrong") == 400
    assert _try(client, users[3].email, PASSWORD) == 429
    with TestClient(client.app, base_url="https://muster.test", client=("203.0.113.9", 50000)) as elsewhere:
        assert _try(elsewhere, users[3].email, PASSWORD) == 303
    _window_over(db, "sign-in:address:")
    assert _try(client, users[3].email, PASSWORD) == 303
