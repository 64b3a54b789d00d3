"""Benchmark: 10,000 reminders through the real worker into a real SMTP server, and what
the worker's sending does to page times.

    .venv/bin/python bench/bench_notifications.py                 # table + bench/results/notifications.json
    .venv/bin/python bench/bench_notifications.py --runs 1 --requests 100

Builds a SQLite file database (migrated) with 10,000 confirmed duties — 500 events, each
with a team of 20 (a lead and 19 ambassadors), starting 47 hours from now — so every
duty's 48-hour reminder is due now. The data is written with notifications off
(``session.info[triggers.QUIET]``): only the reminders are sent.

Sending: an aiosmtpd server in this process with a handler that only counts, and
``muster worker`` as a subprocess (the real thing: it runs the periodic reminder job, which
adds the 10,000 reminders, then composes and sends them, 50 at a time). Each run starts
from a fresh copy of the database; the time is from starting the worker to the last
reminder accepted by the server. ``--runs`` runs (3 by default); min, median and worst are
reported. Target: every run under 60 s (the script exits non-zero if the worst misses it).

Pages while sending: ``uvicorn app.main:app`` on a free loopback port against another
fresh copy; a client in a process of its own (so it never competes with the SMTP server
for this process's interpreter) GETs a coordinator's API page
(``/api/v1/events?limit=50``, bearer token) and the planner's dashboard (``/plan``,
signed in through the login form), one request at a time, first with the worker idle and
then while it sends the 10,000 reminders, then idle again once it has finished
(``--requests`` of the API page while sending and as many idle, half before and half
after; half as many of the slower dashboard). Median and p95 of each, and the ratio.

Figures go to bench/results/notifications.json and the committed bench/results/NOTIFICATIONS.md.
"""

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bulk import assignment, campaign, drop_in, insert, job_centre, officer
from serve import bench_env, free_port, in_scratch_folder, serving, sign_in, stop, use_database
from targets import RESULTS_DIR, Target, markdown, report

ROOT = Path(__file__).resolve().parent.parent
RESULTS = RESULTS_DIR / "notifications.json"
SUMMARY = RESULTS_DIR / "NOTIFICATIONS.md"
MUSTER = Path(sys.executable).with_name("muster")
PASSWORD = "bench-password-0123"
COORDINATOR = "coordinator@bench.example"

EVENTS = 500
TEAM = 20
REMINDERS = EVENTS * TEAM
VENUES = 50
TARGET_SECONDS = 60.0
RUN_TIMEOUT = 300.0
API_PAGE = "/api/v1/events?limit=50"
PLAN_PAGE = "/plan"


# --- data ----------------------------------------------------------------------------


