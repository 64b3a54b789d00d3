"""Page timings: the median milliseconds of each main page, with the demo force and with a
large generated force (20,000 events, 2,000 people). Writes bench/results/pages.json and
the committed summary bench/results/PAGES.md.

Target: every page's median at most 100 ms on both data sets (the slower one is checked);
the script exits non-zero when a page misses it.

Each data set runs in its own process on its own SQLite file, so settings and engines do
not leak between them. Pages are requested in-process (Starlette's TestClient), signed
in through the real login form, so the timings are the app's own: routing, queries,
rendering.

    python bench/bench_pages.py            # both data sets
    python bench/bench_pages.py --quick    # fewer rounds
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bulk import campaign, insert
from serve import sign_in
from targets import RESULTS_DIR, Target, markdown
from targets import report as check_targets

ROOT = Path(__file__).resolve().parents[1]
RESULTS = RESULTS_DIR / "pages.json"
SUMMARY = RESULTS_DIR / "PAGES.md"
BUDGET_MS = 100.0  # a page that answers within a tenth of a second feels immediate

LARGE_EVENTS = 20_000
LARGE_PEOPLE = 2_000
LARGE_VENUES = 200
TOWNS = [
    "Accrington", "Bacup", "Blackburn", "Burnley", "Darwen", "Nelson", "Rawtenstall", "Preston",
    "Chorley", "Leyland", "Lancaster", "Morecambe", "Blackpool", "Fleetwood", "Ormskirk", "Skelmersdale",
    "Clitheroe", "Colne", "Haslingden", "Padiham",
]  # fmt: skip


# --- data -------------------------------------------------------------------------------


def _load_demo(database_url: str) -> dict[str, Any]:
    from sqlmodel import Session, select

    from app import demo
    from app.db import make_engine
    from app.events.models import Event

    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        logins = demo.load(session)
        now = datetime.now(UTC)
        upcoming = session.exec(
            select(Event).where(Event.starts_at > now, Event.public).order_by(Event.starts_at)  # type: ignore[arg-type]
        ).first()
        assert upcoming is not None
        ids = {
            "event": upcoming.id,
            "venue": upcoming.venue_id,
            "campaign": upcoming.campaign_id,
            "person": 1,
        }
    return {"logins": logins.__dict__, "ids": ids}


def _generate_large(database_url: str, seed: int = 2026) -> dict[str, Any]:
    """A large force's data, inserted in bulk: five years of events (four past, one ahead,
    about eleven a day), a two-to-four person team each, opt-ins, time away and an audit trail."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from app.accounts import service as accounts
    from app.assignments.models import Assignment
    from app.audit.models import AuditEntry
    from app.audit.service import SYSTEM
    from app.campaigns.models import Campaign
    from app.db import make_engine
    from app.enums import Role
    from app.events.models import Event, EventNetworkNeed
    from app.networks.models import Network
    from app.people.models import Person, Representation, Unavailability
    from app.venues.models import Venue

    rng = random.Random(seed)
    engine = make_engine(database_url)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    stamp = now
    with engine.begin() as conn:
        insert(
            conn,
            Network,
            [{"name": f"Network {i}", "short_name": f"N{i}", "description": ""} for i in range(1, 7)],
            at=stamp,
        )
        insert(
            conn,
            Campaign,
            [
                campaign(
                    f"Campaign {i}",
                    (now - timedelta(days=800)).date(),
                    (now + timedelta(days=400)).date(),
                    target_groups=["Women"],
                )
                for i in range(1, 9)
            ],
            at=stamp,
        )
        insert(
            conn,
            Venue,
            [
                {
                    "name": f"Venue {i} {TOWNS[i % len(TOWNS)]}",
                    "kind": "job_centre",
                    "address": f"{i} High Street",
                    "town": TOWNS[i % len(TOWNS)],
                    "postcode": "BB1 1AA",
                    "accessibility_notes": "Step-free",
                    "parking_notes": "",
                    "opening_notes": "",
                    "partner_organisation": "Partner",
                    "contact_name": "",
                    "contact_phone": "",
                    "contact_email": "",
                    "active": True,
                }
                for i in range(1, LARGE_VENUES + 1)
            ],
            at=stamp,
        )
        insert(
            conn,
            Person,
            [
                {
                    "name": f"Person {i:04d}",
                    "staff_number": f"LC{i:05d}",
                    "kind": "police_officer",
                    "rank_or_title": "PC",
                    "base_town": TOWNS[i % len(TOWNS)],
                    "languages": ["English"],
                    "monthly_limit": 6,
                    "active": True,
                    "email": "",
                    "phone": "",
                }
                for i in range(1, LARGE_PEOPLE + 1)
            ],
            at=stamp,
        )
        insert(
            conn,
            Representation,
            [
                {
                    "person_id": pid,
                    "network_id": 1 + pid % 6,
                    "opted_in_at": stamp,
                    "public_naming": pid % 3 == 0,
                }
                for pid in range(1, LARGE_PEOPLE + 1)
                if pid % 4 == 0
            ],
            at=stamp,
        )
        insert(
            conn,
            Unavailability,
            [
                {
                    "person_id": pid,
                    "starts_at": now + timedelta(days=pid % 60),
                    "ends_at": now + timedelta(days=pid % 60 + 5),
                    "reason": "annual_leave",
                    "note": "",
                }
                for pid in range(1, LARGE_PEOPLE + 1)
                if pid % 10 == 0
            ],
            at=stamp,
        )
        first_day = now - timedelta(days=4 * 365)
        days = 5 * 365
        events: list[dict[str, Any]] = []
        for i in range(LARGE_EVENTS):
            day = first_day + timedelta(days=int(i * days / LARGE_EVENTS))
            start = day.replace(hour=9 + (i % 4) * 2)
            past = start < now
            roll = rng.random()
            if past:
                status = "cancelled" if roll < 0.05 else "completed"
            else:
                status = "cancelled" if roll < 0.05 else "draft" if roll < 0.3 else "confirmed"
            events.append(
                {
                    "campaign_id": 1 + i % 8,
                    "venue_id": 1 + (i * 7) % LARGE_VENUES,
                    "title": f"Outreach {i}",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=3),
                    "status": status,
                    "public": roll > 0.2,
                    "public_description": "Come and meet us.",
                    "internal_notes": "",
                    "what_to_bring": "",
                    "ambassadors_needed": 2,
                    "recruiters_needed": 1,
                    "wanted_languages": ["Urdu"] if i % 5 == 0 else [],
                    "revision": 0,
                    "cancelled_reason": "",
                    "partner_status": rng.choice(["pending", "confirmed", "confirmed", "declined"]),
                    "partner_message": "",
                }
            )
        insert(conn, Event, events, at=stamp)
        insert(
            conn,
            EventNetworkNeed,
            [
                {"event_id": eid, "network_id": 1 + eid % 6, "min_count": 1}
                for eid in range(1, LARGE_EVENTS + 1, 3)
            ],
            at=stamp,
        )
        # Teams: people are drawn without repeats within a day, so nobody is double-booked.
        rows = []
        by_day: dict[str, set[int]] = {}
        for eid, event in enumerate(events, start=1):
            taken = by_day.setdefault(event["starts_at"].date().isoformat(), set())
            for slot in range(2 + eid % 3):
                pid = rng.randint(1, LARGE_PEOPLE)
                while pid in taken:
                    pid = rng.randint(1, LARGE_PEOPLE)
                taken.add(pid)
                rows.append(
                    {
                        "event_id": eid,
                        "person_id": pid,
                        "role": "recruiter" if slot == 0 else "ambassador",
                        "status": "confirmed" if rng.random() < 0.7 else "proposed",
                        "revision": 0,
                        "conflict_note": "",
                        "decline_reason": "",
                    }
                )
        insert(conn, Assignment, rows, at=stamp)
        insert(
            conn,
            AuditEntry,
            [
                {
                    "at": stamp - timedelta(minutes=i),
                    "actor_label": "bench",
                    "action": "create",
                    "record_type": "event",
                    "record_id": 1 + i,
                    "summary": f"event 'Outreach {i}' booked",
                    "before": None,
                    "after": {"title": f"Outreach {i}"},
                }
                for i in range(LARGE_EVENTS)
            ],
            at=stamp,
        )
    # The people behind the logins: a staff member with a full diary and a partner with a busy venue.
    busy_person = max(range(1, 50), key=lambda pid: sum(1 for r in rows if r["person_id"] == pid))
    password = "bench-password-2026"
    with Session(engine) as session:
        for role, extra in (
            (Role.admin, {}),
            (Role.coordinator, {}),
            (Role.staff, {"person_id": busy_person}),
            (Role.partner, {"venue_ids": [1]}),
        ):
            accounts.create_user(
                session=session,
                actor=SYSTEM,
                email=f"{role.value}@bench.example",
                password=password,
                role=role,
                full_name=f"Bench {role.value}",
                **extra,
            )
        upcoming = session.exec(
            sa.select(Event.id, Event.venue_id, Event.campaign_id)  # type: ignore[call-overload]
            .where(Event.starts_at > now, Event.status == "confirmed", Event.public)
            .order_by(Event.starts_at)
            .limit(1)
        ).one()
    logins = {r.value: f"{r.value}@bench.example" for r in Role} | {"password": password}
    logins["coordinator"] = "coordinator@bench.example"
    ids = {"event": upcoming[0], "venue": upcoming[1], "campaign": upcoming[2], "person": busy_person}
    return {"logins": logins, "ids": ids}


