"""Plans as background jobs, through HTTP and the real worker on the real database."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign
from app.clock import from_london, utcnow
from app.enums import PersonKind
from app.networks.models import Network
from app.people.models import Person
from app.venues.models import Venue
from app.worker import jobs as worker_jobs
from app.worker.models import Job
from app.worker.runner import Worker
from tests.factories import Factory, fresh

TOWNS = (
    ("Blackburn", 53.7486, -2.4875),
    ("Burnley", 53.7893, -2.2405),
    ("Accrington", 53.7534, -2.3638),
    ("Nelson", 53.8346, -2.2180),
    ("Bacup", 53.7041, -2.2005),
    ("Darwen", 53.6980, -2.4610),
    ("Rawtenstall", 53.7000, -2.2880),
    ("Clitheroe", 53.8711, -2.3916),
)


def next_month(day: int, hour: int, minute: int = 0, *, ahead: int = 1) -> datetime:
    """A London wall-clock time in the month ``ahead`` months from now (next month by default):
    well ahead of today, all in one month."""
    first = date.today().replace(day=1)
    for _ in range(ahead):
        first = (first + timedelta(days=32)).replace(day=1)
    return from_london(datetime(first.year, first.month, day, hour, minute))


def small_campaign(make: Factory) -> tuple[Campaign, list[Any], list[Any]]:
    """Two events, two people: a plan proposes three places in a moment."""
    campaign = make.campaign(name="Spring outreach")
    events = [
        make.event(campaign=campaign, starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=1),
        make.event(campaign=campaign, starts_at=next_month(6, 10), ambassadors_needed=1, recruiters_needed=0),
    ]
    people = [make.person("Officer One"), make.person("Recruiter One", kind=PersonKind.police_staff)]
    return campaign, events, people


FIRST_NAMES = (
    "Aisha",
    "Tom",
    "Priya",
    "Daniel",
    "Grace",
    "Imran",
    "Sophie",
    "Kwame",
    "Ruth",
    "Marek",
    "Hannah",
    "Yusuf",
    "Chloe",
    "Liam",
    "Nadia",
)
SURNAMES = (
    "Fairclough",
    "Whittaker",
    "Nuttall",
    "Osei",
    "Hargreaves",
    "Sutcliffe",
    "Chowdhury",
    "Abbott",
    "Ogunleye",
    "Wrigley",
    "Brennand",
    "Kowalczyk",
    "Lindqvist",
    "Marsden",
)
NETWORKS = ("Black Police Association", "Women's Network", "LGBT+ Network", "Disability Network")


def _network(make: Factory, name: str) -> Network:
    found = make.session.exec(select(Network).where(Network.name == name)).first()
    return found or make.network(name)


def _venue(make: Factory, town: str, lat: float, lon: float) -> Venue:
    """A careers hub of the town's (not the demo's venues: a browser test adds these to them)."""
    name = f"{town} Careers Hub"
    found = make.session.exec(select(Venue).where(Venue.name == name)).first()
    return found or make.venue(name, town=town, latitude=lat, longitude=lon)


def busy_month(make: Factory, *, events: int = 200, people: int = 150, ahead: int = 1) -> Campaign:
    """A month busy enough that the solver works for many seconds: a few hundred places, the
    people based in half the towns, the members of each network few. Its venues and names are
    its own, so it can be added to the demo force."""
    campaign = make.campaign(name="Busy month")
    networks = [_network(make, name) for name in NETWORKS]
    venues = [_venue(make, *town) for town in TOWNS]
    for i in range(events):
        needs = [{"network_id": networks[i % 4].id, "min_count": 1}] if i % 2 == 0 else []
        make.event(
            venue=venues[i % len(venues)],
            campaign=campaign,
            starts_at=next_month(1 + i % 27, 9 + (i * 3) % 8, ahead=ahead),
            hours=2,
            ambassadors_needed=2,
            recruiters_needed=1 if i % 4 == 0 else 0,
            network_needs=needs,
        )
    for k in range(people):
        town, lat, lon = TOWNS[(k * 2) % len(TOWNS)]
        kind = PersonKind.police_staff if k % 4 == 0 else PersonKind.police_officer
        name = f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {SURNAMES[k // len(FIRST_NAMES) % len(SURNAMES)]}"
        person = make.person(name, base_town=town, latitude=lat, longitude=lon, kind=kind)
        if k % 5 == 0:
            make.represent(person, networks[k % 4])
    return campaign


def post_plan(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/staffing/plan", json=body, headers=headers)


def drain() -> None:
    """Every due job, as `muster worker` would run them."""
    Worker(worker_id="test-worker").drain()


@contextmanager
def worker_running() -> Iterator[None]:
    """The worker's own loop in a thread, beside the app, as `make run` has it."""
    stop = threading.Event()
    thread = threading.Thread(target=Worker(worker_id="thread-worker").run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=120)


