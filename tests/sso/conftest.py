"""A real OpenID Connect provider for the single sign-on tests: panva's ``oidc-provider``
(tests/sso/provider/provider.mjs) in Node, on a free loopback port, for the whole session.

.ci/run installs it (``npm ci --prefix tests/sso/provider``, from its lock file); locally these tests skip
with the reason when Node or the package is missing, and fail under CI=true.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest

from app.accounts import oidc
from app.config import get_settings
from tests.ci import need
from tests.servers import stop

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
PACKAGE = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
CALLBACK = "https://muster.test/login/sso/callback"
CLIENT_ID = "muster"
CLIENT_SECRET = "muster-test-secret-0123456789abcdef"
OTHER_CLIENT_ID = "other-app"
OTHER_CLIENT_SECRET = "other-app-secret-0123456789abcdef"
OTHER_CALLBACK = "https://other.test/callback"
PROVIDER_KID = "provider-key-1"

# The people the provider knows, by their stable subject id.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "00u-alice-7f3a": {"name": "Alice Ahmed", "email": "alice.ahmed@force.example", "email_verified": True},
    "00u-bob-91c2": {"name": "Bob Brown", "email": "bob.brown@force.example", "email_verified": True},
    "00u-carol-4d1e": {"name": "Carol Clark", "email": "carol.clark@force.example", "email_verified": False},
    "00u-dave-0b77": {"name": "Dave Dunn", "email": "dave.dunn@force.example", "email_verified": True},
    "00u-erin-5e5e": {"name": "Erin Evans", "email": "erin.evans@force.example", "email_verified": True},
    "00u-frank-c0de": {
        "name": "Frank Fox",
        "email": "frank.fox@force.example",
        "email_verified": True,
        "email_in": "userinfo",
    },
    "00u-pat-a11a": {"name": "Pat Patel", "email": "pat.patel@partner.example", "email_verified": True},
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Provider:
    """The running provider, and a person's browser at its sign-in page."""

    issuer: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def sign_in(self, authorization_url: str, subject: str) -> str:
        """Sign in at the provider's own login form as ``subject``; the redirect back to the client."""
        assert authorization_url.startswith(self.issuer + "/"), authorization_url
        with httpx.Client(timeout=10) as browser:
            url = authorization_url
            for _ in range(10):
                answer = browser.get(url)
                if answer.status_code in (302, 303):
                    location = urljoin(url, answer.headers["location"])
                    if not location.startswith(self.issuer):
                        return location
                    url = location
                    continue
                assert answer.status_code == 200, answer.text
                form = re.search(r'<form[^>]*action="([^"]+)"', answer.text)
                assert form, f"no sign-in form at {url}: {answer.text[:500]}"
                answer = browser.post(
                    urljoin(url, unescape(form.group(1))),
                    data={"prompt": "login", "login": subject, "password": "any password will do"},
                )
                assert answer.status_code in (302, 303), answer.text
                url = urljoin(url, answer.headers["location"])
                if not url.startswith(self.issuer):
                    return url
        raise AssertionError("the provider kept redirecting")

    def next_token(self, **misbehaviour: Any) -> None:
        """Make the provider's next token response misbehave (see provider.mjs)."""
        answer = httpx.post(f"{self.issuer}/__test__/next-token", json=misbehaviour, timeout=10)
        assert answer.status_code == 204

    def discovery(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10).json())

    def other_app_id_token(self, subject: str, *, nonce: str) -> str:
        """An ID token the provider issues to another of its clients (its audience is that client)."""
        verifier = secrets.token_urlsafe(48)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": OTHER_CLIENT_ID,
                "redirect_uri": OTHER_CALLBACK,
                "scope": "openid email",
                "state": secrets.token_urlsafe(16),
                "nonce": nonce,
                "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
                "code_challenge_method": "S256",
            }
        )
        back = self.sign_in(f"{self.issuer}/auth?{query}", subject)
        code = parse_qs(urlsplit(back).query)["code"][0]
        answer = httpx.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": OTHER_CALLBACK,
                "code_verifier": verifier,
            },
            auth=(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id_token"])


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        need(
            "single sign-on tests need Node and tests/sso/provider/node_modules/oidc-provider "
            "(npm ci --prefix tests/sso/provider; .ci/run does it)"
        )
    assert node is not None
    env = {**os.environ, "MUSTER_CALLBACK": CALLBACK, "ACCOUNTS": json.dumps(ACCOUNTS)}
    process = subprocess.Popen(
        [node, str(PROVIDER_DIR / "provider.mjs")],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    first = process.stdout.readline()
    while first and not first.startswith("{"):
        output.append(first)  # the provider's development-mode warnings
        first = process.stdout.readline()
    if not first:
        process.wait(timeout=10)
        pytest.fail("the OpenID Connect provider did not start:\n" + "".join(output))
    running = Provider(issuer=json.loads(first)["issuer"], process=process, output=output)

    def drain() -> None:  # keep reading, so a chatty provider never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=drain, daemon=True).start()
    try:
        yield running
    finally:
        stop(process)


@pytest.fixture()
def sso(provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """Muster set up for single sign-on with the test provider."""
    settings = get_settings()
    monkeypatch.setattr(settings, "oidc_issuer", provider.issuer)
    monkeypatch.setattr(settings, "oidc_client_id", CLIENT_ID)
    monkeypatch.setattr(settings, "oidc_client_secret", CLIENT_SECRET)
    monkeypatch.setattr(settings, "oidc_button_label", "Sign in with Lancashire Constabulary")
    monkeypatch.setattr(settings, "oidc_staff_passwords", True)
    oidc.clear_caches()
    return provider