# --- timing -----------------------------------------------------------------------------

PAGES = [
    ("coordinator", "dashboard (month)", "/plan"),
    ("coordinator", "dashboard (week)", "/plan?view=week"),
    ("coordinator", "dashboard (list)", "/plan?view=list"),
    ("coordinator", "events list", "/plan/events"),
    ("coordinator", "event page with picker", "/plan/events/{event}"),
    ("coordinator", "book an event form", "/plan/events/new"),
    ("coordinator", "book across venues form", "/plan/book"),
    ("coordinator", "people", "/plan/people"),
    ("coordinator", "person", "/plan/people/{person}"),
    ("coordinator", "venues", "/plan/venues"),
    ("coordinator", "venue", "/plan/venues/{venue}"),
    ("coordinator", "campaigns", "/plan/campaigns"),
    ("coordinator", "campaign", "/plan/campaigns/{campaign}"),
    ("coordinator", "audit trail", "/plan/audit"),
    ("admin", "users", "/admin/users"),
    ("staff", "my outreach", "/my"),
    ("staff", "calendar", "/my/calendar"),
    ("staff", "my data", "/my/data"),
    ("partner", "partner bookings", "/partner"),
    (None, "login", "/login"),
    (None, "public events", "/events"),
    (None, "public event", "/events/{event}"),
    (None, "public venue", "/venues/{venue}"),
]


