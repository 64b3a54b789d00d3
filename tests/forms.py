"""Through the pages as a browser goes: sign in with the real form, post forms with the
session's CSRF token, and read what a page says back (its error summary, its phrases)."""

import re
from html import unescape

import httpx
from fastapi.testclient import TestClient

from app.accounts.models import User
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SUMMARY = re.compile(r'<ul class="error-summary__list">(.*?)</ul>', re.S)
SUMMARY_LINK = re.compile(r'<a href="#([^"]+)">(.*?)</a>', re.S)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, from any page with a form."""
    page = client.get(path)
    match = TOKEN.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, user: User) -> None:
    """Sign in through the login form, so later requests carry the session cookie."""
    answer = post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert answer.status_code == 303, answer.text


def post(
    client: TestClient, path: str, data: dict[str, object] | None = None, *, token_from: str = "/login"
) -> httpx.Response:
    """POST a form like a browser: with the session's CSRF token, without following the redirect."""
    body: dict[str, object] = {"csrf_token": csrf_of(client, token_from), **(data or {})}
    return client.post(path, data=body, follow_redirects=False)  # type: ignore[arg-type]


def form_errors(answer: httpx.Response) -> dict[str, str]:
    """The error summary of a refused form: each field named in it, and what it says (unescaped)."""
    assert answer.status_code == 400, answer.text
    summary = SUMMARY.search(answer.text)
    assert summary, "no error summary on the page"
    return {field: unescape(words) for field, words in SUMMARY_LINK.findall(summary.group(1))}


def says(answer: httpx.Response, *phrases: str, status: int = 200) -> None:
    """The answer has ``status`` and shows each phrase (as written in the HTML)."""
    assert answer.status_code == status, answer.text
    missing = [phrase for phrase in phrases if phrase not in answer.text]
    assert not missing, f"not on the page: {missing}"


def choose_password(client: TestClient, token: str, password: str) -> httpx.Response:
    """Submit the form a set-password link opens, with ``password`` typed twice."""
    return post(client, f"/respond/{token}", {"password": password, "password_again": password})
