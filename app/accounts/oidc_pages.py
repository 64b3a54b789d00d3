"""The single sign-on pages: off to the force's provider, and back again signed in."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts import oidc
from app.accounts.pages import safe_next
from app.accounts.sessions import start_session
from app.db import SessionDep
from app.errors import NotFound
from app.pages.rendering import get_templates, render

log = logging.getLogger("muster.sso")

router = APIRouter(tags=["pages"], include_in_schema=False)

# The sign-in page asks this whether to offer the single sign-on button.
get_templates().env.globals["single_sign_on"] = oidc.login_offer


def _refused(request: Request, refusal: oidc.SignInRefused) -> Response:
    log.warning("single sign-on refused: %s", refusal.reason)
    context = {"title": refusal.title, "detail": refusal.detail}
    return render(request, "accounts/sso_refused.html", context, status=refusal.status)


@router.get("/login/sso")
def sso_begin(request: Request, next: str = "") -> Response:
    if not oidc.enabled():
        raise NotFound("single sign-on is not set up")
    try:
        address = oidc.begin(request, safe_next(next))
    except oidc.SignInRefused as refusal:
        return _refused(request, refusal)
    return RedirectResponse(address, status_code=303)


@router.get("/login/sso/callback", response_class=HTMLResponse)
def sso_callback(request: Request, session: SessionDep) -> Response:
    if not oidc.enabled():
        raise NotFound("single sign-on is not set up")
    try:
        outcome = oidc.finish(request, session)
    except oidc.SignInRefused as refusal:
        return _refused(request, refusal)
    response = RedirectResponse(safe_next(outcome.next_url) or "/", status_code=303)
    start_session(request, session, outcome.user)
    return response
