"""'Forgot your password?': the same answer whether or not the address has a sign-in, a
reset link through the outbox for the one that has, and a limit on how often anyone asks."""

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.accounts import invitations
from app.notifications.models import OutboxMessage
from app.ratelimit.models import RateCounter
from app.worker.runner import Worker
from tests.factories import Factory
from tests.forms import choose_password, form_errors, post

LINK = re.compile(r"https://muster\.test/respond/(lnk_[A-Za-z0-9_-]+)")
ANSWER = "If an account uses that address, we have sent a link to it to choose a new password."


def _ask(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    return post(client, "/forgot-password", {"email": email}, token_from="/forgot-password")


def _resets(db: Session) -> list[OutboxMessage]:
    db.expire_all()
    return list(
        db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "password_reset")
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def test_the_sign_in_page_links_to_forgot_password(client: TestClient) -> None:
    page = client.get("/login")
    assert '<a href="/forgot-password">Forgot your password?</a>' in page.text
    form = client.get("/forgot-password")
    assert form.status_code == 200
    assert '<label class="label " for="email">E-mail address</label>' in form.text


def test_known_and_unknown_addresses_get_the_same_answer(
    client: TestClient, make: Factory, db: Session
) -> None:
    make.user("staff", email="aisha@police.example")

    known = _ask(client, "Aisha@Police.example")
    unknown = _ask(client, "nobody@police.example")

    assert known.status_code == unknown.status_code == 200
    assert ANSWER in known.text
    assert known.text == unknown.text
    [reset] = _resets(db)
    assert reset.recipient == "aisha@police.example"


def test_the_reset_link_sets_a_new_password(client: TestClient, make: Factory, db: Session) -> None:
    make.user("coordinator", email="sam@police.example")
    _ask(client, "sam@police.example")
    Worker(worker_id="test-worker").drain()
    [reset] = _resets(db)
    match = LINK.search(reset.body_text)
    assert match
    token = match.group(1)

    page = client.get(f"/respond/{token}")
    assert "Choose a new password for your sign-in to Muster" in page.text
    assert choose_password(client, token, "a brand new password").status_code == 303
    client.cookies.clear()
    signed = post(client, "/login", {"email": "sam@police.example", "password": "a brand new password"})
    assert signed.status_code == 303


def test_an_address_that_is_not_one_is_refused_in_words(client: TestClient, db: Session) -> None:
    empty = _ask(client, "")
    assert form_errors(empty) == {"email": "Enter your e-mail address"}
    wrong = _ask(client, "not an address")
    assert wrong.status_code == 400
    assert "Enter an e-mail address in the correct format" in wrong.text
    assert _resets(db) == []


def test_asking_too_often_for_one_address_is_slowed(client: TestClient, make: Factory, db: Session) -> None:
    make.user("staff", email="aisha@police.example")
    for _ in range(invitations.FORGOT_BY_EMAIL.count):
        assert _ask(client, "aisha@police.example").status_code == 200

    slowed = _ask(client, "AISHA@police.example")

    assert slowed.status_code == 429
    assert slowed.headers["retry-after"].isdigit()
    assert "Too many requests for password links for this e-mail address. Try again in" in slowed.text
    # The message cap of account_messages still holds: three links an hour at most.
    assert len(_resets(db)) == 3
    # An unknown address is slowed alike: the limit tells nothing about who has a sign-in.
    for _ in range(invitations.FORGOT_BY_EMAIL.count):
        _ask(client, "nobody@police.example")
    assert _ask(client, "nobody@police.example").status_code == 429


def test_asking_too_often_from_one_network_address_is_slowed(client: TestClient, db: Session) -> None:
    for n in range(invitations.FORGOT_BY_ADDRESS.count):
        assert _ask(client, f"person{n}@police.example").status_code == 200

    slowed = _ask(client, "someone.else@police.example")

    assert slowed.status_code == 429
    assert "Too many requests for password links from this network address." in slowed.text
    db.execute(sa.update(RateCounter).values(count=0))
    db.commit()
    assert _ask(client, "someone.else@police.example").status_code == 200
