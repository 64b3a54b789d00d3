"""Findings of the security review (issue 19): out-of-range ids, security headers on every
response, and anonymous PDF rendering slowed per address."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.enums import EventStatus
from app.main import app
from app.ratelimit.service import take
from tests.factories import Factory
from tests.routes import all_routes

# One past PostgreSQL's integer, and one past SQLite's (and Python's int64) integer.
OUT_OF_RANGE = ("2147483648", "9223372036854775808")


def _routes() -> list[APIRoute]:
    return all_routes()


def _int_params(route: APIRoute) -> tuple[list[str], list[str]]:
    """The route's integer path parameters and integer query parameters (with dependencies')."""
    paths: list[str] = []
    queries: list[str] = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        for param in dependant.path_params:
            if "int" in str(param.field_info.annotation):
                paths.append(param.alias)  # the name in the path, where a route renames it
        for param in dependant.query_params:
            annotation = str(param.field_info.annotation)
            if re.search(r"\bint\b", annotation) and param.name not in ("limit", "offset"):
                queries.append(param.name)
    return sorted(set(paths)), sorted(set(queries))


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)(:id)?\}", lambda m: values[m[1]], path)


def _id_cases() -> list[Any]:
    cases = []
    for route in _routes():
        paths, queries = _int_params(route)
        if not paths and not queries:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            cases.append(pytest.param(method, route.path, paths, queries, id=f"{method} {route.path}"))
    return cases


def test_id_cases_cover_print_pages_and_api() -> None:
    paths = {case.values[1] for case in _id_cases()}

    assert "/venues/{venue_id:id}/poster" in paths
    assert "/events.csv" in paths
    assert "/api/v1/events/{event_id}" in paths
    assert "/plan/events/{event_id:id}" in paths


@pytest.fixture()
def anonymous() -> Iterator[TestClient]:
    with TestClient(app, base_url="https://muster.test", raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "path_ids", "query_ids"), _id_cases())
@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_route_answers_out_of_range_ids_without_5xx(
    anonymous: TestClient,
    make: Factory,
    who: str,
    method: str,
    path: str,
    path_ids: list[str],
    query_ids: list[str],
) -> None:
    venue = make.venue()
    event = make.event(venue=venue, status=EventStatus.confirmed, public=True)
    headers = make.headers("coordinator") if who == "coordinator" else {}
    known = {name: str(event.id if "event" in name else venue.id) for name in path_ids}
    failures = []
    for value in OUT_OF_RANGE:
        for name in path_ids:
            url = _fill(path, {**known, name: value})
            answer = anonymous.request(method, url, headers=headers, follow_redirects=False)
            if answer.status_code >= 500 or (who == "coordinator" and answer.status_code < 400):
                failures.append(f"path {name}={value}: {answer.status_code} {answer.text[:200]}")
        for name in query_ids:
            answer = anonymous.request(
                method, _fill(path, known), headers=headers, params={name: value}, follow_redirects=False
            )
            if answer.status_code >= 500:
                failures.append(f"query {name}={value}: {answer.status_code} {answer.text[:200]}")

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    [
        "/venues/9223372036854775808/poster",
        "/venues/2147483648/poster",
        "/venues/2147483648/poster.pdf",
        "/events/2147483648/briefing",
        "/events/9223372036854775808/briefing.pdf",
    ],
)
def test_print_route_with_out_of_range_path_id_is_404(anonymous: TestClient, make: Factory, url: str) -> None:
    answer = anonymous.get(url, headers=make.headers("coordinator"))

    assert answer.status_code == 404, answer.text[:300]


@pytest.mark.parametrize(
    "url",
    [
        "/events.csv?campaign_id=2147483648",
        "/events.csv?person_id=9223372036854775808",
        "/rosters?campaign_id=2147483648",
        "/rosters.csv?person_id=2147483648",
        "/rosters.pdf?person_id=9223372036854775808",
        "/venues/1/poster?event_id=2147483648",
    ],
)
def test_print_route_with_out_of_range_query_id_is_422(
    anonymous: TestClient, make: Factory, url: str
) -> None:
    make.venue()

    answer = anonymous.get(url, headers=make.headers("coordinator"))

    assert answer.status_code == 422, answer.text[:300]


def test_print_route_with_largest_id_is_404(anonymous: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")

    assert anonymous.get("/venues/2147483647/poster", headers=headers).status_code == 404
    assert anonymous.get("/events/2147483647/briefing", headers=headers).status_code == 404
    assert anonymous.get("/plan/events/2147483647", headers=headers).status_code == 404


def test_page_with_id_within_range_but_over_nine_digits_reaches_the_page(
    anonymous: TestClient, make: Factory
) -> None:
    answer = anonymous.get("/events/1000000000")

    assert answer.status_code == 404
    assert "nothing at" not in answer.text.lower()  # the event page's own 'not found', not the router's


# --- security headers on every response, and HSTS behind HTTPS ------------------------------

SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy")


def _app_with_a_crashing_route() -> FastAPI:
    """A fresh app as configured now, plus test-only routes that fail as a bug would."""
    from app.main import create_app

    fresh = create_app()
    broken = APIRouter()

    @broken.get("/test-only/crash")
    @broken.get("/api/v1/test-only/crash")
    def crash() -> None:
        raise RuntimeError("a bug")

    fresh.include_router(broken)
    return fresh


@pytest.fixture()
def secure_cookies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MUSTER_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("MUSTER_SECURE_COOKIES")
    get_settings.cache_clear()


@pytest.mark.parametrize("path", ["/test-only/crash", "/api/v1/test-only/crash"])
def test_unhandled_exception_answers_500_with_security_headers(db: object, path: str) -> None:
    with TestClient(_app_with_a_crashing_route(), raise_server_exceptions=False) as client:
        answer = client.get(path)

    assert answer.status_code == 500
    for header in SECURITY_HEADERS:
        assert header in answer.headers, header
    assert "strict-transport-security" not in answer.headers
    assert "a bug" not in answer.text


def test_unhandled_exception_under_api_is_a_problem(db: object) -> None:
    with TestClient(_app_with_a_crashing_route(), raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/test-only/crash")

    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 500


def test_unhandled_exception_still_reaches_the_server(db: object) -> None:
    """The server logs it as before (and a test client raises it)."""
    with TestClient(_app_with_a_crashing_route()) as client, pytest.raises(RuntimeError, match="a bug"):
        client.get("/test-only/crash")


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/me", "/nothing-here", "/test-only/crash"])
def test_response_carries_hsts_behind_https(db: object, secure_cookies: None, path: str) -> None:
    with TestClient(_app_with_a_crashing_route(), raise_server_exceptions=False) as client:
        answer = client.get(path, follow_redirects=False)

    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    for header in SECURITY_HEADERS:
        assert header in answer.headers, header


def test_response_carries_no_hsts_without_https(client: TestClient) -> None:
    answer = client.get("/")

    assert "strict-transport-security" not in answer.headers
    assert answer.headers["x-frame-options"] == "DENY"


# --- anonymous PDFs are counted per address -------------------------------------------------


@pytest.fixture()
def quick_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is what is tested here, not WeasyPrint: a stand-in renderer."""
    from app.printouts import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda template, context: b"%PDF-1.7 stand-in")


