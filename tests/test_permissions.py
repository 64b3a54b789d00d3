"""Every /api/v1 route in the OpenAPI schema, called by every role: the expected allow or deny.

``RULES`` is the permission table. A route in the schema without a row fails the suite (so a
new route cannot ship without a decided rule), and so does a row whose route is gone.

Each row says which roles may call the route; an allowed role gets the row's success status,
a denied one 401 (anonymous) or 403. Some routes are *self-scoped*: staff act only on their
own person's records, partners only on their own venues' events. For those, the role is
allowed on its own record and is also tested on someone else's ("<role>-other"), where it must
get 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from app.accounts import security
from app.accounts import service as accounts
from app.audit.service import SYSTEM
from app.enums import UnavailabilityReason
from app.events.models import Event
from app.main import app
from app.notifications.models import OutboxMessage
from app.people.models import Person
from app.planning import service as planning
from app.staffing import jobs as plan_jobs
from app.venues.models import Venue
from tests.factories import Factory, future
from tests.forms import sign_in
from tests.interest.helpers import record as interest_record
from tests.representation.helpers import planning_figures

ANON, ADMIN, COORD, STAFF, PARTNER = "anonymous", "admin", "coordinator", "staff", "partner"
ROLES = (ANON, ADMIN, COORD, STAFF, PARTNER)
USERS = frozenset({ADMIN, COORD, STAFF, PARTNER})
PLANNERS = frozenset({ADMIN, COORD})
PLANNERS_STAFF = PLANNERS | {STAFF}
ADMINS = frozenset({ADMIN})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Side:
    """One side's records: the caller's own ("own"), or someone else's ("other")."""

    person: int
    venue: int
    event: int
    assignment: int
    representation: int
    unavailability: int


@dataclass(frozen=True)
class World:
    own: Side
    other: Side
    campaign: int
    network: int
    spare_network: int
    spare_person: int
    user: int
    message: int
    token: int  # an API token of the user above
    job: int  # a plan job, queued (no worker runs in these tests)
    local_date: int  # a planning calendar local date
    pattern: int  # a planning calendar weekly pattern
    interest: int  # an expression of interest from the public
    figures: dict[str, int]  # planning figures (targets, shares, before/after) by path name

    def side(self, scope: str) -> Side:
        return self.own if scope == "own" else self.other

    def path_ids(self, scope: str) -> dict[str, int]:
        side = self.side(scope)
        return {
            "person_id": side.person,
            "venue_id": side.venue,
            "event_id": side.event,
            "assignment_id": side.assignment,
            "representation_id": side.representation,
            "unavailability_id": side.unavailability,
            "campaign_id": self.campaign,
            "network_id": self.network,
            "user_id": self.user,
            "message_id": self.message,
            "token_id": self.token,
            "job_id": self.job,
            "local_date_id": self.local_date,
            "pattern_id": self.pattern,
            "interest_id": self.interest,
            **self.figures,
        }


Body = Callable[[World, str], Any]


def _iso(days: int, hour: int) -> str:
    return future(days=days, hour=hour).isoformat()


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    ok: int = 200
    own_only: frozenset[str] = NOBODY
    ok_for: dict[str, int] | None = None  # an allowed role's own success status, where it differs
    # Someone else's record reads as missing (404) rather than refused, so ids reveal nothing.
    hidden: bool = False
    body: Body | None = None
    query: Callable[[World, str], dict[str, Any]] | None = None
    why: str = ""


def _person_query(world: World, scope: str) -> dict[str, Any]:
    return {"person_id": world.side(scope).person}


def _staff_see_their_own(allowed: frozenset[str], what: str) -> Rule:
    """A list planners read for anyone and staff for themselves only (asked by ``person_id``)."""
    return Rule(
        allowed,
        own_only=frozenset({STAFF}),
        query=_person_query,
        why=f"staff asking for another person's {what} are refused",
    )


