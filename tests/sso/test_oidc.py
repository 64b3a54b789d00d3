"""Single sign-on against a real OpenID Connect provider (oidc-provider, see conftest.py).

Every ID token here is the provider's own, except the forged ones in the bad-signature
tests: those are made by the test, as an attacker would, and must fail Muster's check
against the keys the provider publishes.
"""

import base64
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from sqlmodel import Session, select

from app.accounts.models import User, UserSession
from app.audit.models import AuditEntry
from app.config import get_settings
from app.enums import Role
from tests.factories import PASSWORD, Factory, fresh
from tests.forms import csrf_of
from tests.sso.conftest import CLIENT_ID, CLIENT_SECRET, PROVIDER_KID, Provider

ALICE = "00u-alice-7f3a"
BOB = "00u-bob-91c2"
CAROL = "00u-carol-4d1e"
DAVE = "00u-dave-0b77"
ERIN = "00u-erin-5e5e"
FRANK = "00u-frank-c0de"
PAT = "00u-pat-a11a"


def start(client: TestClient, next_url: str = "") -> str:
    """Press the single sign-on button: the provider's authorisation address Muster sends us to."""
    answer = client.get("/login/sso" + (f"?next={next_url}" if next_url else ""), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def params_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**params_of(url), **changes})))


def back_at_muster(client: TestClient, callback: str) -> httpx.Response:
    assert callback.startswith("https://muster.test/login/sso/callback?"), callback
    return client.get(callback, follow_redirects=False)


def sign_in_with_sso(
    client: TestClient, provider: Provider, subject: str, next_url: str = ""
) -> httpx.Response:
    return back_at_muster(client, provider.sign_in(start(client, next_url), subject))


def signed_in_by_sso(client: TestClient, provider: Provider, subject: str) -> str | None:
    """Sign in at the provider as ``subject`` and come back, let in; who Muster then says it is."""
    answer = sign_in_with_sso(client, provider, subject)
    assert answer.status_code == 303, answer.text
    return who(client)


def who(client: TestClient) -> str | None:
    """The e-mail address of whoever the client is signed in as, or None."""
    answer = client.get("/api/v1/me")
    return str(answer.json()["email"]) if answer.status_code == 200 else None


def refused(answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    assert "set-cookie" not in answer.headers or "sid" not in _cookie_session(answer)
    assert words in answer.text, answer.text


def refused_and_logged(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    callback: str,
    logged: str,
    *,
    status: int = 400,
    words: str = "That sign-in did not work",
) -> None:
    """Back at Muster with ``callback``: refused in ``words``, the reason logged, nobody signed in."""
    with caplog.at_level(logging.WARNING, "muster.sso"):
        answer = back_at_muster(client, callback)
    refused(answer, status, words)
    assert logged in caplog.text
    assert who(client) is None


def _cookie_session(answer: httpx.Response) -> dict[str, Any]:
    """The data in the signed session cookie the answer sets (its first part is base64 JSON)."""
    cookie = answer.headers.get("set-cookie", "")
    value = cookie.split("muster_session=", 1)[1].split(";", 1)[0] if "muster_session=" in cookie else ""
    if not value or value == "null":
        return {}
    payload = value.split(".", 1)[0]
    return dict(json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4))))


def staff(make: Factory, email: str, **changes: Any) -> User:
    user = make.user(Role.staff, email=email)
    for key, value in changes.items():
        setattr(user, key, value)
    make.session.add(user)
    make.session.commit()
    return user


# --- a good sign-in ------------------------------------------------------------------------


def test_the_sign_in_page_offers_single_sign_on(sso: Provider, client: TestClient) -> None:
    page = client.get("/login?next=/plan")
    assert "Sign in with Lancashire Constabulary" in page.text
    assert 'href="/login/sso?next=/plan"' in page.text
    assert "Or sign in with your Muster password" in page.text


def test_without_settings_there_is_no_single_sign_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "oidc_issuer", "")
    assert "/login/sso" not in client.get("/login").text
    assert client.get("/login/sso", follow_redirects=False).status_code == 404
    assert client.get("/login/sso/callback?state=x&code=y", follow_redirects=False).status_code == 404


