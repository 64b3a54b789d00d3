"""No input makes a page answer 500: odd ids, dates, query strings and form bodies."""

import random

import pytest
from fastapi.testclient import TestClient

from app.enums import EventStatus
from tests.factories import Factory
from tests.pages.conftest import csrf_of, sign_in
from tests.routes import all_routes


def _page_routes(method: str) -> list[str]:
    """Every HTML page route (the modules named pages, in any domain)."""
    paths = []
    for route in all_routes():
        if method not in route.methods:
            continue
        module = route.endpoint.__module__
        if module.startswith("app.pages.") or module.endswith("pages"):
            paths.append(route.path)
    found = sorted(set(paths))
    # A walk that finds no routes would pass while testing nothing.
    assert len(found) > 20, found
    return found


def _fill(path: str, value: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", value, path)


ODD_QUERIES = [
    "view=zzz&d=2026-02-30&page=-1",
    "page=99999999999999999999&campaign=1e99&venue=-3&status=lost",
    "town=%00%27%22&q=%25%5F%00&network=abc&show=nope",
    "d=0001-01-01&view=month",
    "d=9999-12-31&view=week",
    "from=2026-13-01&to=yesterday&record_type=event&record_id=99999999999",
]


@pytest.fixture()
def world(make: Factory) -> Factory:
    venue = make.venue()
    event = make.event(venue=venue, status=EventStatus.confirmed, public=True)
    make.assign(event, make.person())
    return make


@pytest.mark.parametrize("role", ["admin", "staff", "partner", None])
def test_get_pages_answer_no_500_to_odd_ids_and_queries(
    client: TestClient, world: Factory, role: str | None
) -> None:
    if role:
        sign_in(client, world.user(role))
    for path in _page_routes("GET"):
        for value in ("1", "0", "999999999"):
            for query in ODD_QUERIES:
                answer = client.get(f"{_fill(path, value)}?{query}", follow_redirects=False)
                assert answer.status_code < 500, (path, value, query, answer.text[:300])


def _random_form(rng: random.Random) -> dict[str, object]:
    values = [
        "",
        "0",
        "-1",
        "abc",
        "9" * 30,
        "\x00",
        "2026-02-30",
        "25:61",
        "x" * 5000,
        "1",
        "yes",
        "confirmed",
        "declined",
        "draft",
        "cancelled",
        "ambassador",
        "lead",
        "partner",
        "admin",
        "%",
    ]
    fields = [
        "title",
        "campaign_id",
        "venue_id",
        "venue_ids",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "ambassadors_needed",
        "recruiters_needed",
        "status",
        "role",
        "person_id",
        "reason",
        "answer",
        "message",
        "name",
        "kind",
        "staff_number",
        "email",
        "password",
        "network_id",
        "public_naming",
        "starts_on",
        "ends_on",
        "latitude",
        "monthly_limit",
        "need_1",
        "accept_conflicts",
        "action",
        "target_1",
        "target_label_1",
        "full_name",
        "note",
        "accessibility_notes",
        "languages",
        "next",
    ]
    form: dict[str, object] = {}
    for name in rng.sample(fields, rng.randint(0, len(fields))):
        form[name] = rng.choice(values) if rng.random() < 0.8 else [rng.choice(values), rng.choice(values)]
    return form


@pytest.mark.parametrize("role", ["admin", "staff", "partner"])
def test_post_pages_answer_no_500_to_random_forms(client: TestClient, world: Factory, role: str) -> None:
    user = world.user(role)
    sign_in(client, user)
    rng = random.Random(f"pages-{role}")
    token = csrf_of(client)
    for path in _page_routes("POST"):
        if path in ("/logout", "/login"):
            continue
        for value in ("1", "999999999"):
            for _ in range(6):
                body = {"csrf_token": token, **_random_form(rng)}
                answer = client.post(_fill(path, value), data=body, follow_redirects=False)  # type: ignore[arg-type]
                assert answer.status_code < 500, (path, body, answer.text[:300])