def wait_for(client: TestClient, url: str, headers: dict[str, str], until: Any, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(url, headers=headers).json()
        if until(job):
            return job
        assert time.monotonic() < deadline, f"gave up waiting; the job is {job}"
        time.sleep(0.2)


def assignments(db: Session) -> list[tuple[int, int, str, str]]:
    db.expire_all()
    rows = db.exec(select(Assignment).order_by(col(Assignment.event_id), col(Assignment.person_id))).all()
    return [(a.event_id, a.person_id, str(a.role), str(a.status)) for a in rows]


def finished_job(client: TestClient, make: Factory, headers: dict[str, str]) -> dict[str, Any]:
    """A small campaign's plan, run as a job (its limit asked long) and finished by the worker."""
    campaign, _, _ = small_campaign(make)
    started = post_plan(client, headers, campaign_id=campaign.id, time_limit_seconds=30)
    assert started.status_code == 202, started.text
    drain()
    job = client.get(started.headers["Location"], headers=headers).json()
    assert job["status"] == "done", job
    return dict(job)


# --- starting --------------------------------------------------------------------------------------


def test_plan_small_is_answered_at_once_and_queues_nothing(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign, _, _ = small_campaign(make)

    answer = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id)

    assert answer.status_code == 200, answer.text
    assert (answer.json()["written"], answer.json()["proposed"]) == (True, 3)
    assert db.exec(select(Job).where(Job.kind == "staffing.plan")).all() == []


def test_plan_longer_than_a_few_seconds_is_a_job_202_with_its_location(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign, _, _ = small_campaign(make)
    coordinator = make.user("coordinator")

    answer = post_plan(client, make.token(coordinator), campaign_id=campaign.id, time_limit_seconds=30)

    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert answer.headers["Location"] == job["url"] == f"/api/v1/staffing/jobs/{job['id']}"
    assert job["page"] == f"/plan/staffing/jobs/{job['id']}"
    assert (job["status"], job["scope"], job["time_limit"], job["result"]) == (
        "queued",
        "campaign 'Spring outreach'",
        30.0,
        None,
    )
    assert job["started_by"] == {"user_id": coordinator.id, "name": coordinator.email}
    assert assignments(db) == []


def test_plan_by_size_is_a_job_for_a_busy_month(client: TestClient, make: Factory) -> None:
    campaign = busy_month(make)

    answer = post_plan(client, make.headers("coordinator"), campaign_id=campaign.id, dry_run=True)

    assert answer.status_code == 202, answer.text
    assert answer.json()["time_limit"] > 5


def test_plan_job_bad_scope_is_422_before_anything_is_queued(
    client: TestClient, make: Factory, db: Session
) -> None:
    answer = post_plan(client, make.headers("coordinator"), campaign_id=999999, time_limit_seconds=30)

    assert answer.status_code == 422
    assert answer.json()["detail"] == "campaign 999999 does not exist"
    assert db.exec(select(Job)).all() == []


def test_plan_of_chosen_events_plans_exactly_those(client: TestClient, make: Factory, db: Session) -> None:
    campaign, (first, second), people = small_campaign(make)
    h = make.headers("coordinator")

    answer = post_plan(client, h, event_ids=[second.id])

    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == f"event '{second.title}'"
    assert assignments(db) == [(second.id, people[0].id, "ambassador", "proposed")]
    both = post_plan(client, h, event_ids=[first.id, second.id], campaign_id=campaign.id)
    assert both.status_code == 422
    assert (
        both.json()["detail"] == "choose the events by their ids, or by a campaign or a date range, not both"
    )


# --- running, progress, stop ---------------------------------------------------------------------------


def test_plan_job_result_is_a_preview_with_reasons(client: TestClient, make: Factory, db: Session) -> None:
    h = make.headers("coordinator")

    job = finished_job(client, make, h)

    plan = job["result"]
    assert (job["stopped"], job["phase"], job["error"], job["applied"]) == (False, "done", None, 0)
    assert (plan["written"], plan["proposed"], plan["status"]) == (False, 3, "optimal")
    assert [f["name"] for f in job["figures"]] == ["priority", "places", "fairness", "travel"]
    assert all(a["assignment_id"] is None for a in plan["assignments"])
    recruiter = next(a for a in plan["assignments"] if a["role"] == "recruiter")
    assert recruiter["person_name"] == "Recruiter One"
    assert recruiter["reasons"][0] == "can take the open recruiter place (recruitment staff)"
    assert assignments(db) == []


def test_plan_job_shows_progress_while_running_and_stop_keeps_the_best_so_far(
    client: TestClient, make: Factory, db: Session
) -> None:
    # Large enough that proving it takes the solver several seconds (a month of 300 events
    # takes about 10), so the stop arrives while it works.
    campaign = busy_month(make, events=320, people=200)
    h = make.headers("coordinator")
    started = post_plan(client, h, campaign_id=campaign.id, time_limit_seconds=90)
    url = started.headers["Location"]

    with worker_running():
        running = wait_for(
            client, url, h, lambda j: j["status"] == "running" and j["figures"] and j["phase"] != "starting"
        )
        asked = client.post(f"{url}/stop", headers=h)
        asked_at = time.monotonic()
        done = wait_for(client, url, h, lambda j: j["status"] not in ("queued", "running"), seconds=30)
        took = time.monotonic() - asked_at

    assert running["phase"] in ("greedy", "needs", "places", "fairness", "travel")
    assert running["time_limit"] == 90.0 and running["result"] is None
    assert [f["name"] for f in running["figures"]] == ["priority", "places", "fairness", "travel"]
    assert asked.status_code == 200 and asked.json()["stop_requested"] is True
    assert (done["status"], done["stopped"], done["result"]["stopped"]) == ("done", True, True)
    assert "stopped on request: the best plan found so far" in done["result"]["notes"]
    assert done["result"]["proposed"] > 0 and done["result"]["seconds"] < 90
    assert took < 10, f"the plan took {took:.1f} s to stop"
    assert assignments(db) == []


def test_stop_a_queued_plan_and_it_never_runs(client: TestClient, make: Factory) -> None:
    campaign, _, _ = small_campaign(make)
    h = make.headers("coordinator")
    url = post_plan(client, h, campaign_id=campaign.id, time_limit_seconds=30).headers["Location"]

    stopped = client.post(f"{url}/stop", headers=h)
    drain()

    assert stopped.status_code == 200
    assert (stopped.json()["status"], stopped.json()["stop_requested"]) == ("stopped", True)
    job = client.get(url, headers=h).json()
    assert (job["status"], job["result"], job["started_at"]) == ("stopped", None, None)
    again = client.post(f"{url}/stop", headers=h)
    assert again.status_code == 409
    assert again.json()["detail"].endswith("has already ended (stopped); there is nothing to stop")


def test_a_plan_whose_worker_died_is_failed_with_the_reason(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign, _, _ = small_campaign(make)
    h = make.headers("coordinator")
    url = post_plan(client, h, campaign_id=campaign.id, time_limit_seconds=30).headers["Location"]
    job_id = int(url.rsplit("/", 1)[1])
    claimed = worker_jobs.claim_job(db, worker_id="died-midway", kinds={"staffing.plan"})
    assert claimed is not None and claimed.id == job_id
    # The worker died: nobody renews the lease, which runs out.
    db.execute(sa.update(worker_jobs.JOBS).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.commit()

    seen = client.get(url, headers=h).json()
    drain()  # another worker's housekeeping records it

    reason = "the worker running this job stopped before it finished (no sign of life within its lease)"
    assert (seen["status"], seen["error"]) == ("failed", reason)
    row = fresh(db, Job, job_id)
    assert row is not None and (row.status, row.error, row.attempts) == ("failed", reason, 1)
    assert client.get(url, headers=h).json()["error"] == reason


def test_two_workers_never_run_the_same_plan(client: TestClient, make: Factory, db: Session) -> None:
    campaign, _, _ = small_campaign(make)
    h = make.headers("coordinator")
    url = post_plan(client, h, campaign_id=campaign.id, time_limit_seconds=30).headers["Location"]
    first = worker_jobs.claim_job(db, worker_id="first", kinds={"staffing.plan"})

    second = Worker(worker_id="second").run_one_job()

    assert first is not None and second is False
    assert client.get(url, headers=h).json()["status"] == "running"


# --- applying ----------------------------------------------------------------------------------------


def test_apply_all_writes_every_proposal_with_audit_lines_and_twice_writes_once(
    client: TestClient, make: Factory, db: Session
) -> None:
    h = make.headers("coordinator")
    job = finished_job(client, make, h)
    url = f"/api/v1/staffing/jobs/{job['id']}/apply"
    proposed = sorted(
        (a["event_id"], a["person_id"], a["role"], "proposed") for a in job["result"]["assignments"]
    )

    applied = client.post(url, headers=h)
    again = client.post(url, json={}, headers=h)

    assert applied.status_code == 200, applied.text
    assert (applied.json()["written"], applied.json()["already_applied"]) == (3, 0)
    assert assignments(db) == proposed
    ids = sorted(a["assignment_id"] for a in applied.json()["assignments"])
    lines = db.exec(
        select(AuditEntry).where(AuditEntry.record_type == "assignment", col(AuditEntry.record_id).in_(ids))
    ).all()
    assert len(lines) == 3
    assert all(
        line.summary.endswith(f"by automatic staffing (campaign 'Spring outreach', plan {job['id']})")
        for line in lines
    )
    assert (again.status_code, again.json()["written"], again.json()["already_applied"]) == (200, 0, 3)
    assert assignments(db) == proposed
    assert client.get(f"/api/v1/staffing/jobs/{job['id']}", headers=h).json()["applied"] == 3


def test_apply_some_writes_exactly_those(client: TestClient, make: Factory, db: Session) -> None:
    h = make.headers("coordinator")
    job = finished_job(client, make, h)
    url = f"/api/v1/staffing/jobs/{job['id']}/apply"
    first, second, third = job["result"]["assignments"]

    by_number = client.post(url, json={"proposals": [1]}, headers=h)
    by_pair = client.post(
        url, json={"pairs": [{"event_id": third["event_id"], "person_id": third["person_id"]}]}, headers=h
    )

    assert by_number.status_code == by_pair.status_code == 200
    assert [a["person_id"] for a in by_number.json()["assignments"]] == [second["person_id"]]
    assert [(a[0], a[1]) for a in assignments(db)] == sorted(
        [(second["event_id"], second["person_id"]), (third["event_id"], third["person_id"])]
    )
    rest = client.post(url, json={"proposals": [0, 1, 2]}, headers=h).json()
    assert (rest["written"], rest["already_applied"]) == (1, 2)
    assert rest["assignments"][0]["person_id"] == first["person_id"]


def test_apply_out_of_date_is_409_and_writes_nothing(client: TestClient, make: Factory, db: Session) -> None:
    h = make.headers("coordinator")
    job = finished_job(client, make, h)
    chosen = job["result"]["assignments"][0]
    person = db.get(Person, chosen["person_id"])
    clash = make.event(
        starts_at=datetime.fromisoformat(chosen["starts_at"]) + timedelta(hours=1), title="Booked meanwhile"
    )
    assert person is not None
    make.assign(clash, person)

    answer = client.post(f"/api/v1/staffing/jobs/{job['id']}/apply", headers=h)

    assert answer.status_code == 409, answer.text
    assert answer.json()["detail"].startswith("the plan is out of date")
    assert any("'Booked meanwhile'" in reason for reason in answer.json()["refused"])
    assert [(a[0], a[1]) for a in assignments(db)] == [(clash.id, person.id)]
    assert client.get(f"/api/v1/staffing/jobs/{job['id']}", headers=h).json()["applied"] == 0


def test_apply_before_the_plan_is_done_is_409(client: TestClient, make: Factory) -> None:
    campaign, _, _ = small_campaign(make)
    h = make.headers("coordinator")
    url = post_plan(client, h, campaign_id=campaign.id, time_limit_seconds=30).headers["Location"]

    answer = client.post(f"{url}/apply", headers=h)

    assert answer.status_code == 409
    assert answer.json()["detail"].endswith("has not started yet")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"proposals": [7]}, "proposal 7 is not in this plan, which has 3 proposals (numbered 0 to 2)"),
        ({"proposals": []}, "choose at least one proposal to apply, or send no choice to apply them all"),
        ({"pairs": [{"event_id": 1, "person_id": 999}]}, "this plan does not propose person 999 for event 1"),
    ],
)
def test_apply_a_choice_not_in_the_plan_is_422(
    client: TestClient, make: Factory, db: Session, body: dict[str, Any], detail: str
) -> None:
    h = make.headers("coordinator")
    job = finished_job(client, make, h)

    answer = client.post(f"/api/v1/staffing/jobs/{job['id']}/apply", json=body, headers=h)

    assert answer.status_code == 422
    assert answer.json()["detail"] == detail
    assert assignments(db) == []


