"""Single sign-on with the force's OpenID Connect provider.

The authorisation code flow with PKCE (S256): ``begin`` puts a fresh state, nonce and code
verifier in the signed session cookie and sends the browser to the provider; ``finish``
takes the state back once (a second use finds nothing), exchanges the code with the
verifier, checks the ID token (signature against the provider's published keys, issuer,
audience, expiry, issue time and nonce) and finds the Muster user: by the provider's
stable subject id, or else — once — by an e-mail address the provider says it has verified,
which links the subject to that user for next time.

The provider's discovery document and keys are fetched over HTTPS and kept for an hour;
an ID token signed with a key not yet seen fetches the keys once more (the provider may
have rotated them). Single sign-on is for the force's own people: venue partners, from
outside the force, keep their password or e-mailed sign-in.
"""

import base64
import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from fastapi import Request
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts import service
from app.accounts.models import User
from app.audit import service as audit
from app.audit.service import Actor
from app.config import Settings, get_settings
from app.enums import Role

log = logging.getLogger("muster.sso")

SESSION_KEY = "oidc"  # the sign-ins under way in this browser (state → nonce, verifier, next)
PENDING_AT_ONCE = 3  # a few tabs may each start one; older ones are dropped
PENDING_SECONDS = 10 * 60  # time allowed at the provider's sign-in page
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and Muster
METADATA_SECONDS = 60 * 60  # how long discovery and keys are kept
KEY_REFETCH_SECONDS = 10  # an unknown key fetches the keys again, at most this often
HTTP_TIMEOUT_SECONDS = 10.0
# Signatures made with the provider's published keys only: no "none", no shared secret.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)

ASK_RECRUITMENT = "ask the recruitment team"


class SignInRefused(Exception):
    """Why a single sign-on did not sign anyone in: words for the person, and a reason for the log."""

    def __init__(self, title: str, detail: str, *, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.title = title
        self.detail = detail
        self.reason = reason
        self.status = status


class ProviderUnavailable(SignInRefused):
    """The provider could not be reached or answered nonsense: nothing the person did."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Single sign-on is not working",
            "Muster could not reach the force's sign-in service. Try again in a few minutes; "
            "if it keeps happening, tell the recruitment team.",
            reason=reason,
            status=502,
        )


def _start_again(reason: str) -> SignInRefused:
    return SignInRefused(
        "That sign-in did not work",
        "The sign-in could not be checked, or it was already used or has expired. Start again from the sign-in page.",
        reason=reason,
        status=400,
    )


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


# --- the provider's metadata and keys -------------------------------------------------------


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    algorithms: frozenset[str]


@dataclass
class _Keys:
    key_set: KeySet
    kids: frozenset[str]
    fetched_at: float


_lock = threading.Lock()
_metadata: dict[str, tuple[float, ProviderMetadata]] = {}
_keys: dict[str, _Keys] = {}


def clear_caches() -> None:
    """Forget the discovery documents and keys (a settings change, or a test)."""
    with _lock:
        _metadata.clear()
        _keys.clear()


def _secure_url(url: object) -> bool:
    """HTTPS, or plain HTTP to this machine only (a provider run for development or tests)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _get_json(url: str, what: str, **kwargs: Any) -> dict[str, Any]:
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT_SECONDS) as http:
            answer = http.get(url, **kwargs)
    except httpx.HTTPError as error:
        raise ProviderUnavailable(f"{what}: {error!r}") from error
    if answer.status_code != 200:
        raise ProviderUnavailable(f"{what}: HTTP {answer.status_code}")
    try:
        data = answer.json()
    except ValueError as error:
        raise ProviderUnavailable(f"{what}: not JSON") from error
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{what}: not a JSON object")
    return data


def provider_metadata() -> ProviderMetadata:
    """The provider's discovery document (kept for an hour), checked against the settings."""
    issuer = get_settings().oidc_issuer.strip()
    now = time.monotonic()
    with _lock:
        cached = _metadata.get(issuer)
    if cached is not None and now - cached[0] < METADATA_SECONDS:
        return cached[1]
    if not _secure_url(issuer):
        raise ProviderUnavailable(f"MUSTER_OIDC_ISSUER {issuer!r} is not an https:// address")
    data = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", "discovery")
    if data.get("issuer") != issuer:
        raise ProviderUnavailable(
            f"discovery names the issuer {data.get('issuer')!r}, not MUSTER_OIDC_ISSUER {issuer!r}"
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _secure_url(data.get(name)):
            raise ProviderUnavailable(f"discovery: {name} {data.get(name)!r} is missing or not https://")
        endpoints[name] = str(data[name])
    userinfo = data.get("userinfo_endpoint")
    offered = data.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = frozenset(a for a in offered if isinstance(a, str)) & ASYMMETRIC_ALGORITHMS
    if not algorithms:
        raise ProviderUnavailable(f"the provider signs ID tokens only with {offered!r}")
    metadata = ProviderMetadata(
        issuer=issuer,
        userinfo_endpoint=str(userinfo) if _secure_url(userinfo) else "",
        algorithms=algorithms,
        **endpoints,
    )
    with _lock:
        _metadata[issuer] = (now, metadata)
    return metadata


def _fetch_keys(jwks_uri: str) -> _Keys:
    data = _get_json(jwks_uri, "keys")
    keys = [k for k in data.get("keys") or [] if isinstance(k, dict) and k.get("use", "sig") == "sig"]
    try:
        key_set = KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError) as error:
        raise ProviderUnavailable(f"keys: {error!r}") from error
    kids = frozenset(str(k["kid"]) for k in keys if "kid" in k)
    return _Keys(key_set=key_set, kids=kids, fetched_at=time.monotonic())


