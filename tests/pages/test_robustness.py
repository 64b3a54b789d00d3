"""No input makes a page answer 500: odd ids, dates, query strings and form bodies.

The walks use real records (every path parameter has one in the world below) beside odd
ids, and count their answers (tests/reach.py): every page must have shown itself to some
role at least once, and every form must have got past the login wall, the role check and
the CSRF check at least once, so a walk that only ever met the sign-in page or a 403 fails
rather than passing having tested nothing."""

import random
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from app.accounts import service as accounts
from app.accounts.models import User
from app.audit.service import SYSTEM
from app.enums import EventStatus
from app.notifications import links
from app.notifications.models import OutboxMessage
from app.notifications.preferences import unsubscribe_token
from app.planning import service as planning
from app.staffing import jobs as plan_jobs
from tests.factories import Factory, future
from tests.forms import csrf_of, sign_in
from tests.interest.helpers import record as interest_record
from tests.reach import PAGE_DOOR, Tally
from tests.representation.helpers import page_ids as planning_page_ids
from tests.routes import all_routes
from tests.test_permissions import _cheap_password_hashing

__all__ = ["_cheap_password_hashing"]  # autouse: argon2 at minimum cost here too


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
    return re.sub(r"\{[^}]+\}", value, path)


ODD_QUERIES = [
    "view=zzz&d=2026-02-30&page=-1",
    "page=99999999999999999999&campaign=1e99&venue=-3&status=lost",
    "town=%00%27%22&q=%25%5F%00&network=abc&show=nope",
    "d=0001-01-01&view=month",
    "d=9999-12-31&view=week",
    "from=2026-13-01&to=yesterday&record_type=event&record_id=99999999999",
]


@dataclass(frozen=True)
class World:
    """Real records for every path parameter, and a user of each role to sign in as."""

    ids: dict[str, str]
    users: dict[str, User]


@pytest.fixture()
def world(make: Factory) -> World:
    campaign, network = make.campaign(), make.network()
    venue, person = make.venue(), make.person(email="amira.khan@muster.test")
    event = make.event(venue=venue, campaign=campaign, status=EventStatus.confirmed, public=True)
    assignment = make.assign(event, person)
    representation = make.represent(person, network)
    away = make.away(person, future(30, 8), future(30, 18), "training")
    users = {
        "admin": make.user("admin"),
        "coordinator": make.user("coordinator"),
        "staff": make.user("staff", person=person),
        "partner": make.user("partner", venues=[venue]),
    }
    target = make.user("coordinator")  # the one the administrator's forms act on
    assert target.id is not None
    token, _ = accounts.issue_api_token(session=make.session, actor=SYSTEM, user_id=target.id, name="fuzzed")
    message = OutboxMessage(
        idempotency_key="sent/1",
        topic=f"duty:{assignment.id}",
        kind="duty",
        status="sent",
        body_html="<p>Your duty</p>",
        calendar="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        calendar_method="REQUEST",
    )
    make.session.add(message)
    link = links.issue(
        make.session, purpose="duty_accept", subject_id=assignment.id or 0, recipient=person.email
    )
    make.session.commit()
    coordinator = accounts.principal_for(session=make.session, user=users["coordinator"])
    job = plan_jobs.preview_event(session=make.session, principal=coordinator, event_id=event.id or 0)
    ids = {
        "assignment_id": assignment.id,
        "campaign_id": campaign.id,
        "event_id": event.id,
        "interest_id": interest_record(make.session).id,
        "job_id": job.id,
        "message_id": message.id,
        "network_id": network.id,
        # The people pages act on someone else, so the staff member's sign-in survives them.
        "person_id": make.person().id,
        "rep_id": representation.id,
        "row_id": away.id,
        "token_id": token.id,
        "user_id": target.id,
        "venue_id": venue.id,
        "link": link.url.rsplit("/", 1)[1],
        "unsubscribe": unsubscribe_token(users["staff"].email, "reminders"),
        **planning_page_ids(make.session, campaign_id=campaign.id or 0),
        **_planning_calendar_ids(make),
    }
    return World(ids={name: str(value) for name, value in ids.items()}, users=users)


def _planning_calendar_ids(make: Factory) -> dict[str, int]:
    local_date = planning.create_local_date(
        session=make.session,
        actor=SYSTEM,
        data={
            "name": "Nelson mela",
            "starts_on": future(40).date(),
            "ends_on": future(41).date(),
            "scope": "everywhere",
        },
    )
    (pattern, *_) = planning.add_standard_patterns(session=make.session, actor=SYSTEM)
    return {"local_date_id": local_date.id or 0, "pattern_id": pattern.id or 0}


def _real(path: str, world: World) -> str:
    """The path with the world's records in it (for a token, the link that page reads)."""
    token = "unsubscribe" if path.startswith("/notifications/unsubscribe/") else "link"
    names = {**world.ids, "token": world.ids[token]}

    def record(match: re.Match[str]) -> str:
        assert match.group(1) in names, f"{path}: add a real {match.group(1)} to the world fixture"
        return names[match.group(1)]

    return re.sub(r"\{([^}:]+)(:[^}]+)?\}", record, path)


def _as(client: TestClient, world: World, role: str | None, *, afresh: bool) -> None:
    """Signed in as ``role`` (anonymous for None): afresh for a new role, and again whenever
    a page or form has signed the user out."""
    if role is None:
        client.cookies.clear()
    elif afresh or client.get("/account", follow_redirects=False).status_code != 200:
        client.cookies.clear()
        sign_in(client, world.users[role])


# Pages that answer only when something outside the app is set up (an OpenID provider).
NOT_CONFIGURED = frozenset({"/login/sso", "/login/sso/callback"})


def test_get_pages_answer_no_500_to_odd_ids_and_queries(client: TestClient, world: World) -> None:
    # One test for every role, so that every page must have shown itself to someone.
    tally = Tally(PAGE_DOOR)
    paths = _page_routes("GET")
    for role in ("admin", "coordinator", "staff", "partner", None):
        for i, path in enumerate(paths):
            _as(client, world, role, afresh=i == 0)
            for url in (_real(path, world), _fill(path, "0"), _fill(path, "999999999")):
                for query in ("", *ODD_QUERIES):
                    answer = client.get(f"{url}?{query}", follow_redirects=False)
                    assert answer.status_code < 500, (role, url, query, answer.text[:300])
                    tally.add_page(path, answer)
    tally.assert_each_reached([p for p in paths if p not in NOT_CONFIGURED], successes=True)
    tally.assert_each_reached(NOT_CONFIGURED & set(paths))


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


def test_post_pages_answer_no_500_to_random_forms(client: TestClient, world: World) -> None:
    tally = Tally(PAGE_DOOR - {"422"})  # every id here is one the path accepts: a 422 is a rule's
    paths = [p for p in _page_routes("POST") if p not in ("/logout", "/login")]
    # The administrator last: their forms deactivate people and venues the others act on.
    for role in ("staff", "partner", "admin"):
        rng = random.Random(f"pages-{role}")
        for i, path in enumerate(paths):
            _as(client, world, role, afresh=i == 0)
            token = csrf_of(client)
            for url in (_real(path, world), _fill(path, "999999999")):
                for _ in range(6):
                    body = {"csrf_token": token, **_random_form(rng)}
                    answer = client.post(url, data=body, follow_redirects=False)  # type: ignore[arg-type]
                    assert answer.status_code < 500, (role, url, body, answer.text[:300])
                    tally.add_page(path, answer)
    tally.assert_each_reached(paths)
