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
from app.worker.models import Job, WorkerHeartbeat

log = logging.getLogger("muster.worker")

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
STOPPED = "stopped"  # asked to stop before any worker took it: it never ran
LEASE = timedelta(minutes=2)
ABANDONED = "the worker running this job stopped before it finished (no sign of life within its lease)"

JOBS: sa.Table = Job.__table__  # type: ignore[attr-defined]
HEARTBEATS: sa.Table = WorkerHeartbeat.__table__  # type: ignore[attr-defined]


class JobContext:
    """What a running handler may do besides its work: say it is still alive, and hear
    whether someone asked it to stop."""

    def __init__(self, session_factory: Callable[[], Session], job_id: int, worker_id: str) -> None:
        self._session_factory = session_factory
        self.job_id = job_id
        self.worker_id = worker_id

    def beat(self, progress: dict[str, Any] | None = None) -> bool:
        """Renew the lease (and record progress) and the worker's heartbeat, in a transaction
        of its own; True if someone has asked the job to stop."""
        now = utcnow()
        values: dict[str, Any] = {"claimed_until": now + LEASE}
        if progress is not None:
            values["result"] = progress
        with self._session_factory() as session:
            session.execute(
                sa.update(JOBS)
                .where(JOBS.c.id == self.job_id, JOBS.c.claimed_by == self.worker_id)
                .values(**values)
            )
            # A long job keeps its worker counted as alive on the health page.
            session.execute(
                sa.update(HEARTBEATS).where(HEARTBEATS.c.worker_id == self.worker_id).values(beat_at=now)
            )
            asked = session.execute(
                sa.select(JOBS.c.stop_requested_at).where(JOBS.c.id == self.job_id)
            ).scalar()
            session.commit()
        return asked is not None

    def stop_requested(self) -> bool:
        """Whether someone has asked the job to stop: one small read, cheap enough each second."""
        with self._session_factory() as session:
            asked = session.execute(
                sa.select(JOBS.c.stop_requested_at).where(JOBS.c.id == self.job_id)
            ).scalar()
            session.rollback()
        return asked is not None


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
            error=ABANDONED,
        )
    )
    session.commit()
    return int(result.rowcount or 0)


def add_job(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    status: str = QUEUED,
    result: dict[str, Any] | None = None,
) -> int:
    """Add a job in the caller's transaction and return its id; a finished one (``status``
    done, with its ``result``) records work already done at once, as a queued one would."""
    now = utcnow()
    finished = status in (DONE, FAILED, STOPPED)
    job = Job(
        kind=kind,
        payload=payload,
        status=status,
        run_at=now,
        result=result or {},
        created_at=now,
        started_at=now if finished else None,
        finished_at=now if finished else None,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    return job.id


def request_stop(session: Session, *, job_id: int) -> None:
    """Ask a job to stop, and commit: a queued one never starts (``stopped``); a running one's
    handler hears it at its next beat and ends with what it has. Finished jobs are left as
    they are."""
    now = utcnow()
    session.execute(
        sa.update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.status.in_((QUEUED, RUNNING)), JOBS.c.stop_requested_at.is_(None))
        .values(stop_requested_at=now)
    )
    # A worker may claim it between these two statements: its handler then sees the request.
    session.execute(
        sa.update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.status == QUEUED)
        .values(status=STOPPED, finished_at=now)
    )
    session.commit()


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