def _measure(database_url: str, setup: dict[str, Any], rounds: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from app.main import app

    logins, ids = setup["logins"], setup["ids"]
    clients: dict[str | None, TestClient] = {}

    def client_for(role: str | None) -> TestClient:
        if role not in clients:
            client = TestClient(app, base_url="http://127.0.0.1")
            if role is not None:
                sign_in(client, logins[role], logins["password"])
            clients[role] = client
        return clients[role]

    results: dict[str, float] = {}
    for role, name, template in PAGES:
        client = client_for(role)
        path = template.format(**ids)
        for _ in range(2):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        results[name] = round(statistics.median(timings), 1)
    return results


def _child(dataset: str, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"muster-bench-{dataset}-"))
    database_url = f"sqlite:///{folder / 'bench.db'}"
    os.environ["MUSTER_DATABASE_URL"] = database_url
    os.environ.setdefault("MUSTER_SECRET_KEY", "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    sys.path.insert(0, str(ROOT))
    from app import migrate

    migrate.upgrade(database_url)
    started = time.perf_counter()
    setup = _load_demo(database_url) if dataset == "demo" else _generate_large(database_url)
    built = time.perf_counter() - started
    timings = _measure(database_url, setup, rounds)
    print(json.dumps({"timings": timings, "build_seconds": round(built, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["demo", "large"])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    if args.dataset:
        _child(args.dataset, rounds)
        return
    sys.exit(_parent(rounds))


def _parent(rounds: int) -> int:
    """Each data set in a process of its own; the report; the exit status."""
    report: dict[str, Any] = {"budget_ms": BUDGET_MS, "rounds": rounds, "datasets": {}}
    for dataset in ("demo", "large"):
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
    report["datasets"]["large"]["size"] = {
        "events": LARGE_EVENTS,
        "people": LARGE_PEOPLE,
        "venues": LARGE_VENUES,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    demo, large = report["datasets"]["demo"]["timings"], report["datasets"]["large"]["timings"]
    print(f"{'page':32} {'demo ms':>9} {'large ms':>9}")
    for name in demo:
        flag = "  over budget" if max(demo[name], large[name]) > BUDGET_MS else ""
        print(f"{name:32} {demo[name]:9.1f} {large[name]:9.1f}{flag}")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    targets = [
        Target(f"{name}, median (slower data set)", max(demo[name], large[name]), BUDGET_MS, "ms")
        for name in demo
    ]
    builds = {name: report["datasets"][name]["build_seconds"] for name in ("demo", "large")}
    details = "\n\n".join(
        [
            f"Median of {rounds} requests per page, in-process (TestClient), signed in through the login form. "
            f"Data sets: the demo force, and a generated force of {LARGE_EVENTS:,} events, {LARGE_PEOPLE:,} people "
            f"and {LARGE_VENUES} venues (built in {builds['large']} s; the demo in {builds['demo']} s).",
            markdown(
                ["page", "demo ms", "large ms"],
                [[name, f"{demo[name]:.1f}", f"{large[name]:.1f}"] for name in demo],
            ),
        ]
    )
    return check_targets(targets, title="Page times", summary=SUMMARY, details=details)


if __name__ == "__main__":
    main()