def test_the_authorisation_request_uses_pkce_state_and_nonce(sso: Provider, client: TestClient) -> None:
    first, second = params_of(start(client)), params_of(start(client))
    assert first["response_type"] == "code"
    assert first["client_id"] == CLIENT_ID
    assert first["redirect_uri"] == "https://muster.test/login/sso/callback"
    assert first["scope"] == "openid email profile"
    assert first["code_challenge_method"] == "S256"
    assert len(first["code_challenge"]) == 43
    for key in ("state", "nonce", "code_challenge"):
        assert len(first[key]) >= 43 and first[key] != second[key]


def test_sign_in_by_subject(sso: Provider, client: TestClient, make: Factory, db: Session) -> None:
    # Linked before: found by the provider's subject id, whatever e-mail address Muster has.
    user = staff(make, "a.ahmed@old-address.example", oidc_subject=ALICE)
    answer = sign_in_with_sso(client, sso, ALICE, next_url="/my")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/my"
    assert who(client) == "a.ahmed@old-address.example"
    db.expire_all()
    sessions = db.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(sessions) == 1
    assert db.get(User, user.id).last_sign_in_at is not None  # type: ignore[union-attr]


def first_sign_in_links(
    client: TestClient, provider: Provider, db: Session, user: User, subject: str
) -> None:
    """A sign-in not linked yet is found by its e-mail address, let in, and linked to ``subject``."""
    assert signed_in_by_sso(client, provider, subject) == user.email.lower()
    assert fresh(db, User, user.id).oidc_subject == subject


def test_first_sign_in_by_verified_email_links_the_subject(
    sso: Provider, client: TestClient, make: Factory, db: Session
) -> None:
    user = staff(make, "Bob.Brown@force.example")
    first_sign_in_links(client, sso, db, user, BOB)
    entry = db.exec(select(AuditEntry).where(AuditEntry.record_id == user.id)).all()[-1]
    assert "linked to single sign-on" in entry.summary

    # Next time the subject finds the account, even after the e-mail address changed in Muster.
    user.email = "bob.brown@new-address.example"
    db.add(user)
    db.commit()
    client.cookies.clear()
    assert signed_in_by_sso(client, sso, BOB) == "bob.brown@new-address.example"


def test_email_from_userinfo_when_the_id_token_has_none(
    sso: Provider, client: TestClient, make: Factory, db: Session
) -> None:
    first_sign_in_links(client, sso, db, staff(make, "frank.fox@force.example"), FRANK)