@pytest.fixture()
def poster_url(make: Factory) -> str:
    venue = make.venue()
    make.event(venue=venue, status=EventStatus.confirmed, public=True)
    return f"/venues/{venue.id}/poster.pdf"


def test_anonymous_poster_pdf_past_twenty_a_minute_is_429_with_retry_after(
    anonymous: TestClient, quick_pdfs: None, poster_url: str
) -> None:
    answers = [anonymous.get(poster_url).status_code for _ in range(20)]
    refused = anonymous.get(poster_url)

    assert answers == [200] * 20
    assert refused.status_code == 429
    # The rest of the minute, and the part of the next by which the burst has faded.
    assert 1 <= int(refused.headers["retry-after"]) <= 72
    assert "Too many PDFs from your address." in refused.text
    assert refused.headers["content-type"].startswith("text/html")


def test_anonymous_poster_pdf_is_refused_before_it_is_rendered(
    anonymous: TestClient, db: Session, poster_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.printouts import pdf
    from app.printouts.routes import ANONYMOUS_PDFS

    for _ in range(ANONYMOUS_PDFS.count):
        take(db, ANONYMOUS_PDFS, "testclient")
    monkeypatch.setattr(pdf, "render_pdf", lambda template, context: pytest.fail("rendered"))

    assert anonymous.get(poster_url).status_code == 429


def test_signed_in_poster_pdfs_are_not_limited(
    anonymous: TestClient, make: Factory, quick_pdfs: None, poster_url: str
) -> None:
    headers = make.headers("coordinator")

    answers = [anonymous.get(poster_url, headers=headers).status_code for _ in range(25)]

    assert answers == [200] * 25


def test_anonymous_html_poster_is_not_counted(
    anonymous: TestClient, quick_pdfs: None, poster_url: str
) -> None:
    for _ in range(25):
        assert anonymous.get(poster_url.removesuffix(".pdf")).status_code == 200

    assert anonymous.get(poster_url).status_code == 200


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A1%D9%A2"])  # superscript two; Arabic-Indic twelve
def test_page_number_or_id_in_other_digits_is_not_a_500(
    anonymous: TestClient, make: Factory, value: str
) -> None:
    """str.isdigit() accepts digits int() refuses ('²'), or reads as another number."""
    sign_in_headers = make.headers("coordinator")

    assert anonymous.get(f"/events?page={value}").status_code == 200
    assert anonymous.get(f"/plan/events?campaign={value}", headers=sign_in_headers).status_code < 500
