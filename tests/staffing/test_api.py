"""Suggestions and automatic staffing through HTTP, on the real (migrated) database."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.booking import service as booking
from app.clock import from_london
from app.enums import AssignmentRole, AssignmentStatus, PersonKind
from app.events.models import Event
from app.people.models import Person
from app.staffing import engine, service
from app.staffing import model as staffing_model
from app.venues.models import Venue
from tests.factories import Factory, future


def next_month(day: int, hour: int, minute: int = 0) -> datetime:
    """A London wall-clock time in next month: well ahead of today, all in one month."""
    today = date.today()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return from_london(datetime(first.year, first.month, day, hour, minute))


def venue(make: Factory, town: str, lat: float | None = None, lon: float | None = None) -> Venue:
    return make.venue(f"{town} Jobcentre", town=town, latitude=lat, longitude=lon)


def away(make: Factory, person: Person, start: datetime, hours: float) -> None:
    make.away(person, start, start + timedelta(hours=hours), "training")


def assignments(db: Session) -> list[tuple[int, int, str, str]]:
    db.expire_all()
    rows = db.exec(select(Assignment).order_by(Assignment.event_id, Assignment.person_id)).all()
    return [(a.event_id, a.person_id, str(a.role), str(a.status)) for a in rows]


def post_plan(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/staffing/plan", json={"time_limit_seconds": 5, **body}, headers=headers)


# --- suggestions ------------------------------------------------------------------------------


def test_suggestions_rank_network_member_first_with_reasons(client: TestClient, make: Factory) -> None:
    bpa = make.network("Black Police Association")
    blackburn = venue(make, "Blackburn", 53.7486, -2.4875)
    event = make.event(
        venue=blackburn,
        starts_at=next_month(10, 10),
        ambassadors_needed=2,
        recruiters_needed=0,
        network_needs=[{"network_id": bpa.id, "min_count": 1}],
    )
    alice = make.person("Alice Khan", base_town="Burnley", latitude=53.7893, longitude=-2.2405)
    make.represent(alice, bpa)
    make.person("Bob Hart", base_town="Blackburn")
    r = client.get(f"/api/v1/events/{event.id}/suggestions", headers=make.headers("coordinator"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(c["rank"], c["name"], c["covers"]) for c in body["candidates"]] == [
        (1, "Alice Khan", ["the Black Police Association"]),
        (2, "Bob Hart", []),
    ]
    assert body["candidates"][0]["reasons"] == [
        "represents the Black Police Association, which the event still needs (1 more)",
        "can take one of the 2 open ambassador places",
        "17 km from their base in Burnley to Blackburn Jobcentre",
        f"0 events in the last 30 days and 0 in the next 30; 0 of their limit of 4 in {next_month(10, 10):%B %Y}",
        "has not worked at Blackburn Jobcentre before",
    ]
    assert body["candidates"][1]["reasons"][1] == "based in Blackburn, the venue's town"
    assert body["staffing"] == [
        "needs 2 more ambassadors",
        "needs 1 more ambassador from the Black Police Association",
    ]


def test_suggestions_list_unbookable_people_with_the_hard_reason(
    client: TestClient, make: Factory, db: Session
) -> None:
    nelson = venue(make, "Nelson", 53.8346, -2.2180)
    bacup = venue(make, "Bacup", 53.7041, -2.2005)
    campaign = make.campaign()
    event = make.event(
        venue=nelson, campaign=campaign, starts_at=next_month(12, 12, 10), hours=2, title="Nelson drop-in"
    )
    overlapping = make.event(
        venue=nelson, campaign=campaign, starts_at=next_month(12, 13), hours=2, title="Nelson talk"
    )
    before = make.event(
        venue=bacup, campaign=campaign, starts_at=next_month(12, 10), hours=2, title="Bacup drop-in"
    )
    evening = make.event(
        venue=bacup, campaign=campaign, starts_at=next_month(12, 18), hours=2, title="Bacup evening"
    )
    carol, dan, erin = make.person("Carol"), make.person("Dan"), make.person("Erin")
    make.person("Fay", active=False)
    gus = make.person("Gus", monthly_limit=1)
    hal = make.person("Hal")
    make.assign(overlapping, carol)
    make.assign(before, dan)
    away(make, erin, next_month(12, 8), 10)
    make.assign(evening, gus)
    declined = make.assign(event, hal)
    declined.status = AssignmentStatus.declined
    declined.decline_reason = "on leave"
    db.add(declined)
    db.commit()
    make.person("Ivy")
    r = client.get(f"/api/v1/events/{event.id}/suggestions", headers=make.headers("coordinator"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["name"] for c in body["candidates"]] == ["Ivy"]
    assert {u["name"]: u["codes"] for u in body["unbookable"]} == {
        "Carol": ["overlap"],
        "Dan": ["travel"],
        "Erin": ["unavailable"],
        "Fay": ["inactive"],
        "Gus": ["monthly_limit"],
        "Hal": ["declined"],
    }
    reasons = {u["name"]: u["reasons"][0] for u in body["unbookable"]}
    assert "'Bacup drop-in'" in reasons["Dan"] and "30-minute travel time" in reasons["Dan"]
    assert reasons["Hal"] == "Hal declined this event (on leave)"


def test_suggestions_limit_keeps_the_best(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=next_month(10, 10))
    for name in ("Ann", "Ben", "Cat"):
        make.person(name)
    r = client.get(f"/api/v1/events/{event.id}/suggestions?limit=2", headers=make.headers("admin"))
    assert [c["name"] for c in r.json()["candidates"]] == ["Ann", "Ben"]


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("partner", 403)])
def test_suggestions_refused_to_non_planners(
    client: TestClient, make: Factory, role: str, status: int
) -> None:
    event = make.event()
    r = client.get(f"/api/v1/events/{event.id}/suggestions", headers=make.headers(role))
    assert r.status_code == status


def test_suggestions_anonymous_is_401(client: TestClient, make: Factory) -> None:
    event = make.event()
    assert client.get(f"/api/v1/events/{event.id}/suggestions").status_code == 401


def test_suggestions_unknown_event_is_404(client: TestClient, make: Factory) -> None:
    r = client.get("/api/v1/events/999999/suggestions", headers=make.headers("coordinator"))
    assert r.status_code == 404
    assert r.json()["detail"] == "event 999999 does not exist"


def test_suggestions_cancelled_event_is_409(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    event = make.event()
    client.post(f"/api/v1/events/{event.id}/cancel", json={"reason": "closed"}, headers=h)
    r = client.get(f"/api/v1/events/{event.id}/suggestions", headers=h)
    assert r.status_code == 409


# --- automatic staffing ---------------------------------------------------------------------


def test_plan_campaign_writes_proposed_assignments(client: TestClient, make: Factory, db: Session) -> None:
    campaign = make.campaign()
    first = make.event(
        campaign=campaign, starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=1
    )
    second = make.event(
        campaign=campaign, starts_at=next_month(6, 10), ambassadors_needed=1, recruiters_needed=0
    )
    officer = make.person("Officer One")
    recruiter = make.person("Recruiter One", kind=PersonKind.police_staff)
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["written"], report["events"], report["places_needed"], report["places_filled"]) == (
        True,
        2,
        3,
        3,
    )
    assert report["status"] == "optimal"
    assert [o["name"] for o in report["objective"]] == ["priority", "places", "fairness", "travel"]
    assert report["unmet"] == []
    assert report["scope"] == f"campaign '{campaign.name}'"
    assert assignments(db) == [
        (first.id, officer.id, "ambassador", "proposed"),
        (first.id, recruiter.id, "recruiter", "proposed"),
        (second.id, officer.id, "ambassador", "proposed"),
    ]
    assert sorted(a["assignment_id"] is not None for a in report["assignments"]) == [True, True, True]


def test_plan_keeps_confirmed_assignments_pinned(client: TestClient, make: Factory, db: Session) -> None:
    campaign = make.campaign()
    event = make.event(
        campaign=campaign, starts_at=next_month(5, 10), ambassadors_needed=2, recruiters_needed=0
    )
    kept = make.person("Kept")
    make.assign(event, kept, status=AssignmentStatus.confirmed)
    other = make.person("Other")
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 200, r.text
    assert assignments(db) == [
        (event.id, kept.id, "ambassador", "confirmed"),
        (event.id, other.id, "ambassador", "proposed"),
    ]
    loads = {load["name"]: (load["before"], load["proposed"]) for load in r.json()["loads"]}
    assert loads == {"Kept": (1, 0), "Other": (0, 1)}


def test_plan_network_of_two_splits_four_events_two_and_two(
    client: TestClient, make: Factory, db: Session
) -> None:
    bpa = make.network("Black Police Association")
    campaign = make.campaign()
    near = venue(make, "Blackburn", 53.7486, -2.4875)
    events = [
        make.event(
            venue=near,
            campaign=campaign,
            starts_at=next_month(day, 10),
            ambassadors_needed=1,
            recruiters_needed=0,
            network_needs=[{"network_id": bpa.id, "min_count": 1}],
        )
        for day in (5, 6, 7, 8)
    ]
    local = make.person("Local", base_town="Blackburn", latitude=53.7486, longitude=-2.4875)
    distant = make.person("Distant", base_town="Burnley", latitude=53.7893, longitude=-2.2405)
    make.represent(local, bpa)
    make.represent(distant, bpa)
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 200, r.text
    per_person = {pid: sum(1 for _, p, _, _ in assignments(db) if p == pid) for pid in (local.id, distant.id)}
    assert per_person == {local.id: 2, distant.id: 2}
    assert len(events) == 4 and r.json()["worst_network_gap"] == 0
    assert r.json()["network_gaps"] == {"Black Police Association": 0}


def test_plan_reproducible_gives_the_same_plan_for_the_same_seed(
    client: TestClient, make: Factory, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every model counts as large here, so by default any search runs on both workers (a
    # portfolio, or load windows side by side). Asked to be reproducible, it solves on one
    # worker: two dry runs with one seed propose the same people, reach the same proven
    # figures as the default run, and the report makes no caveat about a parallel search.
    monkeypatch.setattr(staffing_model, "LARGE_MODEL_VARIABLES", 0)
    campaign = make.campaign()
    towns = [("Blackburn", 53.7486, -2.4875), ("Burnley", 53.7893, -2.2405), ("Nelson", 53.8346, -2.2180)]
    places = [venue(make, *town) for town in towns]
    for day in range(1, 13):
        make.event(
            venue=places[day % 3],
            campaign=campaign,
            starts_at=next_month(day + 1, 9 + day % 4),
            ambassadors_needed=1 + day % 2,
            recruiters_needed=0,
        )
    # Nobody lives in Blackburn, so some travel is unavoidable and travel is searched.
    homes = [("Accrington", 53.7534, -2.3638), *towns[1:]]
    for k in range(6):
        town, lat, lon = homes[k % 3]
        make.person(f"Ambassador {k}", base_town=town, latitude=lat, longitude=lon)
    h = make.headers("coordinator")
    default = post_plan(client, h, campaign_id=campaign.id, dry_run=True, seed=3)
    assert default.status_code == 200, default.text
    runs = [
        post_plan(client, h, campaign_id=campaign.id, dry_run=True, seed=3, reproducible=True).json()
        for _ in range(2)
    ]
    first, second = ([(a["event_id"], a["person_id"], a["role"]) for a in run["assignments"]] for run in runs)
    assert first == second and len(first) == 18
    assert runs[0]["status"] == default.json()["status"] == "optimal"
    assert runs[0]["objective"] == default.json()["objective"]
    assert not any("parallel search" in note for note in runs[0]["notes"])
    assert assignments(db) == []  # dry runs write nothing


def test_plan_travel_buffer_prevents_bacup_to_nelson_in_ten_minutes(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign = make.campaign()
    bacup = make.event(
        venue=venue(make, "Bacup", 53.7041, -2.2005),
        campaign=campaign,
        starts_at=next_month(9, 10),
        hours=2,
        ambassadors_needed=1,
        recruiters_needed=0,
    )
    nelson = make.event(
        venue=venue(make, "Nelson", 53.8346, -2.2180),
        campaign=campaign,
        starts_at=next_month(9, 12, 10),
        hours=2,
        ambassadors_needed=1,
        recruiters_needed=0,
    )
    only = make.person("Only One", base_town="Bacup", latitude=53.7041, longitude=-2.2005)
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 200, r.text
    assert assignments(db) == [(bacup.id, only.id, "ambassador", "proposed")]
    assert [(u["event_id"], u["needs"]) for u in r.json()["unmet"]] == [
        (nelson.id, ["needs 1 more ambassador"])
    ]


def test_plan_reports_infeasible_needs_in_words(client: TestClient, make: Factory) -> None:
    campaign = make.campaign()
    event = make.event(
        campaign=campaign,
        starts_at=next_month(5, 10),
        ambassadors_needed=2,
        recruiters_needed=1,
        wanted_languages=["Urdu"],
    )
    make.person("Just Me")
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["unmet"] == [
        {
            "event_id": event.id,
            "title": event.title,
            "starts_at": report["unmet"][0]["starts_at"],
            "needs": ["needs 1 more ambassador", "needs 1 more recruiter", "needs an Urdu speaker"],
        }
    ]
    assert (report["places_needed"], report["places_filled"], report["priority_unmet"]) == (3, 1, 1)


def test_plan_dry_run_writes_nothing(client: TestClient, make: Factory, db: Session) -> None:
    campaign = make.campaign()
    make.event(campaign=campaign, starts_at=next_month(5, 10))
    make.person()
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id, dry_run=True)
    assert r.status_code == 200, r.text
    assert (r.json()["written"], r.json()["proposed"]) == (False, 1)
    assert r.json()["assignments"][0]["assignment_id"] is None
    assert assignments(db) == []


def test_plan_date_range_only_plans_events_inside_it(client: TestClient, make: Factory, db: Session) -> None:
    inside = make.event(starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=0)
    make.event(starts_at=next_month(20, 10), ambassadors_needed=1, recruiters_needed=0)
    person = make.person()
    start = next_month(1, 0).isoformat()
    end = next_month(10, 0).isoformat()
    r = post_plan(client, make.headers("coordinator"), start=start, end=end)
    assert r.status_code == 200, r.text
    assert assignments(db) == [(inside.id, person.id, "ambassador", "proposed")]


def test_plan_never_proposes_someone_who_declined(client: TestClient, make: Factory, db: Session) -> None:
    campaign = make.campaign()
    event = make.event(
        campaign=campaign, starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=0
    )
    declined_person = make.person("Said No")
    answer = make.assign(event, declined_person)
    answer.status = AssignmentStatus.declined
    db.add(answer)
    db.commit()
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 200, r.text
    assert r.json()["proposed"] == 0
    assert r.json()["unmet"][0]["needs"] == ["needs 1 more ambassador"]


def test_plan_twice_proposes_nothing_the_second_time(client: TestClient, make: Factory, db: Session) -> None:
    campaign = make.campaign()
    make.event(campaign=campaign, starts_at=next_month(5, 10))
    make.person()
    make.person(kind=PersonKind.police_staff)
    h = make.headers("coordinator")
    assert post_plan(client, h, campaign_id=campaign.id).json()["proposed"] == 2
    again = post_plan(client, h, campaign_id=campaign.id).json()
    assert (again["proposed"], again["places_filled"], again["written"]) == (0, 2, False)
    assert len(assignments(db)) == 2


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "say which events to plan: a campaign_id, or a start and an end"),
        ({"start": "2027-07-01T00:00"}, "a date range needs both a start and an end"),
        ({"start": "2027-07-02T00:00", "end": "2027-07-01T00:00"}, "the range must end after it starts"),
        (
            {"start": "2027-01-01T00:00", "end": "2027-12-31T00:00"},
            "a plan covers at most 184 days; plan a shorter range",
        ),
        ({"campaign_id": 999999}, "campaign 999999 does not exist"),
    ],
)
def test_plan_bad_scope_is_422(client: TestClient, make: Factory, body: dict[str, Any], detail: str) -> None:
    r = post_plan(client, make.headers("coordinator"), **body)
    assert r.status_code == 422
    assert r.json()["detail"] == detail


@pytest.mark.parametrize(
    "body",
    [
        {"campaign_id": 0},
        {"campaign_id": "one"},
        {"campaign_id": 1, "seed": -1},
        {"campaign_id": 1, "time_limit_seconds": 0},
        {"campaign_id": 1, "time_limit_seconds": 1000},
        {"campaign_id": 1, "surprise": True},
        {"start": "2027-03-28T01:30", "end": "2027-04-28T01:00"},
    ],
)
def test_plan_malformed_body_is_422(client: TestClient, make: Factory, body: dict[str, Any]) -> None:
    r = client.post("/api/v1/staffing/plan", json=body, headers=make.headers("coordinator"))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["staff", "partner"])
def test_plan_refused_to_non_planners(client: TestClient, make: Factory, role: str) -> None:
    campaign = make.campaign()
    assert post_plan(client, make.headers(role), campaign_id=campaign.id).status_code == 403


def test_plan_failure_midway_leaves_no_half_written_plan(
    make: Factory, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make.campaign()
    for day in (5, 6, 7):
        make.event(
            campaign=campaign, starts_at=next_month(day, 10), ambassadors_needed=1, recruiters_needed=0
        )
    make.person()
    calls = []

    def failing_record(**kw: Any) -> None:
        calls.append(kw)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(booking.audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        service.plan(session=db, actor=SYSTEM, campaign_id=campaign.id, time_limit=5)
    assert assignments(db) == []


def test_plan_out_of_date_is_refused_whole(
    client: TestClient, make: Factory, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make.campaign()
    first = make.event(
        campaign=campaign, starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=0
    )
    make.event(campaign=campaign, starts_at=next_month(6, 10), ambassadors_needed=1, recruiters_needed=0)
    person = make.person("Busy Later")
    clash = make.event(starts_at=next_month(5, 11), title="Booked meanwhile")
    real_plan = engine.plan

    def plan_then_someone_books(*args: Any, **kw: Any) -> engine.Outcome:
        outcome = real_plan(*args, **kw)
        make.assign(clash, person)  # another coordinator books them while the solver ran
        return outcome

    monkeypatch.setattr(service.engine, "plan", plan_then_someone_books)
    r = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)
    assert r.status_code == 409, r.text
    assert "the plan is out of date" in r.json()["detail"]
    assert "'Booked meanwhile'" in r.json()["detail"]
    assert [(a[0], a[1]) for a in assignments(db)] == [(clash.id, person.id)]
    assert first.id is not None


def test_plan_past_events_are_left_alone(make: Factory, db: Session) -> None:
    campaign = make.campaign()
    past = make.event(campaign=campaign, starts_at=future(days=-3))
    make.person()
    report = service.plan(session=db, actor=SYSTEM, campaign_id=campaign.id, time_limit=2)
    assert (report.events, report.proposed) == (0, 0)
    assert past.starts_at < datetime.now(UTC)


def test_plan_assignment_roles_are_ambassador_or_recruiter(make: Factory, db: Session) -> None:
    campaign = make.campaign()
    make.event(campaign=campaign, starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=1)
    make.person(kind=PersonKind.police_staff)
    make.person(kind=PersonKind.police_staff)
    service.plan(session=db, actor=SYSTEM, campaign_id=campaign.id, time_limit=2)
    roles = sorted(a[2] for a in assignments(db))
    assert roles == [AssignmentRole.ambassador.value, AssignmentRole.recruiter.value]
    assert db.exec(select(Event)).first() is not None


def test_plan_from_the_demo_data_is_proven_optimal(client: TestClient, make: Factory, db: Session) -> None:
    from app import demo
    from app.accounts import service as accounts

    logins = demo.load(db)
    coordinator = accounts.get_by_email(session=db, email=logins.coordinator)
    assert coordinator is not None
    campaign_id = db.exec(select(Event.campaign_id).where(Event.campaign_id.is_not(None))).first()  # type: ignore[union-attr]

    answer = post_plan(client, make.token(coordinator), campaign_id=campaign_id, dry_run=True)

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["places_filled"] == report["places_needed"]
    # A month of a few events is small enough that every figure is proven, travel included:
    # travel keeps only the sum of gaps here, so its bound holds for the whole model.
    assert (report["status"], report["gap"]) == ("optimal", 0.0)
    assert report["proposed"] > 0