def test_a_public_client_without_a_secret(
    sso: Provider, client: TestClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client registered without a secret names itself at the token endpoint; PKCE protects the code."""
    monkeypatch.setattr(get_settings(), "oidc_client_id", "muster-public")
    monkeypatch.setattr(get_settings(), "oidc_client_secret", "")
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    authorization = start(client)
    assert params_of(authorization)["client_id"] == "muster-public"
    assert back_at_muster(client, sso.sign_in(authorization, ALICE)).status_code == 303
    assert who(client) == "alice.ahmed@force.example"


def test_a_wrong_code_verifier_is_refused_by_the_provider(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """PKCE: a code obtained with another challenge (say, intercepted) does not exchange."""
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    authorization = with_param(start(client), code_challenge="A" * 43)
    refused_and_logged(client, caplog, sso.sign_in(authorization, ALICE), "the provider refused the code")


# --- people who are refused ----------------------------------------------------------------


def test_an_unverified_email_is_refused(
    sso: Provider, client: TestClient, make: Factory, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = staff(make, "carol.clark@force.example")
    callback = sso.sign_in(start(client), CAROL)
    refused_and_logged(
        client,
        caplog,
        callback,
        "not verified by the provider",
        status=403,
        words="has not verified your e-mail address",
    )
    assert fresh(db, User, user.id).oidc_subject is None


def test_an_unknown_person_gets_the_not_set_up_page(sso: Provider, client: TestClient, make: Factory) -> None:
    staff(make, "someone.else@force.example")
    answer = sign_in_with_sso(client, sso, DAVE)
    refused(answer, 403, "your account is not set up in Muster; ask the recruitment team")
    assert "<h1" in answer.text and "Your account is not set up in Muster" in answer.text
    assert who(client) is None


def test_an_inactive_user_is_refused(sso: Provider, client: TestClient, make: Factory, db: Session) -> None:
    linked = staff(make, "erin.evans@force.example", oidc_subject=ERIN, active=False)
    refused(sign_in_with_sso(client, sso, ERIN), 403, "Your account has been switched off")
    assert who(client) is None
    # Not linked yet, found by e-mail: refused the same, and not linked either.
    linked.oidc_subject = None
    db.add(linked)
    db.commit()
    refused(sign_in_with_sso(client, sso, ERIN), 403, "Your account has been switched off")
    assert fresh(db, User, linked.id).oidc_subject is None


def test_an_account_linked_to_another_subject_is_not_taken_over(
    sso: Provider, client: TestClient, make: Factory
) -> None:
    staff(make, "bob.brown@force.example", oidc_subject="00u-somebody-else")
    refused(sign_in_with_sso(client, sso, BOB), 403, "linked to a different single sign-on identity")
    assert who(client) is None


def test_venue_partners_do_not_use_single_sign_on(sso: Provider, client: TestClient, make: Factory) -> None:
    make.user(Role.partner, email="pat.patel@partner.example")
    refused(sign_in_with_sso(client, sso, PAT), 403, "Venue partners sign in with a password")
    assert who(client) is None


# --- tokens that are wrong -----------------------------------------------------------------


def test_an_id_token_for_another_client_is_refused(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """The provider's genuine ID token, with the right nonce, issued to its other client."""
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    authorization = start(client)
    foreign = sso.other_app_id_token(ALICE, nonce=params_of(authorization)["nonce"])
    assert jwt.decode(foreign, _provider_key(sso)).claims["aud"] == "other-app"
    sso.next_token(id_token=foreign)
    refused_and_logged(
        client, caplog, sso.sign_in(authorization, ALICE), "is for 'other-app', not for client 'muster'"
    )


def test_an_expired_id_token_is_refused(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """The provider's clock an hour slow when it issues the token: ten-minute tokens, long expired."""
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    sso.next_token(skew_seconds=-3600)
    refused_and_logged(client, caplog, sso.sign_in(start(client), ALICE), "ID token expired")


def test_an_id_token_issued_in_the_future_is_refused(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    sso.next_token(skew_seconds=3600)
    refused_and_logged(client, caplog, sso.sign_in(start(client), ALICE), "issued in the future")


def _provider_key(provider: Provider) -> RSAKey:
    jwks = httpx.get(provider.discovery()["jwks_uri"], timeout=10).json()
    return RSAKey.import_key(jwks["keys"][0])


def _forged_claims(authorization: str, issuer: str, subject: str) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": subject,
        "nonce": params_of(authorization)["nonce"],
        "iat": now,
        "exp": now + 300,
        "email": "alice.ahmed@force.example",
        "email_verified": True,
    }


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    ("forgery", "logged"),
    [
        ("another key, the provider's key id", "signature does not verify"),
        ("another key, a key id the provider never published", "No key for kid"),
        ("a signature stripped", "signature does not verify"),
        ("no signature at all (alg none)", "signed with 'none'"),
        ("signed with the client secret (HS256)", "signed with 'HS256'"),
    ],
)
def test_an_id_token_with_a_bad_signature_is_refused(
    sso: Provider,
    client: TestClient,
    make: Factory,
    caplog: pytest.LogCaptureFixture,
    forgery: str,
    logged: str,
) -> None:
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    authorization = start(client)
    claims = _forged_claims(authorization, sso.issuer, ALICE)
    if forgery.startswith("another key"):
        kid = PROVIDER_KID if "provider's key id" in forgery else "attacker-key"
        attacker = RSAKey.generate_key(2048, parameters={"kid": kid})
        token = jwt.encode({"alg": "RS256", "kid": kid}, claims, attacker)
    elif forgery == "a signature stripped":
        genuine = sso.other_app_id_token(ALICE, nonce=claims["nonce"])
        header, _payload, signature = genuine.split(".")
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        token = f"{header}.{payload}.{signature}"  # the provider's signature over other claims
    elif forgery.endswith("(alg none)"):
        token = _unsigned(claims)
    else:
        token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(CLIENT_SECRET))
    sso.next_token(id_token=token)
    refused_and_logged(client, caplog, sso.sign_in(authorization, ALICE), logged)