def build_database(database_url: str) -> str:
    """Migrate and fill the database; give the coordinator's API token."""
    import sqlalchemy as sa
    from sqlmodel import Session

    import app.models as models
    from app import migrate
    from app.accounts import service as accounts
    from app.audit.service import SYSTEM
    from app.db import make_engine
    from app.enums import AssignmentRole, AssignmentStatus, Role
    from app.notifications import triggers

    migrate.upgrade(database_url)
    triggers.install()
    engine = make_engine(database_url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # Confirmed days ago, so the 48-hour reminder's time (an hour ago) came after it.
    confirmed_at = now - timedelta(days=3)
    with Session(engine, expire_on_commit=False) as session:
        session.info[triggers.QUIET] = True
        coordinator = accounts.create_user(
            session=session,
            actor=SYSTEM,
            email=COORDINATOR,
            password=PASSWORD,
            role=Role.coordinator,
            full_name="Sgt Bench Coordinator",
        )
        token = accounts.create_api_token(session=session, actor=SYSTEM, email=COORDINATOR, name="bench")
        insert(session, models.Venue, [job_centre(i) for i in range(1, VENUES + 1)], at=confirmed_at)
        spring = campaign(
            "Police constables: spring intake",
            (now - timedelta(days=60)).date(),
            (now + timedelta(days=120)).date(),
            coordinator_user_id=coordinator.id,
        )
        insert(session, models.Campaign, [spring], at=confirmed_at)
        people = [officer(i, f"PC Person {i:05d}") for i in range(1, REMINDERS + 1)]
        insert(session, models.Person, people, at=confirmed_at)
        # 47 hours ahead, spread over 40 minutes: every 48-hour reminder is due now
        # (and stays due for the runs that follow).
        events = [
            drop_in(
                i,
                now + timedelta(hours=47, minutes=i % 40),
                campaign_id=1,
                venue_id=1 + i % VENUES,
                ambassadors_needed=TEAM - 1,
                recruiters_needed=0,
            )
            for i in range(1, EVENTS + 1)
        ]
        insert(session, models.Event, events, at=confirmed_at)
        duties = [
            assignment(
                event_id,
                (event_id - 1) * TEAM + k + 1,
                (AssignmentRole.lead if k == 0 else AssignmentRole.ambassador).value,
                AssignmentStatus.confirmed.value,
            )
            for event_id in range(1, EVENTS + 1)
            for k in range(TEAM)
        ]
        insert(session, models.Assignment, duties, at=confirmed_at)
        session.commit()
        outbox = models.OutboxMessage.__table__  # type: ignore[attr-defined]
        reminders = sa.select(sa.func.count()).where(outbox.c.kind == "reminder")
        assert session.execute(reminders).scalar() == 0
    engine.dispose()
    return token


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def fresh_copy(template: Path, target: Path) -> str:
    """A consistent copy of the built database (SQLite's backup API), as a URL."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source, dest = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()
    return f"sqlite:///{target}"


# --- the mail server -----------------------------------------------------------------


class CountingSink:
    """Accepts everything; counts the reminders (by Message-ID) and notes when the last came."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.accepted = 0
        self.other = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.ids, self.accepted, self.other, self.first_at, self.last_at = set(), 0, 0, None, None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        start = content.find(b"\nMessage-ID: ")
        end = content.find(b"\r\n", start + 1)
        mid = content[start + 13 : end].decode(errors="replace") if start >= 0 else ""
        now = time.perf_counter()
        with self._lock:
            self.accepted += 1
            if mid.startswith("<reminder."):
                self.ids.add(mid)
                self.first_at = self.first_at or now
                self.last_at = now
            else:
                self.other += 1
        return "250 OK"

    def reminders(self) -> int:
        with self._lock:
            return len(self.ids)


def start_sink() -> tuple[Any, CountingSink, str]:
    from aiosmtpd.controller import Controller

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    return controller, sink, f"smtp://127.0.0.1:{port}"


# --- one run: 10,000 reminders through the worker ------------------------------------


def start_worker(database_url: str, smtp_url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(MUSTER), "worker"],
            cwd=ROOT,
            env=bench_env(database_url, MUSTER_SMTP_URL=smtp_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def outbox_summary(database_url: str) -> dict[str, Any]:
    connection = sqlite3.connect(_sqlite_path(database_url))
    try:
        statuses = dict(
            connection.execute(
                "SELECT status, count(*) FROM outbox_message WHERE kind = 'reminder' GROUP BY status"
            ).fetchall()
        )
        job = connection.execute(
            "SELECT started_at, finished_at, result FROM job WHERE kind = 'notifications.reminders' "
            "AND status = 'done' ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    schedule_s = None
    if job and job[0] and job[1]:
        schedule_s = (datetime.fromisoformat(job[1]) - datetime.fromisoformat(job[0])).total_seconds()
    return {
        "statuses": statuses,
        "schedule_seconds": schedule_s,
        "schedule_result": json.loads(job[2]) if job else None,
    }


def run_once(database_url: str, sink: CountingSink, smtp_url: str, log: Path) -> dict[str, Any]:
    sink.reset()
    started = time.perf_counter()
    worker = start_worker(database_url, smtp_url, log)
    try:
        deadline = started + RUN_TIMEOUT
        while sink.reminders() < REMINDERS:
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log.read_text()[-4000:]}")
            if time.perf_counter() > deadline:
                raise RuntimeError(
                    f"only {sink.reminders():,} of {REMINDERS:,} reminders in {RUN_TIMEOUT:.0f} s:\n"
                    f"{log.read_text()[-4000:]}"
                )
            time.sleep(0.02)
    finally:
        stop(worker)
    assert sink.last_at is not None and sink.first_at is not None
    seconds = sink.last_at - started
    summary = outbox_summary(database_url)
    sent = summary["statuses"].get("sent", 0)
    if sent != REMINDERS or sink.reminders() != REMINDERS:
        raise RuntimeError(f"{sink.reminders():,} reminders arrived, {sent:,} recorded sent: {summary}")
    return {
        "seconds": round(seconds, 3),
        "messages_per_second": round(REMINDERS / seconds, 1),
        "first_reminder_after_s": round(sink.first_at - started, 3),
        "schedule_job_s": summary["schedule_seconds"],
        "reminders_arrived": sink.reminders(),
        "other_messages": sink.other,
        "duplicates": sink.accepted - sink.other - sink.reminders(),
    }


# --- pages while the worker sends ----------------------------------------------------


def measure_pages(base: str, token: str, requests: int) -> dict[str, list[float]]:
    """GET the API page ``requests`` times and the dashboard half as often, one request at a
    time, interleaved (in the client process)."""

    import httpx

    timings: dict[str, list[float]] = {API_PAGE: [], PLAN_PAGE: []}
    with (
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as api,
        httpx.Client(base_url=base, timeout=60) as browser,
    ):
        sign_in(browser, COORDINATOR, PASSWORD)
        for _ in range(5):  # warm up: connections, templates, the database's page cache
            for client, path in ((api, API_PAGE), (browser, PLAN_PAGE)):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])
        for n in range(requests):
            for client, path in ((api, API_PAGE), (browser, PLAN_PAGE)):
                if path == PLAN_PAGE and n % 2:
                    continue  # half as many of the slower page: the run stays a few minutes
                started = time.perf_counter()
                response = client.get(path)
                timings[path].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
    return timings


