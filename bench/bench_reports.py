"""Report timings: the campaign report page and "where to go next", at a small and a large
generated force, and the SQL statements each costs at both sizes. Writes
bench/results/reports.json and the committed summary bench/results/REPORTS.md.

Targets: each page's median at most 100 ms on the large data set (20,000 events, 2,000
people, 50,000 expressions of interest), in wall-clock time and in CPU time (the second does
not depend on what else a shared machine is running), and the same number of SQL statements
at both sizes (every figure is a GROUP BY, so the statements must not grow with the data).

Each data set runs in its own process on its own SQLite file. Pages are requested
in-process (Starlette's TestClient), signed in through the real login form.

    python bench/bench_reports.py            # both data sets
    python bench/bench_reports.py --quick    # fewer rounds
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bulk import assignment, campaign, drop_in, insert, job_centre, officer
from serve import sign_in, use_database
from targets import RESULTS_DIR, Target, markdown
from targets import report as check_targets

ROOT = Path(__file__).resolve().parents[1]
RESULTS = RESULTS_DIR / "reports.json"
SUMMARY = RESULTS_DIR / "REPORTS.md"
BUDGET_MS = 100.0

SIZES = {
    "small": {"events": 2_000, "people": 200, "interest": 5_000},
    "large": {"events": 20_000, "people": 2_000, "interest": 50_000},
}
VENUES = 200
CAMPAIGNS = 8
TOWNS = [
    "Accrington", "Bacup", "Blackburn", "Burnley", "Darwen", "Nelson", "Rawtenstall", "Preston",
    "Chorley", "Leyland", "Lancaster", "Morecambe", "Blackpool", "Fleetwood", "Ormskirk", "Skelmersdale",
    "Clitheroe", "Colne", "Haslingden", "Padiham",
]  # fmt: skip
GROUPS = ["Asian or Asian British", "Black or Black British", "Mixed", "Women"]
PASSWORD = "bench-password-2026"


def _generate(database_url: str, size: dict[str, int], seed: int = 2026) -> dict[str, Any]:
    """Five years of events (four past), teams with attendance, outcomes for the past ones,
    expressions of interest spread over them, targets with snapshots, and town shares."""
    from sqlmodel import Session

    from app.accounts import service as accounts
    from app.assignments.models import Assignment
    from app.audit.service import SYSTEM
    from app.campaigns.models import Campaign
    from app.db import make_engine
    from app.enums import Role
    from app.events.models import Event
    from app.interest.models import InterestRecord
    from app.networks.models import Network
    from app.outcomes.models import EventOutcome
    from app.people.models import Person, Representation
    from app.representation.models import CampaignTarget, PopulationShare, TargetSnapshot, WorkforceShare
    from app.venues.models import Venue

    rng = random.Random(seed)
    engine = make_engine(database_url)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    n_events, n_people, n_interest = size["events"], size["people"], size["interest"]
    with engine.begin() as conn:
        insert(
            conn,
            Network,
            [{"name": f"Network {i}", "short_name": f"N{i}", "description": ""} for i in range(1, 7)],
            at=now,
        )
        insert(
            conn,
            Campaign,
            [
                campaign(
                    f"Campaign {i}", (now - timedelta(days=1500)).date(), (now + timedelta(days=400)).date()
                )
                for i in range(1, CAMPAIGNS + 1)
            ],
            at=now,
        )
        insert(
            conn,
            Venue,
            [
                job_centre(
                    i,
                    name=f"Venue {i} {TOWNS[i % len(TOWNS)]}",
                    kind=["job_centre", "supermarket", "community_centre", "library"][i % 4],
                    town=TOWNS[i % len(TOWNS)],
                    revision=0,
                )
                for i in range(1, VENUES + 1)
            ],
            at=now,
        )
        people = [
            officer(
                i,
                f"Person {i:04d}",
                staff_number=f"LC{i:05d}",
                base_town=TOWNS[i % len(TOWNS)],
                monthly_limit=6,
                revision=0,
            )
            for i in range(1, n_people + 1)
        ]
        insert(conn, Person, people, at=now)
        insert(
            conn,
            Representation,
            [
                {"person_id": pid, "network_id": 1 + pid % 6, "opted_in_at": now, "public_naming": False}
                for pid in range(1, n_people + 1)
                if pid % 3 == 0
            ],
            at=now,
        )
        first_day = now - timedelta(days=4 * 365)
        events, outcomes, past_ids = [], [], []
        for i in range(n_events):
            start = (first_day + timedelta(days=int(i * 5 * 365 / n_events))).replace(hour=9 + (i % 4) * 2)
            past = start + timedelta(hours=4) < now
            cancelled = rng.random() < 0.05
            status = "cancelled" if cancelled else "completed" if past else "confirmed"
            events.append(
                drop_in(
                    i,
                    start,
                    campaign_id=1 + i % CAMPAIGNS,
                    venue_id=1 + (i * 7) % VENUES,
                    title=f"Outreach {i}",
                    ends_at=start + timedelta(hours=3 + i % 3),
                    status=status,
                    public=True,
                    ambassadors_needed=2,
                    recruiters_needed=1,
                )
            )
            if past and not cancelled:
                past_ids.append(i + 1)
                spoken = rng.randint(0, 60)
                outcomes.append(
                    {
                        "event_id": i + 1,
                        "people_spoken_to": spoken,
                        "interest_on_paper": rng.randint(0, spoken // 4),
                        "leaflets": spoken,
                        "what_worked": "",
                        "recorded_at": now,
                        "revision": 0,
                    }
                )
        insert(conn, Event, events, at=now)
        insert(conn, EventOutcome, outcomes, at=now)
        rows = []
        held = set(past_ids)
        for eid in range(1, n_events + 1):
            for slot in range(2 + eid % 3):
                role = "recruiter" if slot == 0 else "ambassador"
                attended = ("absent" if rng.random() < 0.1 else "attended") if eid in held else None
                rows.append(
                    {
                        **assignment(eid, 1 + (eid * 13 + slot * 101) % n_people, role, "confirmed"),
                        "attendance": attended,
                        "absence_reason": "",
                    }
                )
        insert(conn, Assignment, rows, at=now)
        interest = []
        for i in range(n_interest):
            eid = past_ids[rng.randrange(len(past_ids))]
            event = events[eid - 1]
            interest.append(
                {
                    "event_id": eid,
                    "venue_id": event["venue_id"],
                    "campaign_id": event["campaign_id"],
                    "town": TOWNS[event["venue_id"] % len(TOWNS)],
                    "full_name": f"Visitor {i}",
                    "email": f"visitor{i}@example.org",
                    "phone": "",
                    "roles": ["police_constable"],
                    "message": "",
                    "consent_given_at": now,
                    "status": "new",
                    "status_changed_at": None,
                    "coordinator_note": "",
                    "erase_after": now + timedelta(days=365),
                    "revision": 0,
                }
            )
        insert(conn, InterestRecord, interest, at=now)
        today = now.date()
        insert(
            conn,
            CampaignTarget,
            [
                {
                    "campaign_id": c,
                    "measure": "officers from ethnic minorities",
                    "unit": "count",
                    "baseline_value": 97,
                    "baseline_on": today - timedelta(days=200),
                    "target_value": 111,
                    "target_on": today + timedelta(days=120),
                    "source": "HR",
                    "position": 0,
                    "revision": 0,
                }
                for c in range(1, CAMPAIGNS + 1)
            ],
            at=now,
        )
        insert(
            conn,
            TargetSnapshot,
            [
                {
                    "target_id": t,
                    "recorded_on": today - timedelta(days=30 * k),
                    "value": 97 + k,
                    "numerator": None,
                    "denominator": None,
                    "source": "HR",
                    "recorded_by_user_id": None,
                }
                for t in range(1, CAMPAIGNS + 1)
                for k in range(1, 6)
            ],
            at=now,
        )
        insert(
            conn,
            PopulationShare,
            [
                {
                    "area": town,
                    "group": group,
                    "share_percent": 5 + (i * 7 + j * 3) % 30,
                    "source": "Census 2021",
                    "year": 2021,
                    "revision": 0,
                }
                for i, town in enumerate(TOWNS)
                for j, group in enumerate(GROUPS)
            ],
            at=now,
        )
        insert(
            conn,
            WorkforceShare,
            [
                {
                    "area": town,
                    "group": group,
                    "count": 3 + (i + j) % 20,
                    "total": 200,
                    "as_of": date(2026, 9, 30),
                    "source": "HR",
                    "revision": 0,
                }
                for i, town in enumerate(TOWNS)
                for j, group in enumerate(GROUPS)
            ],
            at=now,
        )
    with Session(engine) as session:
        accounts.create_user(
            session=session,
            actor=SYSTEM,
            email="coordinator@bench.example",
            password=PASSWORD,
            role=Role.coordinator,
            full_name="Bench coordinator",
        )
    return {"campaign": 1}


PAGES = [
    ("campaign report", "/plan/campaigns/{campaign}/report"),
    ("campaign report, board version", "/plan/campaigns/{campaign}/report?for=board"),
    ("where to go next", "/plan/where-next"),
    ("report API", "/api/v1/campaigns/{campaign}/report"),
    ("where-next API", "/api/v1/where-next"),
]


def _measure(setup: dict[str, Any], rounds: int) -> dict[str, dict[str, float]]:
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from app.db import get_engine
    from app.main import app

    client = TestClient(app, base_url="http://127.0.0.1")
    sign_in(client, "coordinator@bench.example", PASSWORD)
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    results: dict[str, dict[str, float]] = {}
    for name, template in PAGES:
        path = template.format(**setup)
        for _ in range(2):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
        statements.clear()
        sa.event.listen(get_engine(), "before_cursor_execute", note)
        client.get(path)
        sa.event.remove(get_engine(), "before_cursor_execute", note)
        counted = len(statements)
        timings, cpu = [], []
        for _ in range(rounds):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        results[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "median_cpu_ms": round(statistics.median(cpu), 1),
            "statements": counted,
        }
    return results


def _child(dataset: str, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"muster-bench-reports-{dataset}-"))
    database_url = f"sqlite:///{folder / 'bench.db'}"
    use_database(database_url)
    from app import migrate

    migrate.upgrade(database_url)
    started = time.perf_counter()
    setup = _generate(database_url, SIZES[dataset])
    built = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    pages = _measure(setup, rounds)
    load = round(max(load_before, os.getloadavg()[0]), 1)
    print(json.dumps({"pages": pages, "build_seconds": round(built, 1), "load_average": load}))


def _parent(rounds: int) -> int:
    report: dict[str, Any] = {"budget_ms": BUDGET_MS, "rounds": rounds, "sizes": SIZES, "datasets": {}}
    for dataset in SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--dataset", dataset, "--rounds", str(rounds)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode != 0:
            print(f"the {dataset} data set failed:\n{out.stderr[-3000:]}", file=sys.stderr)
            return out.returncode
        report["datasets"][dataset] = json.loads(out.stdout.strip().splitlines()[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    small, large = report["datasets"]["small"]["pages"], report["datasets"]["large"]["pages"]
    targets = []
    for name, _ in PAGES:
        targets.append(Target(f"{name}, median at the large size", large[name]["median_ms"], BUDGET_MS, "ms"))
        targets.append(
            Target(
                f"{name}, median CPU time at the large size", large[name]["median_cpu_ms"], BUDGET_MS, "ms"
            )
        )
        grew = large[name]["statements"] - small[name]["statements"]
        targets.append(Target(f"{name}, statements added by 10× the data", grew, 0, "statements"))
    sized = ", ".join(
        f"{name}: {s['events']:,} events, {s['people']:,} people, {s['interest']:,} expressions of interest"
        for name, s in SIZES.items()
    )
    builds = {name: report["datasets"][name]["build_seconds"] for name in SIZES}
    loads = {name: report["datasets"][name]["load_average"] for name in SIZES}
    details = "\n\n".join(
        [
            f"Median of {rounds} requests per page, in-process (TestClient), signed in as a coordinator, "
            f"on SQLite. Data sets ({VENUES} venues in {len(TOWNS)} towns, {CAMPAIGNS} campaigns; the report is "
            f"one campaign's, an eighth of the events) — {sized}; built in {builds['small']} s and {builds['large']} s. "
            "Statements are counted on one request after two warm-ups. CPU ms is the process's CPU time "
            "per request (all threads): what the request costs whatever else the machine is doing. "
            f"Load average while measuring (on {os.cpu_count()} cores): small {loads['small']}, large {loads['large']}.",
            markdown(
                ["page", "small ms", "large ms", "large CPU ms", "small statements", "large statements"],
                [
                    [
                        name,
                        f"{small[name]['median_ms']:.1f}",
                        f"{large[name]['median_ms']:.1f}",
                        f"{large[name]['median_cpu_ms']:.1f}",
                        small[name]["statements"],
                        large[name]["statements"],
                    ]
                    for name, _ in PAGES
                ],
            ),
        ]
    )
    return check_targets(targets, title="Report times", summary=SUMMARY, details=details)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dataset", choices=list(SIZES))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    if args.dataset:
        _child(args.dataset, rounds)
        return
    sys.exit(_parent(rounds))


if __name__ == "__main__":
    main()
