"""Benchmark: a personal calendar feed served by the real app under uvicorn.

    .venv/bin/python bench/bench_feeds.py                 # table + bench/results/feeds.json
    .venv/bin/python bench/bench_feeds.py --seconds 4     # shorter runs

Builds a SQLite file database with 20,000 events and 2,000 people (one person on 200 events,
each with a team of three), starts ``uvicorn`` on a free loopback port with the app plus one
extra route that returns the same feed body precomputed in memory (the ceiling: the same
middleware and the same bytes, with no work at all), and measures with ``wrk`` (an httpx
loop if wrk is missing):

- feed:    GET the personal feed (token lookup, change counters, cached body)
- 304:     the same with ``If-None-Match`` (what a polling calendar client sends)
- ceiling: GET the precomputed body

Each is run ``--rounds`` times, interleaved, and the best round is kept (the machine is
shared; the best round is the one least disturbed). Targets: feed at least 50% of the
ceiling's requests per second, 304 at least 80%. The access log is on, as in production,
and is checked afterwards for the secret token (a target too: none). The script exits
non-zero when a target is missed and writes bench/results/FEEDS.md (committed) beside the
JSON.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bulk import assignment, campaign, drop_in, insert, job_centre, officer
from serve import BASE_URL, bench_env, in_scratch_folder, serving, use_database
from targets import RESULTS_DIR, Target, markdown, report

ROOT = Path(__file__).resolve().parent.parent
RESULTS = RESULTS_DIR / "feeds.json"
SUMMARY = RESULTS_DIR / "FEEDS.md"
TARGETS = {"feed": 0.5, "304": 0.8}  # shares of the ceiling's requests per second

EVENTS = 20_000
PEOPLE = 2_000
VENUES = 300
CAMPAIGNS = 12
TARGET_EVENTS = 200
TEAM = 3


def build_database(database_url: str) -> tuple[str, float]:
    """Migrate and fill the database; give the personal feed's path and its cold build time."""
    from sqlmodel import Session

    import app.models as models
    from app import migrate
    from app.accounts import service as accounts
    from app.audit.service import SYSTEM
    from app.db import make_engine
    from app.enums import AssignmentRole, AssignmentStatus, Role
    from app.feeds import links
    from app.feeds import serving as feed_serving

    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    rng = random.Random(20261122)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with engine.begin() as conn:
        venues = [
            job_centre(
                i,
                latitude=53.7 + rng.random() / 10,
                longitude=-2.5 + rng.random() / 5,
                contact_email="manager@example.org",
            )
            for i in range(1, VENUES + 1)
        ]
        insert(conn, models.Venue, venues, at=now)
        campaigns = [
            campaign(
                f"Campaign {i}: police constables",
                (now - timedelta(days=200)).date(),
                (now + timedelta(days=400)).date(),
            )
            for i in range(1, CAMPAIGNS + 1)
        ]
        insert(conn, models.Campaign, campaigns, at=now)
        people = [
            officer(i, f"PC Person {i:04d}", languages=["Urdu"] if i % 5 == 0 else [])
            for i in range(1, PEOPLE + 1)
        ]
        insert(conn, models.Person, people, at=now)
        events = []
        for i in range(1, EVENTS + 1):
            start = now + timedelta(days=rng.randint(-150, 365), hours=rng.randint(0, 8))
            events.append(
                drop_in(
                    i,
                    start,
                    campaign_id=1 + i % CAMPAIGNS,
                    venue_id=1 + i % VENUES,
                    public=i % 2 == 0,
                    public_description="Meet officers and staff; ask about joining.",
                    internal_notes="Bring the pop-up banner.",
                    ambassadors_needed=2,
                    recruiters_needed=1,
                )
            )
        insert(conn, models.Event, events, at=now)
        # The person under test (id 1) is on 200 events inside the feed's window; every
        # event has a team of three others.
        target_events = rng.sample(
            [i for i, e in enumerate(events, start=1) if e["ends_at"] > now - timedelta(days=90)],
            TARGET_EVENTS,
        )
        assignments = []
        for event_id in range(1, EVENTS + 1):
            team = rng.sample(range(2, PEOPLE + 1), TEAM)
            if event_id in target_events:
                team[0] = 1
            for k, person_id in enumerate(team):
                role = AssignmentRole.recruiter if k == 2 else AssignmentRole.ambassador
                status = AssignmentStatus.confirmed if k != 1 else AssignmentStatus.proposed
                assignments.append(assignment(event_id, person_id, role.value, status.value))
        insert(conn, models.Assignment, assignments, at=now)

    with Session(engine, expire_on_commit=False) as session:
        user = accounts.create_user(
            session=session,
            actor=SYSTEM,
            email="bench.staff@example.org",
            password="bench-password-0123",
            role=Role.staff,
            person_id=1,
        )
        principal = accounts.principal_for(session=session, user=user)
        link, _ = links.create_person_feed(session=session, principal=principal)
        path = link.url.removeprefix(BASE_URL)
        token = path.removeprefix("/feeds/people/").removesuffix(".ics")
        started = time.perf_counter()
        body = feed_serving.person_feed(session=session, token=token).body
        cold = time.perf_counter() - started
    engine.dispose()
    assert body.count(b"BEGIN:VEVENT") == TARGET_EVENTS, body.count(b"BEGIN:VEVENT")
    (Path(database_url.removeprefix("sqlite:///")).parent / "static.ics").write_bytes(body)
    return path, cold


