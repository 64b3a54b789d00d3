"""Single sign-on with the force's OpenID Connect provider.

The authorisation code flow with PKCE (S256): ``begin`` puts a fresh state, nonce and code
verifier in the signed session cookie and sends the browser to the provider; ``finish``
takes the state back once (a second use finds nothing), exchanges the code with the
verifier, checks the ID token (signature against the provider's published keys, issuer,
audience, expiry, issue time and nonce) and finds the Muster user: by the provider's
stable subject id, or else — once — by an e-mail address the provider says it has verified,
which links the subject to that user for next time.

The provider's side (discovery, keys, the code exchange, checking ID tokens) is
:mod:`app.accounts.oidc_provider`. Single sign-on is for the force's own people: venue
partners, from outside the force, keep their password or e-mailed sign-in.
"""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts import service
from app.accounts.models import User
from app.accounts.oidc_provider import (
    SignInRefused,
    clear_caches,
    exchange_code,
    provider_metadata,
    start_again,
    userinfo,
    verify_id_token,
)
from app.audit import service as audit
from app.audit.service import Actor
from app.config import Settings, get_settings
from app.enums import Role

__all__ = ["SignInRefused", "clear_caches"]

SESSION_KEY = "oidc"  # the sign-ins under way in this browser (state → nonce, verifier, next)
PENDING_AT_ONCE = 3  # a few tabs may each start one; older ones are dropped
PENDING_SECONDS = 10 * 60  # time allowed at the provider's sign-in page

ASK_RECRUITMENT = "ask the recruitment team"


# --- settings -------------------------------------------------------------------------------


def enabled(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return bool(settings.oidc_issuer.strip() and settings.oidc_client_id.strip())


def button_label(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return settings.oidc_button_label.strip() or f"Sign in with {settings.force_name}"


def login_offer() -> dict[str, Any] | None:
    """What the sign-in page shows: the single sign-on button, and whether staff passwords work."""
    settings = get_settings()
    if not enabled(settings):
        return None
    return {"label": button_label(settings), "staff_passwords": settings.oidc_staff_passwords}


def password_refusal(user: User) -> str | None:
    """Why this user may not sign in with a password (staff when passwords are off), or None.

    Asked only once the password was right, so it tells nothing about an account to
    someone who does not have its password.
    """
    settings = get_settings()
    if not enabled(settings) or settings.oidc_staff_passwords or user.role == Role.partner:
        return None
    return (
        f"Officers and staff sign in with single sign-on: use the “{button_label(settings)}” button. "
        "Muster passwords are for venue partners."
    )


def redirect_uri() -> str:
    return get_settings().base_url.rstrip("/") + "/login/sso/callback"


# --- the flow -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def begin(request: Request, next_url: str) -> str:
    """Remember a new sign-in in the session cookie; the provider's address to send the browser to."""
    settings = get_settings()
    metadata = provider_metadata()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43–128
    challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    now = int(time.time())
    pending = {
        key: value
        for key, value in _pending(request).items()
        if now - int(value.get("at", 0)) < PENDING_SECONDS
    }
    pending[state] = {"nonce": nonce, "verifier": verifier, "next": next_url, "at": now}
    newest = sorted(pending.items(), key=lambda item: int(item[1]["at"]))[-PENDING_AT_ONCE:]
    request.session[SESSION_KEY] = dict(newest)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id.strip(),
            "redirect_uri": redirect_uri(),
            "scope": settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    return f"{metadata.authorization_endpoint}{separator}{query}"


def _pending(request: Request) -> dict[str, dict[str, Any]]:
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, dict)}


def _take_pending(request: Request, state: str) -> dict[str, Any]:
    """The sign-in this state belongs to, taken out of the session: a state works once."""
    pending = _pending(request)
    found = None
    for key in list(pending):
        if hmac.compare_digest(key.encode(), state.encode()):
            found = pending.pop(key)
    request.session[SESSION_KEY] = pending
    if found is None:
        raise start_again("state unknown: already used, expired, or not started in this browser")
    if int(time.time()) - int(found.get("at", 0)) >= PENDING_SECONDS:
        raise start_again("state expired")
    return found


@dataclass(frozen=True)
class Outcome:
    user: User
    next_url: str


