"""Booking is safe under concurrency: simultaneous requests to a real server never double-book.

A real uvicorn with two worker processes serves the app on a file SQLite database, and on a
scratch PostgreSQL database when ``MUSTER_TEST_DATABASE_URL`` (or ``MUSTER_TEST_POSTGRES_URL``)
is set. Threads released
together by a barrier post the bookings; exactly one is accepted, the rest are refused with
409 naming the clash, and the database holds exactly one active assignment.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, func, select

from app import migrate
from app.assignments.models import Assignment
from app.db import make_engine
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, Role
from tests.factories import Factory, future
from tests.test_migrations import postgres_base_url, scratch_postgres_database

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
N = 12  # simultaneous requests per scenario
BASE_ENV = {
    "MUSTER_SECRET_KEY": "concurrency-test-secret-key-0123456789abcdef",
    "MUSTER_BASE_URL": "https://muster.test",
}


@dataclass
class Server:
    base_url: str
    database_url: str
    headers: dict[str, str]
    built: int = 0  # records built so far: names and staff numbers stay unique across tests

    @contextmanager
    def data(self) -> Iterator[Factory]:
        """Builders writing straight into the server's database."""
        engine = make_engine(self.database_url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                make = Factory(session)
                make._n = self.built + 1000
                yield make
                self.built = make._n
        finally:
            engine.dispose()

    def active_assignments(self, *, person_id: int | None = None, event_id: int | None = None) -> int:
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session:
                query = select(func.count()).select_from(Assignment)
                query = query.where(col(Assignment.status).in_(list(ACTIVE_ASSIGNMENT_STATUSES)))
                if person_id is not None:
                    query = query.where(Assignment.person_id == person_id)
                if event_id is not None:
                    query = query.where(Assignment.event_id == event_id)
                return int(session.exec(query).one())
        finally:
            engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_ready(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    """Every worker has started the app, and the server answers."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"uvicorn exited with {proc.returncode}:\n{log.read_text()}")
        if log.read_text().count("Application startup complete") >= WORKERS:
            try:
                if httpx.get(f"{base_url}/api/v1/me", timeout=5).status_code == 401:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    pytest.fail(f"uvicorn did not become ready in 120 s:\n{log.read_text()}")


@contextmanager
def running_server(database_url: str, log: Path) -> Iterator[Server]:
    """Migrate, make a coordinator's token, then serve with several workers until done."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        headers = Factory(session).headers(Role.coordinator)
    engine.dispose()

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **BASE_ENV, "MUSTER_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(WORKERS), "--log-level", "info"]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(proc, base_url, log)
        yield Server(base_url=base_url, database_url=database_url, headers=headers)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"concurrency-{request.param}")
    if request.param == "sqlite":
        with running_server(f"sqlite:///{folder / 'muster.db'}", folder / "uvicorn.log") as server:
            yield server
        return
    with (
        scratch_postgres_database(postgres_base_url(), "conc") as url,
        running_server(url, folder / "uvicorn.log") as server,
    ):
        yield server


def _post_together(server: Server, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body to /api/v1/assignments at the same moment, one connection each."""
    barrier = threading.Barrier(len(bodies))
    results: list[httpx.Response | BaseException | None] = [None] * len(bodies)

    def book(i: int) -> None:
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
            client.get("/api/v1/me")  # connect and authenticate before the race starts
            barrier.wait(timeout=60)
            try:
                results[i] = client.post("/api/v1/assignments", json=bodies[i])
            except BaseException as exc:
                results[i] = exc

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    responses = []
    for result in results:
        assert isinstance(result, httpx.Response), f"a booking request failed: {result!r}"
        responses.append(result)
    return responses


def _statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_concurrent_bookings_of_one_person_on_overlapping_events_accept_exactly_one(
    server: Server,
) -> None:
    with server.data() as make:
        person = make.person()
        campaign = make.campaign()
        starts_at = future(days=20)
        events = [make.event(campaign=campaign, starts_at=starts_at, hours=3) for _ in range(N)]
    bodies = [{"event_id": e.id, "person_id": person.id, "role": "ambassador"} for e in events]

    responses = _post_together(server, bodies)

    assert _statuses(responses) == [201] + [409] * (N - 1), [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 201)
    winning_title = next(e.title for e in events if e.id == winner["event_id"])
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert winning_title in refused.json()["detail"]
    assert server.active_assignments(person_id=person.id) == 1


def test_concurrent_bookings_of_one_person_on_the_same_event_accept_exactly_one(server: Server) -> None:
    with server.data() as make:
        person = make.person()
        event = make.event(starts_at=future(days=30))
    bodies = [{"event_id": event.id, "person_id": person.id, "role": "ambassador"}] * N

    responses = _post_together(server, bodies)

    assert _statuses(responses) == [201] + [409] * (N - 1), [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert "is already on" in refused.json()["detail"]
    assert server.active_assignments(person_id=person.id) == 1
    assert server.active_assignments(event_id=event.id) == 1


def test_concurrent_bookings_of_different_people_on_one_event_all_succeed(server: Server) -> None:
    with server.data() as make:
        people = [make.person() for _ in range(N)]
        event = make.event(starts_at=future(days=40), ambassadors_needed=N)
    bodies = [{"event_id": event.id, "person_id": p.id, "role": "ambassador"} for p in people]

    responses = _post_together(server, bodies)

    assert _statuses(responses) == [201] * N, [r.text for r in responses]
    assert server.active_assignments(event_id=event.id) == N
