"""Processes the tests start beside themselves: a free loopback port, waiting for one to be
ready, stopping it politely, and the app under a real uvicorn with several workers (for the
tests of simultaneous requests: booking races, concurrent edits).
"""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
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
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
LIVE_ENV = {
    "MUSTER_SECRET_KEY": "concurrency-test-secret-key-0123456789abcdef",
    "MUSTER_BASE_URL": "https://muster.test",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str, status: int = 200) -> bool:
    """Whether ``url`` answers with ``status`` now (not yet listening counts as no)."""
    try:
        return httpx.get(url, timeout=5).status_code == status
    except httpx.HTTPError:
        return False


def wait_until_ready(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path, *, seconds: float = 60
) -> None:
    """Wait for ``ready()``; fail with the process's log if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{process.args!r} was not ready in {seconds:.0f} s:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[Any], *, grace: float = 10) -> None:
    """Ask the process to end (SIGTERM); kill it if it has not within ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class LiveServer:
    """The app served by uvicorn with several worker processes, and a coordinator's token."""

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

    def together(
        self, method: str, path: str, bodies: list[dict[str, Any]], headers: dict[str, str] | None = None
    ) -> list[httpx.Response]:
        """Send every body at the same moment, one connection (and server session) each."""
        barrier = threading.Barrier(len(bodies))
        results: list[httpx.Response | BaseException | None] = [None] * len(bodies)

        def send(i: int) -> None:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=120) as client:
                client.get("/api/v1/me")  # connect and authenticate before the race starts
                barrier.wait(timeout=120)
                try:
                    results[i] = client.request(method, path, json=bodies[i], headers=headers)
                except BaseException as exc:
                    results[i] = exc

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        failed = [result for result in results if not isinstance(result, httpx.Response)]
        assert not failed, f"{len(failed)} of the {method} requests failed: {failed[0]!r}"
        return [result for result in results if isinstance(result, httpx.Response)]


@contextmanager
def start_live_server(database_url: str, log: Path) -> Iterator[LiveServer]:
    """Migrate, make a coordinator's token, then serve with several workers until done."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        headers = Factory(session).headers(Role.coordinator)
    engine.dispose()

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **LIVE_ENV, "MUSTER_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(WORKERS), "--log-level", "info"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def every_worker_serves() -> bool:
        started = log.read_text().count("Application startup complete") >= WORKERS
        return started and answers(f"{base_url}/api/v1/me", 401)

    try:
        wait_until_ready(process, every_worker_serves, log, seconds=120)
        yield LiveServer(base_url=base_url, database_url=database_url, headers=headers)
    finally:
        stop(process, grace=30)
