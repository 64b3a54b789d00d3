"""Sign in and sign out with a session cookie."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts import service
from app.accounts.deps import SESSION_USER_KEY, SESSION_VERSION_KEY, optional_principal
from app.accounts.principal import Principal
from app.db import SessionDep
from app.pages.csrf import CSRF_SESSION_KEY, checked_form
from app.pages.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def safe_next(value: object) -> str:
    """Only same-site paths: a login link must not bounce people to another site."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value:
        return ""
    return value


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> Response:
    return render(request, "accounts/login.html", {"next": safe_next(next), "values": {}, "errors": {}})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep) -> Response:
    form = await checked_form(request)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(form.get("next"))
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your e-mail address"
    if not password:
        errors["password"] = "Enter your password"
    user = None
    if not errors:
        user = service.authenticate(session=session, email=email, password=password)
        if user is None:
            errors["email"] = "The e-mail address or password is not right"
    if user is None:
        return render(
            request,
            "accounts/login.html",
            {"next": next_url, "values": {"email": email}, "errors": errors},
            status=400,
        )
    # A fresh session on sign-in: nothing from before (a planted token) carries over.
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_VERSION_KEY] = user.session_version
    return RedirectResponse(next_url or "/", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/login?signed_out=1", status_code=303)


@router.get("/logout", response_class=HTMLResponse)
def logout_confirm(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Response:
    """Signing out changes state, so it is a POST; a bookmarked GET gets a button."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "accounts/logout.html")


__all__ = ["CSRF_SESSION_KEY", "router"]
