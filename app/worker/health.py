"""Is the background worker alive and keeping up? For administrators and ``/health``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.notifications.models import OutboxMessage
from app.notifications.outbox import FAILED, PENDING, SENDING
from app.worker.jobs import QUEUED
from app.worker.models import Job, WorkerHeartbeat

# A worker beats every few seconds; one not heard from in this long is taken as stopped.
ALIVE_WITHIN = timedelta(minutes=2)
# A message due this long ago and still unsent means the worker is not keeping up.
LATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class WorkerHealth:
    ok: bool
    last_beat_at: datetime | None
    workers_alive: int
    queue_length: int
    oldest_due_at: datetime | None
    failed_messages: int
    jobs_waiting: int
    last_job_finished_at: datetime | None
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "ok": self.ok,
            "last_beat_at": iso(self.last_beat_at),
            "workers_alive": self.workers_alive,
            "queue_length": self.queue_length,
            "oldest_due_at": iso(self.oldest_due_at),
            "failed_messages": self.failed_messages,
            "jobs_waiting": self.jobs_waiting,
            "last_job_finished_at": iso(self.last_job_finished_at),
            "problems": list(self.problems),
        }


def worker_health(session: Session) -> WorkerHealth:
    now = utcnow()
    last_beat = session.exec(select(func.max(WorkerHeartbeat.beat_at))).one()
    alive = session.exec(
        select(func.count()).select_from(WorkerHeartbeat).where(WorkerHeartbeat.beat_at >= now - ALIVE_WITHIN)
    ).one()
    due = sa.or_(
        sa.and_(col(OutboxMessage.status) == PENDING, col(OutboxMessage.due_at) <= now),
        col(OutboxMessage.status) == SENDING,
    )
    queue, oldest = session.exec(select(func.count(), func.min(OutboxMessage.due_at)).where(due)).one()
    failed = session.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == FAILED)
    ).one()
    waiting = session.exec(
        select(func.count()).select_from(Job).where(Job.status == QUEUED, col(Job.run_at) <= now)
    ).one()
    last_job = session.exec(select(func.max(Job.finished_at))).one()
    if isinstance(oldest, datetime) and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    problems = []
    if not alive:
        problems.append("no worker has been heard from in the last 2 minutes: start `muster worker`")
    if oldest is not None and oldest < now - LATE_AFTER:
        problems.append(f"a message has waited since {oldest:%H:%M} UTC: the worker is not keeping up")
    if failed:
        problems.append(f"{failed} message(s) could not be delivered")
    return WorkerHealth(
        ok=not problems,
        last_beat_at=last_beat,
        workers_alive=int(alive),
        queue_length=int(queue),
        oldest_due_at=oldest,
        failed_messages=int(failed),
        jobs_waiting=int(waiting),
        last_job_finished_at=last_job,
        problems=tuple(problems),
    )
