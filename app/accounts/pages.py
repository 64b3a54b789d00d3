"""Sign in and out; the signed-in user's own account page (browsers and API tokens)."""

from datetime import timedelta
from urllib.parse import quote, unquote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts import oidc, service
from app.accounts.deps import Admin, AnyUser, OptionalUser
from app.accounts.principal import Principal
from app.accounts.sessions import (
    current_session_hash,
    end_session,
    live_sessions,
    sign_out_everywhere,
    start_session,
)
from app.clock import utcnow
from app.config import get_settings
from app.db import SessionDep
from app.pages.common import see_other
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render
from app.ratelimit.service import Limit, take

router = APIRouter(tags=["pages"], include_in_schema=False)

# Pages that must never be where a sign-in sends people back to: following them straight
# after signing in would show the sign-in form again (or sign out at once).
_NOT_NEXT = ("/login", "/logout")


def safe_next(value: object) -> str:
    """Only same-site paths, and never the sign-in or sign-out page: a login link must not
    bounce people to another site, nor back to itself."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value or any(ord(c) < 32 for c in value):
        return ""
    # The router matches the decoded path, so "/%6Cogin" is the sign-in page too.
    path = unquote(parts.path).rstrip("/") or "/"
    if path.startswith("//") or any(path == page or path.startswith(page + "/") for page in _NOT_NEXT):
        return ""
    return value


def login_redirect(request: Request) -> Response | None:
    """Where a page that needs a sign-in sends a browser that has none: the sign-in page,
    with the way back. None when a redirect cannot help — the request is the sign-in page
    itself, or it sent an API token that was refused (the sign-in page would get the same
    token) — so the caller answers 401 with the reason instead."""
    if request.url.path in _NOT_NEXT or request.headers.get("authorization", "").lower().startswith("bearer"):
        return None
    next_url = safe_next(request.url.path)
    target = f"/login?next={quote(next_url, safe='/')}" if next_url else "/login"
    return RedirectResponse(target, status_code=303)


def _page(request: Request, form: FormInput, next_url: str, *, status: int = 200) -> Response:
    signed_out = request.query_params.get("signed_out", "")
    context = {"form": form, "next": next_url, "signed_out": signed_out}
    return render(request, "accounts/login.html", context, status=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: OptionalUser, next: str = "") -> Response:
    next_url = safe_next(next)
    if principal is not None and next_url:
        return RedirectResponse(next_url, status_code=303)
    return _page(request, FormInput(), next_url)


def _throttle(request: Request, session: SessionDep, email: str) -> None:
    """Count this sign-in attempt by client address and by account (whether or not the
    account exists, so the answer tells nothing); 429 once either has had its minute's
    allowance. It slows guessing; the count starts again each minute, so it never locks."""
    settings = get_settings()
    message = "Too many sign-in attempts."
    by_address = Limit(
        "sign-in:address", settings.sign_in_attempts_per_address, timedelta(minutes=1), message
    )
    by_account = Limit(
        "sign-in:account", settings.sign_in_attempts_per_account, timedelta(minutes=1), message
    )
    take(session, by_address, request.client.host if request.client else "unknown")
    if email:
        take(session, by_account, service.normalise_email(email))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, form: PostedForm) -> Response:
    email = form.text("email", "your e-mail address", required=True, max_length=254)
    password = form.values.text("password")
    if not password:
        form.error("password", "Enter your password")
    next_url = safe_next(form.values.text("next"))
    user = None
    if form.ok:
        _throttle(request, session, email)
        user = service.authenticate(session=session, email=email, password=password[:1000])
        if user is None:
            form.error("email", "The e-mail address or password is not right")
        elif (refusal := oidc.password_refusal(user)) is not None:
            form.error("email", refusal)  # staff with single sign-on on and passwords off
            user = None
    if user is None:
        # Keep the e-mail address typed; never send a password back to the browser.
        form.values.pop("password", None)
        return _page(request, form, next_url, status=400)
    # A fresh session on sign-in: nothing from before (a planted id or token) carries over.
    start_session(request, session, user)
    return RedirectResponse(next_url or "/", status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, _form: PostedForm) -> Response:
    end_session(request, session, "signed out")
    return RedirectResponse("/login?signed_out=1", status_code=303)


@router.get("/logout", response_class=HTMLResponse)
def logout_confirm(request: Request, principal: OptionalUser) -> Response:
    """Signing out changes state, so it is a POST; a bookmarked GET gets a button."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "accounts/logout.html")