def finish(request: Request, session: Session) -> Outcome:
    """Check the provider's answer and find the user it signs in; ``SignInRefused`` if not."""
    params = request.query_params
    state = params.get("state", "")
    if not state:
        raise start_again("no state in the callback")
    pending = _take_pending(request, state)
    metadata = provider_metadata()
    returned_issuer = params.get("iss")
    if returned_issuer is not None and returned_issuer != metadata.issuer:
        raise start_again(f"the callback names issuer {returned_issuer!r}")
    if params.get("error"):
        raise SignInRefused(
            "You did not sign in",
            "The force's sign-in service did not sign you in"
            + (" (you may have cancelled)." if params.get("error") == "access_denied" else ".")
            + " Start again from the sign-in page.",
            reason=f"provider error {params.get('error')!r}: {params.get('error_description', '')!r}",
            status=400,
        )
    code = params.get("code", "")
    if not code:
        raise start_again("no code in the callback")
    tokens = exchange_code(metadata, code, str(pending["verifier"]), redirect_uri=redirect_uri())
    claims = verify_id_token(metadata, tokens.get("id_token"), nonce=str(pending["nonce"]))
    if not claims.get("email") and metadata.userinfo_endpoint and tokens.get("access_token"):
        claims = {**userinfo(metadata, str(tokens["access_token"]), subject=claims["sub"]), **claims}
    user = match_user(session, claims)
    return Outcome(user=user, next_url=str(pending.get("next") or ""))


def _verified(value: object) -> bool:
    # Some providers send the JSON string "true" rather than the boolean.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def match_user(session: Session, claims: dict[str, Any]) -> User:
    """The user these verified claims belong to, linking the subject on first sign-in by e-mail."""
    subject = str(claims["sub"])
    user = session.exec(select(User).where(User.oidc_subject == subject)).first()
    link = False
    if user is None:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise _not_set_up(f"subject {subject!r} unknown and the provider gave no e-mail address")
        if not _verified(claims.get("email_verified")):
            raise SignInRefused(
                "Your e-mail address is not verified",
                "The force's sign-in service has not verified your e-mail address, so Muster cannot "
                f"tell which account is yours. {ASK_RECRUITMENT.capitalize()} to check your account.",
                reason=f"subject {subject!r}: e-mail {email!r} not verified by the provider",
            )
        user = service.get_by_email(session=session, email=email)
        if user is None:
            raise _not_set_up(f"subject {subject!r}, e-mail {email!r}: no such user")
        if user.oidc_subject is not None:
            raise SignInRefused(
                "This account is linked to someone else",
                "Your Muster account is linked to a different single sign-on identity. "
                f"{ASK_RECRUITMENT.capitalize()} to check your account.",
                reason=f"user {user.id} is linked to another subject; {subject!r} refused",
            )
        link = True
    if not user.active:
        raise SignInRefused(
            "Your Muster account is switched off",
            f"Your account has been switched off, so you cannot sign in. If this is a mistake, {ASK_RECRUITMENT}.",
            reason=f"user {user.id} is inactive",
        )
    if user.role == Role.partner:
        raise SignInRefused(
            "Venue partners sign in with a password",
            "Single sign-on is for the force's officers and staff. Sign in with your e-mail address "
            "and password, or the link in your invitation.",
            reason=f"user {user.id} is a venue partner",
        )
    if link:
        _link(session, user, subject)
    return user


def _not_set_up(reason: str) -> SignInRefused:
    return SignInRefused(
        "Your account is not set up in Muster",
        f"You signed in with the force, but your account is not set up in Muster; {ASK_RECRUITMENT}.",
        reason=reason,
    )


def _link(session: Session, user: User, subject: str) -> None:
    assert user.id is not None
    user.oidc_subject = subject
    session.add(user)
    audit.note(
        session,
        Actor(user_id=user.id, label=user.email, role=str(user.role)),
        "update",
        user,
        f"user {user.email} linked to single sign-on on first sign-in by verified e-mail",
        after={"oidc_subject": subject},
    )
    try:
        session.commit()
    except IntegrityError as error:
        # Another sign-in linked this subject to someone else at the same moment.
        session.rollback()
        raise start_again(f"linking subject {subject!r} to user {user.id} clashed") from error
