"""A long job (a quarter's staffing plan) must not hold up e-mails and short jobs."""

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.worker import jobs, runner
from app.worker.jobs import JobContext
from app.worker.models import Job
from app.worker.registry import HANDLERS


def test_worker_runs_short_jobs_while_a_long_one_runs(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow(session: Session, payload: dict[str, Any], context: JobContext) -> dict[str, Any]:
        started.set()
        assert release.wait(30), "the test never released the long job"
        return {"slow": True}

    def quick(session: Session, payload: dict[str, Any], context: JobContext) -> dict[str, Any]:
        return {"quick": True}

    monkeypatch.setitem(HANDLERS, "test.slow", slow)
    monkeypatch.setitem(HANDLERS, "test.quick", quick)
    monkeypatch.setattr(runner, "LONG_KINDS", frozenset({"test.slow"}))
    jobs.enqueue_job(db, kind="test.slow")
    db.commit()

    stop = threading.Event()
    worker = runner.Worker()
    loop = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    loop.start()
    try:
        assert started.wait(20), "the long job never started"
        jobs.enqueue_job(db, kind="test.quick")
        db.commit()
        deadline = time.monotonic() + 20
        statuses: dict[str, str] = {}
        while time.monotonic() < deadline:
            db.expire_all()
            statuses = _statuses(db)
            if statuses.get("test.quick") == jobs.DONE:
                break
            time.sleep(0.05)
        assert statuses == {"test.slow": jobs.RUNNING, "test.quick": jobs.DONE}
    finally:
        release.set()
        stop.set()
        loop.join(10)
    for _ in range(200):
        if _statuses(db)["test.slow"] == jobs.DONE:
            break
        time.sleep(0.05)
    assert _statuses(db) == {"test.slow": jobs.DONE, "test.quick": jobs.DONE}


def _statuses(db: Session) -> dict[str, str]:
    """The test's own jobs by kind (the periodic tasks run beside them)."""
    db.expire_all()
    rows = db.execute(sa.select(Job.kind, Job.status).where(Job.kind.startswith("test."))).all()  # type: ignore[attr-defined]
    return {kind: status for kind, status in rows}