def _import_body(*, apply: bool) -> dict[str, Any]:
    """A one-person CSV import; applying it carries the file's hash, as from its preview."""
    import hashlib

    text = "staff_number,name,kind\nPERM0001,Perm Person,pcso\n"
    body: dict[str, Any] = {"csv": text}
    if apply:
        body["file_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return body


def _share_import(*, apply: bool) -> dict[str, Any]:
    """A one-line CSV of community figures; importing it carries the text's hash, as from its preview."""
    import hashlib

    text = "area,group,share_percent,year\nBurnley,Women,50.4,2021\n"
    body: dict[str, Any] = {"kind": "population", "csv": text}
    if apply:
        body["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return body


RULES: dict[tuple[str, str], Rule] = {
    # --- accounts ---------------------------------------------------------------------
    ("GET", "/api/v1/me"): Rule(USERS, why="anyone signed in sees who they are"),
    ("GET", "/api/v1/users"): Rule(ADMINS, why="only administrators manage users"),
    ("POST", "/api/v1/users"): Rule(
        ADMINS,
        201,
        body=lambda w, s: {
            "email": "new.user@muster.test",
            "password": "long enough pw",
            "role": "coordinator",
        },
    ),
    ("GET", "/api/v1/users/{user_id}"): Rule(ADMINS),
    ("PATCH", "/api/v1/users/{user_id}"): Rule(ADMINS, body=lambda w, s: {"full_name": "Renamed User"}),
    ("POST", "/api/v1/users/{user_id}/sessions/revoke"): Rule(ADMINS, why="signs a user out everywhere"),
    # --- API tokens: your own; anyone's for administrators --------------------------------
    ("GET", "/api/v1/me/tokens"): Rule(USERS, why="the caller's own tokens"),
    ("POST", "/api/v1/me/tokens"): Rule(USERS, 201, body=lambda w, s: {"name": "Rota spreadsheet"}),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): Rule(
        USERS,
        404,
        why="only the caller's own; the table's token is another user's, so it reads as missing "
        "(revoking one's own: tests/accounts/test_tokens.py)",
    ),
    ("GET", "/api/v1/users/{user_id}/tokens"): Rule(ADMINS),
    ("DELETE", "/api/v1/tokens/{token_id}"): Rule(ADMINS, 204, why="administrators revoke anyone's token"),
    # --- onboarding: CSV import of people and sign-ins, invitations (administrators) -------
    ("POST", "/api/v1/people/import/preview"): Rule(
        ADMINS,
        body=lambda w, s: _import_body(apply=False),
        why="imports make sign-ins, so administrators only",
    ),
    ("POST", "/api/v1/people/import"): Rule(ADMINS, body=lambda w, s: _import_body(apply=True)),
    ("GET", "/api/v1/invitations"): Rule(ADMINS, why="who has never signed in, and their invitations"),
    ("POST", "/api/v1/invitations"): Rule(ADMINS),
    ("POST", "/api/v1/users/{user_id}/invitation"): Rule(ADMINS, 202),
    ("DELETE", "/api/v1/users/{user_id}/invitation"): Rule(ADMINS),
    # --- networks: names are not personal; membership never shows here -------------------
    ("GET", "/api/v1/networks"): Rule(USERS),
    ("POST", "/api/v1/networks"): Rule(PLANNERS, 201, body=lambda w, s: {"name": "Disability Network"}),
    ("GET", "/api/v1/networks/{network_id}"): Rule(USERS),
    ("PATCH", "/api/v1/networks/{network_id}"): Rule(PLANNERS, body=lambda w, s: {"description": "Updated"}),
    # --- people: staff see only their own record ------------------------------------------
    ("GET", "/api/v1/people"): Rule(PLANNERS, why="the list would show others' representation"),
    ("POST", "/api/v1/people"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {"name": "New Officer", "staff_number": "NEW0001", "kind": "police_officer"},
    ),
    ("GET", "/api/v1/people/{person_id}"): Rule(PLANNERS_STAFF, own_only=frozenset({STAFF})),
    ("PATCH", "/api/v1/people/{person_id}"): Rule(PLANNERS, body=lambda w, s: {"rank_or_title": "Sergeant"}),
    ("GET", "/api/v1/people/{person_id}/deactivation"): Rule(
        PLANNERS, why="what deactivating them affects: their duties, for planners only"
    ),
    # --- representation opt-ins: special-category data, the person's own to manage ----------
    ("GET", "/api/v1/people/{person_id}/representations"): Rule(PLANNERS_STAFF, own_only=frozenset({STAFF})),
    ("POST", "/api/v1/people/{person_id}/representations"): Rule(
        PLANNERS_STAFF,
        201,
        own_only=frozenset({STAFF}),
        body=lambda w, s: {"network_id": w.spare_network},
    ),
    ("PATCH", "/api/v1/representations/{representation_id}"): Rule(
        PLANNERS_STAFF, own_only=frozenset({STAFF}), hidden=True, body=lambda w, s: {"public_naming": True}
    ),
    ("DELETE", "/api/v1/representations/{representation_id}"): Rule(
        PLANNERS_STAFF, 204, own_only=frozenset({STAFF}), hidden=True
    ),
    # --- unavailability: staff manage their own --------------------------------------------
    ("GET", "/api/v1/unavailability"): _staff_see_their_own(PLANNERS_STAFF, "unavailability"),
    ("POST", "/api/v1/unavailability"): Rule(
        PLANNERS_STAFF,
        201,
        own_only=frozenset({STAFF}),
        body=lambda w, s: {
            "person_id": w.side(s).person,
            "starts_at": _iso(60, 8),
            "ends_at": _iso(60, 17),
            "reason": UnavailabilityReason.training.value,
        },
    ),
    ("GET", "/api/v1/unavailability/{unavailability_id}"): Rule(
        PLANNERS_STAFF, own_only=frozenset({STAFF}), hidden=True
    ),
    ("PATCH", "/api/v1/unavailability/{unavailability_id}"): Rule(
        PLANNERS_STAFF, own_only=frozenset({STAFF}), hidden=True, body=lambda w, s: {"note": "Changed shift"}
    ),
    ("DELETE", "/api/v1/unavailability/{unavailability_id}"): Rule(
        PLANNERS_STAFF, 204, own_only=frozenset({STAFF}), hidden=True
    ),
    # --- venues: partners see and annotate only their own -------------------------------------
    ("GET", "/api/v1/venues"): Rule(USERS, why="partners get only their own venues in the list"),
    ("POST", "/api/v1/venues"): Rule(
        PLANNERS, 201, body=lambda w, s: {"name": "Town Library", "kind": "library"}
    ),
    ("GET", "/api/v1/venues/{venue_id}"): Rule(USERS, own_only=frozenset({PARTNER})),
    ("PATCH", "/api/v1/venues/{venue_id}"): Rule(
        PLANNERS | {PARTNER},
        own_only=frozenset({PARTNER}),
        body=lambda w, s: {"parking_notes": "Free parking behind the building"},
        why="partners may change their own venue's access, parking and opening notes",
    ),
    ("GET", "/api/v1/venues/{venue_id}/deactivation"): Rule(
        PLANNERS, why="what taking the venue out of use affects, for planners only"
    ),
    # --- campaigns: internal to the force ------------------------------------------------------
    ("GET", "/api/v1/campaigns"): Rule(PLANNERS_STAFF),
    ("POST", "/api/v1/campaigns"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {
            "name": "Special constables spring",
            "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=90)).isoformat(),
        },
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): Rule(PLANNERS_STAFF),
    # --- reports (issue 17): figures by network and town, so planners only ----------------
    ("GET", "/api/v1/campaigns/{campaign_id}/report"): Rule(PLANNERS, why="hours by staff network"),
    ("GET", "/api/v1/where-next"): Rule(PLANNERS, why="workforce against community, town by town"),
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): Rule(
        PLANNERS, body=lambda w, s: {"description": "Updated"}
    ),
    # --- events: everyone signed in reads; partners only their venues' -------------------------
    ("GET", "/api/v1/events"): Rule(USERS, why="partners get only their venues' events in the list"),
    ("POST", "/api/v1/events"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {
            "campaign_id": w.campaign,
            "venue_id": w.own.venue,
            "title": "Jobcentre drop-in",
            "starts_at": _iso(50, 10),
            "ends_at": _iso(50, 16),
            "acknowledge_warnings": True,
        },
    ),
    ("POST", "/api/v1/events/bulk"): Rule(
        PLANNERS,
        body=lambda w, s: {
            "campaign_id": w.campaign,
            "venue_ids": [w.own.venue],
            "starts_at": _iso(51, 10),
            "ends_at": _iso(51, 16),
            "acknowledge_warnings": True,
        },
    ),
    ("GET", "/api/v1/events/{event_id}"): Rule(USERS, own_only=frozenset({PARTNER})),
    ("PATCH", "/api/v1/events/{event_id}"): Rule(PLANNERS, body=lambda w, s: {"title": "Renamed event"}),
    ("POST", "/api/v1/events/{event_id}/cancel"): Rule(
        PLANNERS, body=lambda w, s: {"reason": "Venue closed"}
    ),
    ("POST", "/api/v1/events/{event_id}/partner-response"): Rule(
        PLANNERS | {PARTNER},
        own_only=frozenset({PARTNER}),
        body=lambda w, s: {"status": "confirmed", "message": "See you there"},
        why="the venue's partner answers the booking; planners may record the answer",
    ),
    ("GET", "/api/v1/events/{event_id}/staffing"): Rule(PLANNERS),
    # --- event outcomes (issue 17): the lead and planners; partners the headline of their own -
    ("GET", "/api/v1/events/{event_id}/outcome"): Rule(
        PLANNERS, why="planners and the event's lead (the table's staff member is an ambassador)"
    ),
    ("PUT", "/api/v1/events/{event_id}/outcome"): Rule(
        PLANNERS,
        409,
        body=lambda w, s: {"people_spoken_to": 3, "interest_on_paper": 1, "attendance": []},
        why="the table's event has not ended, so the allowed are refused by the rule, not the role",
    ),
    ("GET", "/api/v1/events/{event_id}/outcome/headline"): Rule(
        USERS, own_only=frozenset({PARTNER}), why="counts only; partners for their own venues' events"
    ),
    ("GET", "/api/v1/me/attendance"): Rule(USERS, why="the caller's own; empty without a person"),
    ("GET", "/api/v1/events/{event_id}/suggestions"): Rule(PLANNERS, why="reasons name network membership"),
    ("POST", "/api/v1/staffing/plan"): Rule(
        PLANNERS, body=lambda w, s: {"campaign_id": w.campaign, "dry_run": True, "time_limit_seconds": 1}
    ),
    ("GET", "/api/v1/staffing/jobs/{job_id}"): Rule(PLANNERS, why="a plan names people for events"),
    ("POST", "/api/v1/staffing/jobs/{job_id}/stop"): Rule(PLANNERS),
    ("POST", "/api/v1/staffing/jobs/{job_id}/apply"): Rule(
        PLANNERS, 409, body=lambda w, s: {"proposals": [0]}, why="a queued plan has nothing to apply yet"
    ),
    # --- assignments: staff see and answer their own; partners see their venues' -----------------
    ("GET", "/api/v1/assignments"): _staff_see_their_own(USERS, "assignments"),
    ("POST", "/api/v1/assignments"): Rule(
        PLANNERS, 201, body=lambda w, s: {"event_id": w.own.event, "person_id": w.spare_person}
    ),
    ("GET", "/api/v1/assignments/{assignment_id}"): Rule(USERS, own_only=frozenset({STAFF, PARTNER})),
    ("PATCH", "/api/v1/assignments/{assignment_id}"): Rule(
        PLANNERS_STAFF,
        own_only=frozenset({STAFF}),
        body=lambda w, s: {"status": "confirmed"},
        why="staff accept or decline their own; partners never change assignments",
    ),
    # --- calendar feeds (issue 3): your own secret links; campaign links for planners ----------
    ("GET", "/api/v1/me/feed"): Rule(USERS, why="the caller's own link, if on (none without a person)"),
    ("POST", "/api/v1/me/feed"): Rule(
        USERS,
        201,
        ok_for=dict.fromkeys((ADMIN, COORD, PARTNER), 409),
        why="anyone signed in; a sign-in not linked to a person has no duties to publish (409)",
    ),
    ("POST", "/api/v1/me/feed/reset"): Rule(USERS, 201, ok_for=dict.fromkeys((ADMIN, COORD, PARTNER), 409)),
    ("DELETE", "/api/v1/me/feed"): Rule(USERS, 204),
    ("GET", "/api/v1/campaigns/{campaign_id}/feed"): Rule(PLANNERS),
    ("POST", "/api/v1/campaigns/{campaign_id}/feed"): Rule(PLANNERS, 201),
    ("POST", "/api/v1/campaigns/{campaign_id}/feed/reset"): Rule(PLANNERS, 201),
    ("DELETE", "/api/v1/campaigns/{campaign_id}/feed"): Rule(PLANNERS, 204),
    # --- expressions of interest (issue 17): the public's contact details, planners only ----
    ("GET", "/api/v1/interest"): Rule(PLANNERS, why="names and contact details of the public"),
    ("GET", "/api/v1/interest/counts"): Rule(PLANNERS),
    ("GET", "/api/v1/interest/{interest_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/interest/{interest_id}"): Rule(PLANNERS, body=lambda w, s: {"status": "contacted"}),
    ("DELETE", "/api/v1/interest/{interest_id}"): Rule(PLANNERS, 204, why="erased on the person's request"),
    # --- planning calendar (issue 18): planners read; administrators keep the local dates and patterns --
    ("GET", "/api/v1/planning-calendar"): Rule(
        PLANNERS, query=lambda w, s: {"start": "2027-01-01", "end": "2027-12-31", "venue_id": w.own.venue}
    ),
    ("GET", "/api/v1/planning-calendar/warnings"): Rule(
        PLANNERS,
        query=lambda w, s: {"venue_id": w.own.venue, "starts_at": _iso(30, 10), "ends_at": _iso(30, 12)},
    ),
    ("GET", "/api/v1/planning-calendar/local-dates"): Rule(PLANNERS),
    ("POST", "/api/v1/planning-calendar/local-dates"): Rule(
        ADMINS,
        201,
        body=lambda w, s: {"name": "Nelson Mela", "starts_on": "2027-07-24", "ends_on": "2027-07-24"},
    ),
    ("GET", "/api/v1/planning-calendar/local-dates/{local_date_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/planning-calendar/local-dates/{local_date_id}"): Rule(
        ADMINS, body=lambda w, s: {"note": "Lancashire County Council"}
    ),
    ("DELETE", "/api/v1/planning-calendar/local-dates/{local_date_id}"): Rule(ADMINS, 204),
    ("GET", "/api/v1/planning-calendar/weekly-patterns"): Rule(PLANNERS),
    ("POST", "/api/v1/planning-calendar/weekly-patterns"): Rule(
        ADMINS,
        201,
        body=lambda w, s: {
            "name": "Langar",
            "venue_kind": "gurdwara",
            "weekday": 6,
            "starts": "12:00",
            "end_weekday": 6,
            "ends": "14:00",
        },
    ),
    ("GET", "/api/v1/planning-calendar/weekly-patterns/{pattern_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/planning-calendar/weekly-patterns/{pattern_id}"): Rule(
        ADMINS, body=lambda w, s: {"active": False}
    ),
    ("DELETE", "/api/v1/planning-calendar/weekly-patterns/{pattern_id}"): Rule(ADMINS, 204),
    # --- representation (issue 17): targets, shares and before/after are planning figures --
    ("GET", "/api/v1/campaigns/{campaign_id}/targets"): Rule(PLANNERS, why="planning figures: planners only"),
    ("POST", "/api/v1/campaigns/{campaign_id}/targets"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {
            "measure": "women as a share of officers",
            "unit": "percent",
            "baseline_value": 33,
            "baseline_on": date.today().isoformat(),
            "target_value": 35,
            "target_on": (date.today() + timedelta(days=90)).isoformat(),
        },
    ),
    ("GET", "/api/v1/targets/{target_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/targets/{target_id}"): Rule(PLANNERS, body=lambda w, s: {"source": "HR return"}),
    ("DELETE", "/api/v1/targets/{target_id}"): Rule(PLANNERS, 204),
    ("GET", "/api/v1/targets/{target_id}/snapshots"): Rule(PLANNERS),
    ("POST", "/api/v1/targets/{target_id}/snapshots"): Rule(
        PLANNERS, 201, body=lambda w, s: {"recorded_on": date.today().isoformat(), "value": 100}
    ),
    ("DELETE", "/api/v1/snapshots/{snapshot_id}"): Rule(PLANNERS, 204),
    ("GET", "/api/v1/population-shares"): Rule(PLANNERS),
    ("POST", "/api/v1/population-shares"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {"area": "Nelson", "group": "Women", "share_percent": 50.5, "year": 2021},
    ),
    ("GET", "/api/v1/population-shares/{population_share_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/population-shares/{population_share_id}"): Rule(
        PLANNERS, body=lambda w, s: {"source": "2021 Census"}
    ),
    ("DELETE", "/api/v1/population-shares/{population_share_id}"): Rule(PLANNERS, 204),
    ("GET", "/api/v1/workforce-shares"): Rule(PLANNERS),
    ("POST", "/api/v1/workforce-shares"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {"group": "Women", "count": 400, "total": 1250, "as_of": date.today().isoformat()},
    ),
    ("GET", "/api/v1/workforce-shares/{workforce_share_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/workforce-shares/{workforce_share_id}"): Rule(
        PLANNERS, body=lambda w, s: {"count": 25}
    ),
    ("DELETE", "/api/v1/workforce-shares/{workforce_share_id}"): Rule(PLANNERS, 204),
    ("GET", "/api/v1/community"): Rule(PLANNERS),
    ("POST", "/api/v1/community/import/preview"): Rule(
        PLANNERS, body=lambda w, s: _share_import(apply=False)
    ),
    ("POST", "/api/v1/community/import"): Rule(PLANNERS, body=lambda w, s: _share_import(apply=True)),
    ("GET", "/api/v1/before-after"): Rule(PLANNERS),
    ("POST", "/api/v1/before-after"): Rule(
        PLANNERS,
        201,
        body=lambda w, s: {
            "scheme": "Mentoring",
            "measure": "applicants from ethnic minorities",
            "before_start": "2024-01-01",
            "before_end": "2024-12-31",
            "before_count": 5,
            "before_total": 100,
            "after_start": "2025-01-01",
            "after_end": "2025-12-31",
            "after_count": 15,
            "after_total": 100,
        },
    ),
    ("GET", "/api/v1/before-after/{comparison_id}"): Rule(PLANNERS),
    ("PATCH", "/api/v1/before-after/{comparison_id}"): Rule(PLANNERS, body=lambda w, s: {"after_count": 20}),
    ("DELETE", "/api/v1/before-after/{comparison_id}"): Rule(PLANNERS, 204),
    # --- audit ------------------------------------------------------------------------------
    ("GET", "/api/v1/audit"): Rule(PLANNERS),
    # --- notifications: your own e-mail choices; the outbox and the worker for administrators --
    ("GET", "/api/v1/me/notifications"): Rule(
        USERS, why="the caller's own choices, kept under their address"
    ),
    ("PUT", "/api/v1/me/notifications"): Rule(
        USERS,
        body=lambda w, s: {"muted": ["reminders"], "reminder_hours": [24, 2], "morning_reminder": False},
    ),
    ("GET", "/api/v1/outbox"): Rule(ADMINS, why="messages name people and carry their links"),
    ("GET", "/api/v1/outbox/{message_id}"): Rule(ADMINS),
    ("POST", "/api/v1/outbox/{message_id}/retry"): Rule(ADMINS),
    ("GET", "/api/v1/worker/health"): Rule(
        ADMINS, why="anyone may see /health; the details are for administrators"
    ),
}