def bench_app() -> Any:
    """The real app plus the ceiling route (uvicorn factory; used only by this benchmark)."""
    from fastapi.responses import Response

    from app.main import create_app

    app = create_app()
    body = Path(os.environ["BENCH_STATIC_BODY"]).read_bytes()
    headers = {"ETag": '"static"', "Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer"}

    @app.get("/bench/static.ics", include_in_schema=False)
    async def static_body() -> Response:
        return Response(content=body, media_type="text/calendar; charset=utf-8", headers=headers)

    return app


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"cannot read a wrk duration: {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> dict[str, float]:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _duration_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _duration_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99}


def run_httpx(url: str, seconds: float, connections: int, headers: dict[str, str]) -> dict[str, float]:
    """Fallback without wrk: a few threads in a closed loop (slower client, same shape)."""
    import threading

    import httpx

    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client(headers=headers) as http:
            while (start := time.perf_counter()) < deadline:
                status = http.get(url).status_code
                if status not in (200, 304):
                    raise RuntimeError(f"{url} answered {status}")
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(min(connections, 4))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the best is kept")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    in_scratch_folder("muster-bench-feeds-", lambda workdir: _run(workdir, args))


def _run(workdir: Path, args: argparse.Namespace) -> int:
    """Build, serve, measure, report; the exit status (non-zero when a target is missed)."""
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    use_database(database_url)
    started = time.perf_counter()
    print(f"building {EVENTS:,} events, {PEOPLE:,} people in {workdir} …", flush=True)
    feed_path, cold_build = build_database(database_url)
    print(
        f"  done in {time.perf_counter() - started:.1f} s; cold build of the 200-event feed {cold_build * 1000:.0f} ms"
    )

    env = bench_env(database_url, BENCH_STATIC_BODY=str(workdir / "static.ics"))
    log_path = workdir / "server.log"
    app = ["bench_feeds:bench_app", "--factory", "--app-dir", str(ROOT / "bench"), "--log-level", "info"]
    with serving(app, env, log_path, ready="/bench/static.ics") as base:
        results = _measure(base, feed_path, args)
    token = feed_path.removeprefix("/feeds/people/").removesuffix(".ics")
    server_log = log_path.read_text()
    leaked = server_log.count(token)
    redacted_lines = server_log.count("/feeds/people/[redacted].ics")
    return _report(results, cold_build, leaked, redacted_lines, args)


def _measure(base: str, feed_path: str, args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    feed = httpx.get(base + feed_path, timeout=30)
    static = httpx.get(f"{base}/bench/static.ics", timeout=30)
    etag = feed.headers["etag"]
    not_modified = httpx.get(base + feed_path, headers={"If-None-Match": etag}, timeout=30)
    assert feed.status_code == 200 and feed.content == static.content, "the feed and the ceiling differ"
    assert not_modified.status_code == 304 and not_modified.content == b""
    size = len(feed.content)

    runner = run_wrk if shutil.which("wrk") else run_httpx
    cases = {
        "ceiling": (f"{base}/bench/static.ics", {}),
        "feed": (base + feed_path, {}),
        "304": (base + feed_path, {"If-None-Match": etag}),
    }
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (url, headers) in cases.items():
            rounds[name].append(runner(url, args.seconds, args.connections, headers))
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in rounds.items()}
    return {
        "tool": runner.__name__.removeprefix("run_"),
        "body_bytes": size,
        "best": best,
        "rounds": rounds,
        "median_rps": {name: statistics.median(r["rps"] for r in runs) for name, runs in rounds.items()},
    }


