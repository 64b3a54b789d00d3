"""CSRF protection for every HTML form: a per-session secret echoed in a hidden field.

The token lives in the signed session cookie, so a page on another site can neither read
it nor guess it; ``SameSite=Lax`` on the cookie is a second line of defence, not the only one.
"""

import hmac
import secrets

from fastapi import Request
from starlette.datastructures import FormData

from app.errors import Forbidden

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's token, made on first use (also before sign-in, for the login form)."""
    session = request.scope.get("session")
    if session is None:
        return ""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def check_csrf(request: Request, form: FormData) -> None:
    expected = (request.scope.get("session") or {}).get(CSRF_SESSION_KEY)
    sent = form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise Forbidden(
            "This form has expired or was not sent from Muster. Go back, reload the page and try again."
        )


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token."""
    form = await request.form()
    check_csrf(request, form)
    return form