def _openapi_routes() -> set[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _cases() -> list[Any]:
    cases = []
    for method, path in sorted(_openapi_routes() | set(RULES), key=lambda r: (r[1], r[0])):
        rule = RULES.get((method, path))
        for role in ROLES:
            cases.append(pytest.param(method, path, role, "own", id=f"{method} {path} [{role}]"))
        for role in sorted(rule.own_only if rule else ()):
            cases.append(pytest.param(method, path, role, "other", id=f"{method} {path} [{role}-other]"))
    return cases


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its minimum cost: these tests create hundreds of users, none signs in by password."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _build_world(make: Factory) -> World:
    campaign = make.campaign()
    network, spare_network = make.network(), make.network()
    sides = []
    for i in range(2):
        venue = make.venue()
        person = make.person()
        event = make.event(venue=venue, campaign=campaign, starts_at=future(days=10 + 3 * i))
        assignment = make.assign(event, person)
        representation = make.represent(person, network)
        away = make.away(person, future(days=30 + i, hour=8), future(days=30 + i, hour=18))
        ids = (person.id, venue.id, event.id, assignment.id, representation.id, away.id)
        assert all(isinstance(n, int) for n in ids)
        sides.append(Side(*ids))  # type: ignore[arg-type]
    target = make.user("coordinator")
    assert target.id is not None
    token, _ = accounts.issue_api_token(
        session=make.session, actor=SYSTEM, user_id=target.id, name="target's"
    )
    spare_person = make.person()
    message = OutboxMessage(idempotency_key="failed/1", topic="test:failed", kind="duty", status="failed")
    make.session.add(message)
    make.session.commit()
    assert campaign.id and network.id and spare_network.id and target.id and spare_person.id and message.id
    assert token.id is not None
    job = plan_jobs.start_plan(
        session=make.session,
        principal=accounts.principal_for(session=make.session, user=target),
        request=plan_jobs.PlanRequest(event_ids=(sides[0].event,)),
    )
    interest = interest_record(make.session)
    local_date = planning.create_local_date(
        session=make.session,
        actor=SYSTEM,
        data={
            "name": "School holidays",
            "starts_on": date(2027, 7, 22),
            "ends_on": date(2027, 9, 2),
            "scope": "everywhere",
        },
    )
    (pattern, *_) = planning.add_standard_patterns(session=make.session, actor=SYSTEM)
    return World(
        local_date=local_date.id or 0,
        pattern=pattern.id or 0,
        own=sides[0],
        other=sides[1],
        campaign=campaign.id,
        network=network.id,
        spare_network=spare_network.id,
        spare_person=spare_person.id,
        user=target.id,
        message=message.id,
        token=token.id,
        job=job.id,
        interest=interest.id or 0,
        figures=planning_figures(make.session, campaign_id=campaign.id),
    )


def _headers(make: Factory, world: World, role: str) -> dict[str, str]:
    if role == ANON:
        return {}
    if role == STAFF:
        return make.headers(STAFF, person=make.session.get(Person, world.own.person))
    if role == PARTNER:
        venue = make.session.get(Venue, world.own.venue)
        assert venue is not None
        return make.headers(PARTNER, venues=[venue])
    return make.headers(role)


def test_permission_table_covers_exactly_the_openapi_routes() -> None:
    routes = _openapi_routes()

    missing = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)

    assert missing == [], f"routes without a permission rule (add them to RULES): {missing}"
    assert stale == [], f"rules for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("method", "path", "role", "scope"), _cases())
