"""Housekeeping: the worker's own records do not grow for ever."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.accounts.models import UserSession
from app.clock import utcnow
from app.notifications.models import ActionLink, OutboxMessage
from app.notifications.outbox import HELD, SENT, SKIPPED
from app.ratelimit import service as ratelimit
from app.worker.jobs import DONE, FAILED, JobContext
from app.worker.models import Job, WorkerHeartbeat

# Kept for the outbox page, and as the baseline the next message about a topic needs:
# the newest told message of each topic is never pruned.
KEEP_MESSAGES = timedelta(days=90)
KEEP_JOBS = timedelta(days=7)
KEEP_LINKS = timedelta(days=30)
KEEP_HEARTBEATS = timedelta(days=1)
# Ended sessions stay a while so "where you were signed in" can show them.
KEEP_SESSIONS = timedelta(days=30)


def prune(session: Session, _payload: dict[str, Any], _context: JobContext) -> dict[str, Any]:
    now = utcnow()
    newest_per_topic = (
        sa.select(sa.func.max(OutboxMessage.id))
        .where(col(OutboxMessage.status).in_((SENT, HELD)))
        .group_by(col(OutboxMessage.topic))
    )
    messages: Any = session.execute(
        sa.delete(OutboxMessage).where(
            col(OutboxMessage.status).in_((SENT, HELD, SKIPPED)),
            col(OutboxMessage.created_at) < now - KEEP_MESSAGES,
            col(OutboxMessage.id).not_in(newest_per_topic),
        )
    )
    finished: Any = session.execute(
        sa.delete(Job).where(col(Job.status).in_([DONE, FAILED]), col(Job.finished_at) < now - KEEP_JOBS)
    )
    links: Any = session.execute(sa.delete(ActionLink).where(col(ActionLink.expires_at) < now - KEEP_LINKS))
    beats: Any = session.execute(
        sa.delete(WorkerHeartbeat).where(col(WorkerHeartbeat.beat_at) < now - KEEP_HEARTBEATS)
    )
    counters = ratelimit.prune(session)
    sessions: Any = session.execute(
        sa.delete(UserSession).where(col(UserSession.expires_at) < now - KEEP_SESSIONS)
    )
    return {
        "messages": int(messages.rowcount or 0),
        "jobs": int(finished.rowcount or 0),
        "links": int(links.rowcount or 0),
        "heartbeats": int(beats.rowcount or 0),
        "rate_counters": counters,
        "sessions": int(sessions.rowcount or 0),
    }