def signing_keys(metadata: ProviderMetadata, kid: str | None) -> KeySet:
    """The provider's keys; fetched again (at most every few seconds) when ``kid`` is new."""
    with _lock:
        cached = _keys.get(metadata.jwks_uri)
    now = time.monotonic()
    stale = cached is None or now - cached.fetched_at >= METADATA_SECONDS
    unknown = cached is not None and kid is not None and kid not in cached.kids
    if stale or (unknown and cached is not None and now - cached.fetched_at >= KEY_REFETCH_SECONDS):
        if unknown:
            log.info("single sign-on: key %r is new, fetching the provider's keys again", kid)
        cached = _fetch_keys(metadata.jwks_uri)
        with _lock:
            _keys[metadata.jwks_uri] = cached
    assert cached is not None
    return cached.key_set


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
        raise _start_again("state unknown: already used, expired, or not started in this browser")
    if int(time.time()) - int(found.get("at", 0)) >= PENDING_SECONDS:
        raise _start_again("state expired")
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
        raise _start_again("no state in the callback")
    pending = _take_pending(request, state)
    metadata = provider_metadata()
    returned_issuer = params.get("iss")
    if returned_issuer is not None and returned_issuer != metadata.issuer:
        raise _start_again(f"the callback names issuer {returned_issuer!r}")
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
        raise _start_again("no code in the callback")
    tokens = _exchange(metadata, code, str(pending["verifier"]))
    claims = verify_id_token(metadata, tokens.get("id_token"), nonce=str(pending["nonce"]))
    if not claims.get("email") and metadata.userinfo_endpoint and tokens.get("access_token"):
        claims = {**_userinfo(metadata, str(tokens["access_token"]), subject=claims["sub"]), **claims}
    user = match_user(session, claims)
    return Outcome(user=user, next_url=str(pending.get("next") or ""))


def _exchange(metadata: ProviderMetadata, code: str, verifier: str) -> dict[str, Any]:
    settings = get_settings()
    client_id = settings.oidc_client_id.strip()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(),
        "code_verifier": verifier,
    }
    # client_secret_basic; a public client (no secret) names itself in the form instead.
    auth = httpx.BasicAuth(client_id, settings.oidc_client_secret) if settings.oidc_client_secret else None
    if auth is None:
        form["client_id"] = client_id
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, auth=auth) as http:
            answer = http.post(metadata.token_endpoint, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        raise ProviderUnavailable(f"token endpoint: {error!r}") from error
    try:
        data = answer.json()
    except ValueError:
        data = {}
    if answer.status_code == 400 and isinstance(data, dict) and data.get("error") == "invalid_grant":
        # A code already used (a replayed callback), expired, or not issued to Muster.
        raise _start_again(f"the provider refused the code: {data.get('error_description', '')!r}")
    if answer.status_code != 200 or not isinstance(data, dict):
        raise ProviderUnavailable(f"token endpoint: HTTP {answer.status_code} {str(data)[:200]!r}")
    return data


def verify_id_token(metadata: ProviderMetadata, id_token: object, *, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce are right."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise _start_again("no ID token in the token response")
    client_id = get_settings().oidc_client_id.strip()
    try:
        header = jws.extract_compact(id_token.encode()).headers()  # unverified: to choose the key
    except (JoseError, ValueError) as error:
        raise _start_again(f"ID token unreadable: {error!r}") from error
    alg = header.get("alg")
    if alg not in metadata.algorithms:
        raise _start_again(f"ID token signed with {alg!r}, not one of {sorted(metadata.algorithms)}")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    keys = signing_keys(metadata, kid)
    try:
        token = jwt.decode(id_token, keys, algorithms=sorted(metadata.algorithms))
    except BadSignatureError as error:
        raise _start_again("ID token signature does not verify against the provider's keys") from error
    except (JoseError, ValueError) as error:
        # An unknown key id, a malformed token: nothing signed by the provider.
        raise _start_again(f"ID token not verified: {error!r}") from error
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata.issuer},
        sub={"essential": True},
        aud={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise _start_again(f"ID token expired at {claims.get('exp')!r}") from error
    except (MissingClaimError, InvalidClaimError) as error:
        raise _start_again(f"ID token claim wrong: {error!r}") from error
    audience = claims.get("aud")
    if audience != client_id and audience != [client_id]:
        raise _start_again(f"ID token is for {audience!r}, not for client {client_id!r}")
    if "azp" in claims and claims["azp"] != client_id:
        raise _start_again(f"ID token's azp is {claims['azp']!r}")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise _start_again("ID token nonce does not match the one sent")
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise _start_again("ID token has no usable subject")
    return claims


def _userinfo(metadata: ProviderMetadata, access_token: str, *, subject: str) -> dict[str, Any]:
    """The provider's UserInfo, for providers that keep the e-mail address out of the ID token."""
    data = _get_json(
        metadata.userinfo_endpoint,
        "userinfo",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if data.get("sub") != subject:
        raise _start_again("UserInfo is about a different subject from the ID token")
    return {key: data[key] for key in ("email", "email_verified", "name") if key in data}


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
    audit.record(
        session=session,
        actor=Actor(user_id=user.id, label=user.email, role=str(user.role)),
        action="update",
        record_type="user",
        record_id=user.id,
        summary=f"user {user.email} linked to single sign-on on first sign-in by verified e-mail",
        after={"oidc_subject": subject},
    )
    try:
        session.commit()
    except IntegrityError as error:
        # Another sign-in linked this subject to someone else at the same moment.
        session.rollback()
        raise _start_again(f"linking subject {subject!r} to user {user.id} clashed") from error