def test_route_allows_or_denies_role(
    client: TestClient, make: Factory, method: str, path: str, role: str, scope: str
) -> None:
    rule = RULES.get((method, path))
    assert rule is not None, f"{method} {path} has no permission rule: add one to RULES"
    world = _build_world(make)
    headers = _headers(make, world, role)
    url = path.format(**world.path_ids(scope))
    kwargs: dict[str, Any] = {"headers": headers}
    if rule.body is not None:
        kwargs["json"] = rule.body(world, scope)
    if rule.query is not None:
        kwargs["params"] = rule.query(world, scope)

    response = client.request(method, url, **kwargs)

    allowed = role in rule.allowed and (scope == "own" or role not in rule.own_only)
    if allowed:
        assert response.status_code == (rule.ok_for or {}).get(role, rule.ok), response.text
    elif role == ANON:
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
    else:
        refused = 404 if rule.hidden and role in rule.allowed else 403
        assert response.status_code == refused, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == refused


# --- what the lists hold, not only whether they answer -------------------------------------
# A list that answers 200 to a partner or a staff member must still hold only their own.


def _ids(answer: Any, key: str = "id") -> set[int]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == len(body["items"])
    return {item[key] for item in body["items"]}


def test_partner_event_and_assignment_lists_hold_only_their_venues(client: TestClient, make: Factory) -> None:
    world = _build_world(make)
    headers = _headers(make, world, PARTNER)

    events = client.get("/api/v1/events", headers=headers)
    assignments = client.get("/api/v1/assignments", headers=headers)

    assert _ids(events) == {world.own.event}
    assert {item["venue"]["id"] for item in events.json()["items"]} == {world.own.venue}
    assert _ids(assignments) == {world.own.assignment}
    # Asking for the other venue's records by filter gives nothing either.
    other_venue, other_event = {"venue_id": world.other.venue}, {"event_id": world.other.event}
    assert _ids(client.get("/api/v1/events", params=other_venue, headers=headers)) == set()
    assert _ids(client.get("/api/v1/assignments", params=other_event, headers=headers)) == set()


