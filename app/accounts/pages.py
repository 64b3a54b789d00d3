"""Sign in and sign out with a session cookie."""

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts import service
from app.accounts.deps import SESSION_USER_KEY, SESSION_VERSION_KEY, OptionalUser
from app.db import SessionDep
from app.pages.csrf import checked_form
from app.pages.forms import FormInput
from app.pages.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def safe_next(value: object) -> str:
    """Only same-site paths: a login link must not bounce people to another site."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value or any(ord(c) < 32 for c in value):
        return ""
    return value


def _page(request: Request, form: FormInput, next_url: str, *, status: int = 200) -> Response:
    signed_out = request.query_params.get("signed_out") == "1"
    context = {"form": form, "next": next_url, "signed_out": signed_out}
    return render(request, "accounts/login.html", context, status=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: OptionalUser, next: str = "") -> Response:
    if principal is not None and safe_next(next):
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, FormInput(), safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep) -> Response:
    form = FormInput(await checked_form(request))
    email = form.text("email", "your e-mail address", required=True, max_length=254)
    password = form.values.text("password")
    if not password:
        form.error("password", "Enter your password")
    next_url = safe_next(form.values.text("next"))
    user = None
    if form.ok:
        user = service.authenticate(session=session, email=email, password=password[:1000])
        if user is None:
            form.error("email", "The e-mail address or password is not right")
    if user is None:
        # Keep the e-mail address typed; never send a password back to the browser.
        form.values.pop("password", None)
        return _page(request, form, next_url, status=400)
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
def logout_confirm(request: Request, principal: OptionalUser) -> Response:
    """Signing out changes state, so it is a POST; a bookmarked GET gets a button."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "accounts/logout.html")