@pytest.mark.parametrize(
    "body",
    [
        {"proposals": [0], "pairs": [{"event_id": 1, "person_id": 1}]},
        {"proposals": [-1]},
        {"proposals": "all"},
        {"pairs": [{"event_id": 1}]},
        {"surprise": True},
    ],
)
def test_apply_malformed_body_is_422(client: TestClient, make: Factory, body: dict[str, Any]) -> None:
    h = make.headers("coordinator")
    job = finished_job(client, make, h)

    answer = client.post(f"/api/v1/staffing/jobs/{job['id']}/apply", json=body, headers=h)

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


# --- who may ---------------------------------------------------------------------------------------------


def test_any_planner_may_watch_and_apply_a_plan_and_sees_who_started_it(
    client: TestClient, make: Factory, db: Session
) -> None:
    starter = make.user("coordinator", email="first.sergeant@muster.test")
    job = finished_job(client, make, make.token(starter))
    admin = make.headers("admin")

    seen = client.get(f"/api/v1/staffing/jobs/{job['id']}", headers=admin)
    applied = client.post(f"/api/v1/staffing/jobs/{job['id']}/apply", headers=admin)

    assert seen.json()["started_by"] == {"user_id": starter.id, "name": "first.sergeant@muster.test"}
    assert applied.status_code == 200 and applied.json()["written"] == 3


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("partner", 403), (None, 401)])
def test_plan_jobs_are_for_planners_only(
    client: TestClient, make: Factory, db: Session, role: str | None, status: int
) -> None:
    job = finished_job(client, make, make.headers("coordinator"))
    h = make.headers(role) if role else {}
    url = f"/api/v1/staffing/jobs/{job['id']}"

    answers = [
        client.get(url, headers=h),
        client.post(f"{url}/stop", headers=h),
        client.post(f"{url}/apply", headers=h),
        post_plan(client, h, campaign_id=job["result"]["campaign_id"], time_limit_seconds=30),
    ]

    assert [a.status_code for a in answers] == [status] * 4
    assert assignments(db) == []


def test_unknown_plan_job_is_404(client: TestClient, make: Factory, db: Session) -> None:
    h = make.headers("coordinator")
    worker_jobs.enqueue_job(db, kind="worker.prune", dedupe_key="other-kind")
    db.commit()
    other = db.exec(select(Job).where(Job.kind == "worker.prune")).one()

    answers = [
        client.get("/api/v1/staffing/jobs/999999", headers=h),
        client.post("/api/v1/staffing/jobs/999999/stop", headers=h),
        client.post("/api/v1/staffing/jobs/999999/apply", headers=h),
        client.get(f"/api/v1/staffing/jobs/{other.id}", headers=h),
    ]

    assert [a.status_code for a in answers] == [404] * 4
    assert answers[0].json()["detail"] == "plan job 999999 does not exist"
