"""Helpers for the page tests: sign in through the real form, read CSRF tokens."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from app.accounts.models import User
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, from any page with a form."""
    page = client.get(path)
    match = TOKEN.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, user: User) -> None:
    token = csrf_of(client)
    answer = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def post(client: TestClient, path: str, data: dict[str, object] | None = None, *, token_from: str = "/login"):  # type: ignore[no-untyped-def]
    """POST a form like a browser: with the session's CSRF token, without following the redirect."""
    body: dict[str, object] = {"csrf_token": csrf_of(client, token_from), **(data or {})}
    return client.post(path, data=body, follow_redirects=False)  # type: ignore[arg-type]


@pytest.fixture()
def signed_in(client: TestClient) -> Callable[[User], TestClient]:
    def _sign_in(user: User) -> TestClient:
        sign_in(client, user)
        return client

    return _sign_in


def flashes(client: TestClient, path: str) -> str:
    """The text of the page after a redirect, where the one-time message is shown."""
    return client.get(path).text