def test_partner_portal_pages_show_only_their_venues(client: TestClient, make: Factory) -> None:
    world = _build_world(make)
    own_venue = make.session.get(Venue, world.own.venue)
    other_venue = make.session.get(Venue, world.other.venue)
    assert own_venue is not None and other_venue is not None
    sign_in(client, make.user(PARTNER, venues=[own_venue]))

    bookings = client.get("/partner")

    assert bookings.status_code == 200
    assert f'href="/partner/events/{world.own.event}"' in bookings.text
    assert f'href="/partner/events/{world.other.event}"' not in bookings.text
    assert own_venue.name in bookings.text and other_venue.name not in bookings.text
    assert client.get(f"/partner/events/{world.own.event}").status_code == 200
    assert client.get(f"/partner/events/{world.other.event}").status_code == 404
    assert client.get(f"/partner/venues/{world.other.venue}").status_code == 404


def test_staff_assignment_list_holds_only_their_own(client: TestClient, make: Factory) -> None:
    world = _build_world(make)
    own_event = make.session.get(Event, world.own.event)
    other_person = make.session.get(Person, world.other.person)
    assert own_event is not None and other_person is not None
    teammate = make.assign(own_event, other_person)  # someone else on the staff member's own event
    headers = _headers(make, world, STAFF)

    mine = client.get("/api/v1/assignments", headers=headers)
    by_event = client.get("/api/v1/assignments", params={"event_id": world.own.event}, headers=headers)

    assert _ids(mine) == {world.own.assignment}
    assert {item["person_id"] for item in mine.json()["items"]} == {world.own.person}
    assert _ids(by_event) == {world.own.assignment}
    assert teammate.id not in _ids(by_event)
