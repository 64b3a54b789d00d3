"""Talking to the force's OpenID Connect provider: its discovery document and signing keys,
the code exchange, UserInfo, and checking an ID token. Nothing here knows Muster's users or
the browser; :mod:`app.accounts.oidc` runs the sign-in with it.

The discovery document and keys are fetched over HTTPS and kept for an hour; an ID token
signed with a key not yet seen fetches the keys once more (the provider may have rotated
them).
"""

import hmac
import ipaddress
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from app.config import get_settings

log = logging.getLogger("muster.sso")

LEEWAY_SECONDS = 60  # clock difference allowed between the provider and Muster
METADATA_SECONDS = 60 * 60  # how long discovery and keys are kept
KEY_REFETCH_SECONDS = 10  # an unknown key fetches the keys again, at most this often
HTTP_TIMEOUT_SECONDS = 10.0
# Signatures made with the provider's published keys only: no "none", no shared secret.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)


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


def start_again(reason: str) -> SignInRefused:
    """A refusal the person gets past by starting the sign-in again."""
    return SignInRefused(
        "That sign-in did not work",
        "The sign-in could not be checked, or it was already used or has expired. Start again from the sign-in page.",
        reason=reason,
        status=400,
    )


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


# --- tokens ----------------------------------------------------------------------------------


def exchange_code(
    metadata: ProviderMetadata, code: str, verifier: str, *, redirect_uri: str
) -> dict[str, Any]:
    """The provider's tokens for an authorisation code and its PKCE verifier."""
    settings = get_settings()
    client_id = settings.oidc_client_id.strip()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
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
        raise start_again(f"the provider refused the code: {data.get('error_description', '')!r}")
    if answer.status_code != 200 or not isinstance(data, dict):
        raise ProviderUnavailable(f"token endpoint: HTTP {answer.status_code} {str(data)[:200]!r}")
    return data


def verify_id_token(metadata: ProviderMetadata, id_token: object, *, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce are right."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise start_again("no ID token in the token response")
    client_id = get_settings().oidc_client_id.strip()
    try:
        header = jws.extract_compact(id_token.encode()).headers()  # unverified: to choose the key
    except (JoseError, ValueError) as error:
        raise start_again(f"ID token unreadable: {error!r}") from error
    alg = header.get("alg")
    if alg not in metadata.algorithms:
        raise start_again(f"ID token signed with {alg!r}, not one of {sorted(metadata.algorithms)}")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    keys = signing_keys(metadata, kid)
    try:
        token = jwt.decode(id_token, keys, algorithms=sorted(metadata.algorithms))
    except BadSignatureError as error:
        raise start_again("ID token signature does not verify against the provider's keys") from error
    except (JoseError, ValueError) as error:
        # An unknown key id, a malformed token: nothing signed by the provider.
        raise start_again(f"ID token not verified: {error!r}") from error
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
        raise start_again(f"ID token expired at {claims.get('exp')!r}") from error
    except (MissingClaimError, InvalidClaimError) as error:
        raise start_again(f"ID token claim wrong: {error!r}") from error
    audience = claims.get("aud")
    if audience != client_id and audience != [client_id]:
        raise start_again(f"ID token is for {audience!r}, not for client {client_id!r}")
    if "azp" in claims and claims["azp"] != client_id:
        raise start_again(f"ID token's azp is {claims['azp']!r}")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise start_again("ID token nonce does not match the one sent")
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise start_again("ID token has no usable subject")
    return claims


def userinfo(metadata: ProviderMetadata, access_token: str, *, subject: str) -> dict[str, Any]:
    """The provider's UserInfo, for providers that keep the e-mail address out of the ID token."""
    data = _get_json(
        metadata.userinfo_endpoint,
        "userinfo",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if data.get("sub") != subject:
        raise start_again("UserInfo is about a different subject from the ID token")
    return {key: data[key] for key in ("email", "email_verified", "name") if key in data}
