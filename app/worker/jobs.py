"""Queued jobs: long or periodic work that any worker may run, and only one does.

A job row is claimed like an outbox message (row lock or database write lock), runs under
a lease its handler renews while it works, and ends done or failed with the reason. A job
whose worker died (its lease ran out) is marked failed, never left "running".
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.clock import utcnow
from app.db import begin_write
from app.worker.models import Job

log = logging.getLogger("muster.worker")

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
LEASE = timedelta(minutes=2)

JOBS: sa.Table = Job.__table__  # type: ignore[attr-defined]


class JobContext:
    """What a running handler may do besides its work: say it is still alive."""

    def __init__(self, session_factory: Callable[[], Session], job_id: int, worker_id: str) -> None:
        self._session_factory = session_factory
        self.job_id = job_id
        self.worker_id = worker_id

    def beat(self, progress: dict[str, Any] | None = None) -> None:
        """Renew the lease (and record progress), in a transaction of its own."""
        values: dict[str, Any] = {"claimed_until": utcnow() + LEASE}
        if progress is not None:
            values["result"] = progress
        with self._session_factory() as session:
            session.execute(
                sa.update(JOBS)
                .where(JOBS.c.id == self.job_id, JOBS.c.claimed_by == self.worker_id)
                .values(**values)
            )
            session.commit()


Handler = Callable[[Session, dict[str, Any], JobContext], dict[str, Any]]


def enqueue_job(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    run_at: datetime | None = None,
) -> None:
    """Queue a job in the caller's transaction; a ``dedupe_key`` already used adds nothing."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    session.execute(
        insert(JOBS)
        .values(
            kind=kind,
            dedupe_key=dedupe_key,
            payload=payload or {},
            status=QUEUED,
            run_at=run_at or now,
            attempts=0,
            claimed_by="",
            result={},
            error="",
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


def fail_abandoned(session: Session) -> int:
    """Jobs whose worker stopped showing signs of life: failed, with the reason."""
    result: Any = session.execute(
        sa.update(JOBS)
        .where(JOBS.c.status == RUNNING, JOBS.c.claimed_until < utcnow())
        .values(
            status=FAILED,
            finished_at=utcnow(),
            error="the worker running this job stopped before it finished (no sign of life within its lease)",
        )
    )
    session.commit()
    return int(result.rowcount or 0)


def claim_job(session: Session, *, worker_id: str, kinds: set[str]) -> Job | None:
    now = utcnow()
    query = (
        sa.select(JOBS.c.id)
        .where(JOBS.c.status == QUEUED, JOBS.c.run_at <= now, JOBS.c.kind.in_(sorted(kinds)))
        .order_by(JOBS.c.run_at, JOBS.c.id)
        .limit(1)
    )
    # A plain read first: an idle worker polls often and should not take the write lock.
    if session.execute(query).first() is None:
        session.rollback()
        return None
    begin_write(session)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = session.execute(query).first()
    if found is None:
        session.commit()
        return None
    session.execute(
        sa.update(JOBS)
        .where(JOBS.c.id == found[0])
        .values(
            status=RUNNING,
            claimed_by=worker_id,
            claimed_until=now + LEASE,
            started_at=now,
            attempts=JOBS.c.attempts + 1,
        )
    )
    session.commit()
    return session.get(Job, found[0])


def run_job(session_factory: Callable[[], Session], job: Job, handler: Handler, *, worker_id: str) -> bool:
    """Run one claimed job in a session of its own; True if it succeeded."""
    assert job.id is not None
    context = JobContext(session_factory, job.id, worker_id)
    try:
        with session_factory() as work:
            result = handler(work, dict(job.payload or {}), context)
            work.commit()
        values: dict[str, Any] = {"status": DONE, "result": result}
        ok = True
    except Exception as exc:
        log.exception("job %s (%s) failed", job.id, job.kind)
        values = {"status": FAILED, "error": f"{type(exc).__name__}: {exc}"[:2000]}
        ok = False
    with session_factory() as session:
        session.execute(
            sa.update(JOBS)
            .where(JOBS.c.id == job.id, JOBS.c.claimed_by == worker_id)
            .values(finished_at=utcnow(), claimed_until=None, **values)
        )
        session.commit()
    return ok


@dataclass(frozen=True)
class Periodic:
    """A task every worker offers to run each ``every``; one row per period, so once."""

    kind: str
    every: timedelta
    handler: Handler

    def period_key(self, now: datetime) -> str:
        step = int(self.every.total_seconds())
        start = int(now.timestamp()) // step * step
        return f"{self.kind}@{start}"