def _client_process(base: str, token: str, requests: int) -> dict[str, list[float]]:
    output = subprocess.run(
        [sys.executable, __file__, "--client", base, "--token", token, "--requests", str(requests)],
        cwd=ROOT,
        env=bench_env(""),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if output.returncode != 0:
        raise RuntimeError(f"the page client failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "requests": len(ordered),
    }


def pages_while_sending(
    database_url: str, token: str, sink: CountingSink, smtp_url: str, workdir: Path, requests: int
) -> dict[str, Any]:
    worker: subprocess.Popen[bytes] | None = None
    with serving(["app.main:app"], bench_env(database_url), workdir / "uvicorn.log") as base:
        try:
            # Idle before and after the sending (half each), so a disturbance from outside
            # (the machine is shared) is less likely to fall on one side only.
            before = _client_process(base, token, requests // 2)

            sink.reset()
            worker = start_worker(database_url, smtp_url, workdir / "worker-pages.log")
            waiting_until = time.monotonic() + 60
            while sink.reminders() == 0:
                if worker.poll() is not None or time.monotonic() > waiting_until:
                    raise RuntimeError(
                        f"the worker did not start sending:\n{(workdir / 'worker-pages.log').read_text()}"
                    )
                time.sleep(0.01)
            sending_from = sink.reminders()
            busy = _client_process(base, token, requests)
            sending_to = sink.reminders()
            while sink.reminders() < REMINDERS:
                if worker.poll() is not None or time.monotonic() > waiting_until + RUN_TIMEOUT:
                    raise RuntimeError(
                        f"the worker did not finish:\n{(workdir / 'worker-pages.log').read_text()}"
                    )
                time.sleep(0.05)
            stop(worker)
            after = _client_process(base, token, requests - requests // 2)
        finally:
            if worker is not None:
                stop(worker)
    result: dict[str, Any] = {"requests": {API_PAGE: requests, PLAN_PAGE: (requests + 1) // 2}, "pages": {}}
    for path in (API_PAGE, PLAN_PAGE):
        quiet, loaded = _stats(before[path] + after[path]), _stats(busy[path])
        result["pages"][path] = {
            "idle": quiet,
            "idle_before": _stats(before[path]),
            "idle_after": _stats(after[path]),
            "while_sending": loaded,
            "median_ratio": round(loaded["median_ms"] / quiet["median_ms"], 2),
            "p95_ratio": round(loaded["p95_ms"] / quiet["p95_ms"], 2),
        }
    result["reminders_sent_during_measurement"] = sending_to - sending_from
    result["sending_throughout"] = sending_to < REMINDERS
    return result


# --- report --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of 10,000 reminders")
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="GETs of the API page (half as many of /plan), idle and busy",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(measure_pages(args.client, args.token, args.requests)))
        return
    in_scratch_folder("muster-bench-notifications-", lambda workdir: _run(workdir, args))


def _run(workdir: Path, args: argparse.Namespace) -> int:
    """Build, send, measure the pages; the exit status (non-zero when the target is missed)."""
    template_url = f"sqlite:///{workdir / 'template.db'}"
    use_database(template_url)
    started = time.perf_counter()
    print(
        f"building {EVENTS} events x {TEAM} confirmed duties = {REMINDERS:,} reminders due, in {workdir} …",
        flush=True,
    )
    token = build_database(template_url)
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)

    controller, sink, smtp_url = start_sink()
    try:
        runs = []
        for number in range(1, args.runs + 1):
            database_url = fresh_copy(workdir / "template.db", workdir / "run.db")
            result = run_once(database_url, sink, smtp_url, workdir / f"worker-{number}.log")
            runs.append(result)
            print(
                f"  run {number}: {result['seconds']:.1f} s, {result['messages_per_second']:.0f} messages/s "
                f"(first reminder after {result['first_reminder_after_s']:.1f} s)",
                flush=True,
            )
        print("pages: idle, then while the worker sends, then idle again …", flush=True)
        pages = pages_while_sending(
            fresh_copy(workdir / "template.db", workdir / "pages.db"),
            token,
            sink,
            smtp_url,
            workdir,
            args.requests,
        )
    finally:
        controller.stop()
    return _report(runs, pages, args)


def _report(runs: list[dict[str, Any]], pages: dict[str, Any], args: argparse.Namespace) -> int:
    times = [r["seconds"] for r in runs]
    summary = {
        "min_s": min(times),
        "median_s": statistics.median(times),
        "worst_s": max(times),
    }
    rate = {k.replace("_s", "_messages_per_second"): round(REMINDERS / v, 1) for k, v in summary.items()}
    meets = summary["worst_s"] < TARGET_SECONDS
    print()
    print(
        f"{REMINDERS:,} reminders due, SQLite, one `muster worker` (batch 50) into a local SMTP server; "
        f"{len(runs)} run(s), each from a fresh copy"
    )
    print(f"{'':<8}{'seconds':>10}{'messages/s':>13}{'target':>12}")
    for name, key in (("min", "min_s"), ("median", "median_s"), ("worst", "worst_s")):
        seconds = summary[key]
        print(f"{name:<8}{seconds:>10.1f}{REMINDERS / seconds:>13.0f}{'< 60 s':>12}")
    print(f"target met (worst run under {TARGET_SECONDS:.0f} s): {'yes' if meets else 'NO'}")
    print()
    print(
        f"page times, {pages['requests'][API_PAGE]} GETs of the API page and {pages['requests'][PLAN_PAGE]} of /plan, "
        "each idle (half before, half after) and while sending, one at a time; "
        f"{pages['reminders_sent_during_measurement']:,} reminders went out during the loaded measurement"
        + ("" if pages["sending_throughout"] else " (the worker finished before the client did)")
    )
    print(
        f"{'page':<26}{'idle p50':>10}{'idle p95':>10}{'busy p50':>10}{'busy p95':>10}{'p50 x':>8}{'p95 x':>8}"
    )
    for path, row in pages["pages"].items():
        print(
            f"{path:<26}{row['idle']['median_ms']:>10.1f}{row['idle']['p95_ms']:>10.1f}"
            f"{row['while_sending']['median_ms']:>10.1f}{row['while_sending']['p95_ms']:>10.1f}"
            f"{row['median_ratio']:>8.2f}{row['p95_ratio']:>8.2f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {"engine": "sqlite", "events": EVENTS, "team": TEAM, "reminders": REMINDERS},
                "settings": {"runs": args.runs, "requests": args.requests, "worker_batch": 50},
                "machine": {"cpus": os.cpu_count()},
                "runs": runs,
                "summary": {**summary, **rate},
                "target_seconds": TARGET_SECONDS,
                "meets_target": meets,
                "pages_while_sending": pages,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    setup = (
        f"{REMINDERS:,} reminders due ({EVENTS} events, teams of {TEAM}), SQLite, one `muster worker` "
        f"(batch 50) into a local SMTP server; {len(runs)} run(s), each from a fresh copy."
    )
    sending = markdown(
        ["run", "seconds", "messages/s"],
        [
            [name, f"{summary[key]:.1f}", f"{REMINDERS / summary[key]:.0f}"]
            for name, key in (("min", "min_s"), ("median", "median_s"), ("worst", "worst_s"))
        ],
    )
    page_times = markdown(
        ["page", "idle p50 ms", "idle p95 ms", "busy p50 ms", "busy p95 ms", "p50 ×", "p95 ×"],
        [
            [
                f"`{path}`",
                f"{row['idle']['median_ms']:.1f}",
                f"{row['idle']['p95_ms']:.1f}",
                f"{row['while_sending']['median_ms']:.1f}",
                f"{row['while_sending']['p95_ms']:.1f}",
                f"{row['median_ratio']:.2f}",
                f"{row['p95_ratio']:.2f}",
            ]
            for path, row in pages["pages"].items()
        ],
    )
    details = (
        f"{setup}\n\n{sending}\n\nPage times, one request at a time, idle (half before, half after) "
        f"and while the worker sends (not a target; how much the sending slows the site):\n\n{page_times}"
    )
    target = Target(
        f"worst run: {REMINDERS:,} reminders sent", round(summary["worst_s"], 1), TARGET_SECONDS, "s"
    )
    return report([target], title="Reminders through the worker", summary=SUMMARY, details=details)


if __name__ == "__main__":
    main()