def _report(
    results: dict[str, Any], cold_build: float, leaked: int, redacted: int, args: argparse.Namespace
) -> int:
    best = results["best"]
    ceiling = best["ceiling"]["rps"]
    ratios = {name: best[name]["rps"] / ceiling for name in ("feed", "304")}
    targets = TARGETS
    print()
    print(
        f"personal feed: {TARGET_EVENTS} events, {results['body_bytes']:,} bytes; "
        f"{EVENTS:,} events and {PEOPLE:,} people in the database; "
        f"{results['tool']}, {args.connections} connections, best of {args.rounds} x {args.seconds:g} s"
    )
    print(f"{'case':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'of ceiling':>12}{'target':>9}")
    for name in ("ceiling", "feed", "304"):
        row = best[name]
        ratio = f"{ratios[name]:.0%}" if name in ratios else "100%"
        target = f">= {targets[name]:.0%}" if name in targets else ""
        print(
            f"{name:<10}{row['rps']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}{ratio:>12}{target:>9}"
        )
    median = results["median_rps"]
    median_ratios = {name: median[name] / median["ceiling"] for name in ("feed", "304")}
    print(
        f"median of the {args.rounds} rounds: ceiling {median['ceiling']:.0f}, "
        f"feed {median['feed']:.0f} ({median_ratios['feed']:.0%}), 304 {median['304']:.0f} ({median_ratios['304']:.0%}) req/s"
    )
    print(f"cold build of the feed (not cached): {cold_build * 1000:.0f} ms")
    print(
        f"access log: {redacted:,} personal-feed lines, all redacted; token leaked: {'YES' if leaked else 'no'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {
                    "events": EVENTS,
                    "people": PEOPLE,
                    "feed_events": TARGET_EVENTS,
                    "engine": "sqlite",
                },
                "settings": {"seconds": args.seconds, "rounds": args.rounds, "connections": args.connections},
                **results,
                "ratios": ratios,
                "median_ratios": median_ratios,
                "targets": targets,
                "meets_targets": all(ratios[k] >= targets[k] for k in targets),
                "cold_build_ms": round(cold_build * 1000, 1),
                "token_in_access_log": leaked,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    shares = {name: round(ratios[name] * 100, 1) for name in ("feed", "304")}
    checked = [
        Target("feed: requests/s, share of the ceiling", shares["feed"], targets["feed"] * 100, "%", True),
        Target("304: requests/s, share of the ceiling", shares["304"], targets["304"] * 100, "%", True),
        Target("secret feed tokens in the access log", leaked, 0),
    ]
    setup = (
        f"Personal feed of {TARGET_EVENTS} events ({results['body_bytes']:,} bytes) in a database of "
        f"{EVENTS:,} events and {PEOPLE:,} people (SQLite), served by uvicorn; {results['tool']}, "
        f"{args.connections} connections, best of {args.rounds} rounds of {args.seconds:g} s."
    )
    table = markdown(
        ["case", "req/s", "p50 ms", "p99 ms", "of ceiling", "median req/s"],
        [
            [
                name,
                f"{best[name]['rps']:.0f}",
                f"{best[name]['p50_ms']:.2f}",
                f"{best[name]['p99_ms']:.2f}",
                f"{ratios[name]:.0%}" if name in ratios else "100%",
                f"{median[name]:.0f}",
            ]
            for name in ("ceiling", "feed", "304")
        ],
    )
    notes = f"Cold build of the feed (not cached): {cold_build * 1000:.0f} ms. Access log: {redacted:,} personal-feed lines, all redacted."
    return report(checked, title="Calendar feeds", summary=SUMMARY, details=f"{setup}\n\n{table}\n\n{notes}")


if __name__ == "__main__":
    main()