# --- the signed-in user's account: where they are signed in, their API tokens ------------


def _account_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    form: FormInput | None = None,
    new_token: str = "",
    status: int = 200,
) -> Response:
    user = service.get_user(session=session, user_id=principal.user_id)
    if form is None:
        form = FormInput()
        form.values["expires_in_days"] = str(get_settings().api_token_days)
    now = utcnow()
    tokens = service.list_api_tokens(session=session, user_id=principal.user_id)
    context = {
        "user": user,
        "form": form,
        "new_token": new_token,
        "sessions": live_sessions(session=session, user_id=principal.user_id),
        "this_session": current_session_hash(request),
        "tokens": [(t, service.token_state(t, now), service.token_expiry(t)) for t in tokens],
        "max_days": service.TOKEN_MAX_DAYS,
        "idle_minutes": get_settings().session_idle_minutes,
        "max_age_hours": get_settings().session_max_age_hours,
    }
    response = render(request, "accounts/account.html", context, status=status)
    if new_token:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, principal: AnyUser) -> Response:
    return _account_page(request, session, principal)


@router.post("/account/sign-out-everywhere")
def account_sign_out_everywhere(
    request: Request, session: SessionDep, principal: AnyUser, _form: PostedForm
) -> Response:
    sign_out_everywhere(session=session, actor=principal.actor, user_id=principal.user_id)
    request.session.clear()
    request.state.principal = None
    return see_other("/login?signed_out=everywhere")


@router.post("/account/tokens", response_class=HTMLResponse)
def account_create_token(
    request: Request, session: SessionDep, principal: AnyUser, form: PostedForm
) -> Response:
    name = form.text("name", "a name for the token", required=True, max_length=100)
    if "\n" in name:
        form.error("name", "The name must be on one line")
    days = form.integer(
        "expires_in_days", "the number of days", minimum=1, maximum=service.TOKEN_MAX_DAYS, required=True
    )
    if not form.ok or days is None:
        return _account_page(request, session, principal, form=form, status=400)
    _row, token = service.issue_api_token(
        session=session, actor=principal.actor, user_id=principal.user_id, name=name, expires_in_days=days
    )
    return _account_page(request, session, principal, new_token=token)


@router.post("/account/tokens/{token_id:id}/revoke")
def account_revoke_token(
    request: Request, session: SessionDep, principal: AnyUser, token_id: int, _form: PostedForm
) -> Response:
    row = service.revoke_api_token(
        session=session, actor=principal.actor, token_id=token_id, owner_id=principal.user_id
    )
    return done(request, "/account", f"Revoked the API token “{row.name or row.id}”. It no longer works.")


@router.post("/admin/users/{user_id:id}/sign-out-everywhere")
def admin_sign_out_everywhere(
    request: Request, session: SessionDep, principal: Admin, user_id: int, _form: PostedForm
) -> Response:
    user = service.get_user(session=session, user_id=user_id)
    ended = sign_out_everywhere(session=session, actor=principal.actor, user_id=user_id)
    if user_id == principal.user_id:
        request.session.clear()
        request.state.principal = None
        return see_other("/login?signed_out=everywhere")
    return done(
        request,
        f"/admin/users/{user_id}",
        f"Signed {user.email} out of {ended} browser{'s' if ended != 1 else ''}.",
    )