def test_a_wrong_nonce_is_refused(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """The provider signs a token with a nonce other than the one Muster keeps for this state."""
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    authorization = with_param(start(client), nonce="a-nonce-muster-never-made-0123456789abcdefgh")
    refused_and_logged(client, caplog, sso.sign_in(authorization, ALICE), "nonce does not match")


# --- state ---------------------------------------------------------------------------------


def test_a_replayed_state_is_refused(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    callback = sso.sign_in(start(client), ALICE)
    before = client.cookies.get("muster_session")
    assert back_at_muster(client, callback).status_code == 303
    assert who(client) == "alice.ahmed@force.example"

    # The same answer again in the same browser: its state was used up.
    client.cookies.clear()
    refused_and_logged(client, caplog, callback, "state unknown", words="already used or has expired")

    # With the cookie from before the sign-in (which still holds the state): the provider
    # will not exchange the code twice.
    caplog.clear()
    client.cookies.set("muster_session", before or "", domain="muster.test")
    refused_and_logged(client, caplog, callback, "the provider refused the code")


def test_a_state_from_another_browser_is_refused(sso: Provider, client: TestClient, make: Factory) -> None:
    """Login CSRF: an attacker's own callback, sent to the victim's browser, signs nobody in."""
    from app.main import app

    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    with TestClient(app, base_url="https://muster.test") as attacker:
        callback = sso.sign_in(start(attacker), ALICE)
    start(client)  # the victim has a sign-in of their own under way
    refused(back_at_muster(client, callback), 400, "already used or has expired")
    assert who(client) is None


def test_a_callback_naming_another_issuer_is_refused(
    sso: Provider, client: TestClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    callback = sso.sign_in(start(client), ALICE)
    assert params_of(callback)["iss"] == sso.issuer
    refused_and_logged(
        client, caplog, with_param(callback, iss="https://idp.attacker.example"), "names issuer"
    )


def test_cancelling_at_the_provider(sso: Provider, client: TestClient) -> None:
    authorization = start(client)
    state = params_of(authorization)["state"]
    answer = client.get(f"/login/sso/callback?error=access_denied&state={state}", follow_redirects=False)
    refused(answer, 400, "you may have cancelled")


# --- passwords ------------------------------------------------------------------------------


def _password_sign_in(client: TestClient, user: User) -> httpx.Response:
    return client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )


def test_staff_passwords_off_leaves_partners_theirs(
    sso: Provider, client: TestClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "oidc_staff_passwords", False)
    page = client.get("/login")
    assert "Sign in with Lancashire Constabulary" in page.text and "Venue partners" in page.text

    for role in (Role.staff, Role.coordinator, Role.admin):
        user = make.user(role)
        answer = _password_sign_in(client, user)
        assert answer.status_code == 400, answer.text
        assert "Officers and staff sign in with single sign-on" in answer.text
        assert "“Sign in with Lancashire Constabulary” button" in answer.text
        assert who(client) is None

    # A wrong password still says only that: nothing about the account's role.
    coordinator = make.user(Role.coordinator)
    wrong = client.post(
        "/login",
        data={"email": coordinator.email, "password": "not the password", "csrf_token": csrf_of(client)},
    )
    assert "The e-mail address or password is not right" in wrong.text
    assert "single sign-on" not in wrong.text.split("<h1", 1)[0]

    partner = make.user(Role.partner)
    assert _password_sign_in(client, partner).status_code == 303
    assert who(client) == partner.email


def test_staff_passwords_work_while_allowed(sso: Provider, client: TestClient, make: Factory) -> None:
    user = make.user(Role.coordinator)
    assert _password_sign_in(client, user).status_code == 303
    assert who(client) == user.email


def test_the_provider_down_is_said_plainly(
    sso: Provider, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "oidc_issuer", "http://127.0.0.1:9")  # nothing listens there
    answer = client.get("/login/sso", follow_redirects=False)
    assert answer.status_code == 502
    assert "Single sign-on is not working" in answer.text and "Try again in a few minutes" in answer.text


def test_an_issuer_that_does_not_match_discovery_is_refused(
    sso: Provider, client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(get_settings(), "oidc_issuer", sso.issuer.replace("127.0.0.1", "localhost"))
    with caplog.at_level(logging.WARNING, "muster.sso"):
        answer = client.get("/login/sso", follow_redirects=False)
    assert answer.status_code == 502
    assert "not MUSTER_OIDC_ISSUER" in caplog.text


def test_the_client_secret_is_checked_by_the_provider(
    sso: Provider, client: TestClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff(make, "alice.ahmed@force.example", oidc_subject=ALICE)
    callback = sso.sign_in(start(client), ALICE)
    monkeypatch.setattr(get_settings(), "oidc_client_secret", CLIENT_SECRET + "-wrong")
    answer = back_at_muster(client, callback)
    assert answer.status_code == 502
    assert who(client) is None
