"""The outbox: messages waiting to be sent, claimed by one worker at a time.

A message row is added in the transaction of the change behind it, so a change that rolls
back leaves no message and a committed change always has one. Workers claim due rows
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the database write lock on SQLite), record what
they composed, send, and record the sending, each step committed on its own. A worker that
dies between the mail server's acceptance and that record leaves a row still "sending" with
its lease run out; the next claim sends the same composed message again with the same
Message-ID, which mail stores recognise as one message.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.config import get_settings
from app.db import begin_write
from app.notifications.models import PENDING, OutboxMessage

SENDING = "sending"
SENT = "sent"
# Composed but not sent: no mail server is configured (MUSTER_SMTP_URL unset).
HELD = "held"
FAILED = "failed"
# Nothing to send after all: the change was undone, the person opted out, no address.
SKIPPED = "skipped"
STATUSES = (PENDING, SENDING, SENT, HELD, FAILED, SKIPPED)
# What the recipient has been told, for the next message about the same topic.
TOLD = (SENT, HELD)

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)

OUTBOX: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Wanted:
    """One message to add: what it is about, and (for scheduled ones) its own fixed key."""

    topic: str
    kind: str
    subject_id: int | None = None
    recipient: str = ""
    due_at: datetime | None = None
    key: str | None = None


def _insert(session: Session | OrmSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def enqueue(session: Session | OrmSession, wanted: list[Wanted]) -> None:
    """Add the messages in the caller's transaction. A topic that already has a message
    waiting keeps that one (it will say the latest when sent); a fixed key already used
    (a reminder, a digest) is not added again."""
    if not wanted:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "idempotency_key": w.key or f"{w.topic}/{uuid.uuid4().hex}",
            "topic": w.topic,
            "kind": w.kind,
            "subject_id": w.subject_id,
            "recipient": w.recipient,
            "status": PENDING,
            "due_at": w.due_at or now,
            "attempts": 0,
            "last_error": "",
            "claimed_by": "",
            "sent_kind": "",
            "to_address": "",
            "mail_subject": "",
            "body_text": "",
            "body_html": "",
            "calendar": "",
            "calendar_method": "",
            "headers": {},
            "state": {},
            "created_at": now,
        }
        for w in wanted
    ]
    # One statement, many rows (executemany): compiled once, not once per 500 rows.
    session.execute(_insert(session)(OUTBOX).on_conflict_do_nothing(), rows)


def _claimable(now: datetime) -> Any:
    busy = sa.alias(OUTBOX, "busy")
    topic_busy = (
        sa.select(busy.c.id)
        .where(
            busy.c.topic == OUTBOX.c.topic,
            busy.c.status == SENDING,
            busy.c.claimed_until >= now,
            busy.c.id != OUTBOX.c.id,
        )
        .exists()
    )
    # Due and waiting, or claimed by a worker whose lease ran out. Written as one range of
    # the (status, due_at) index per status (a claimed message was due when claimed, and its
    # lease ends later still), so the database reads each in order and stops at the limit
    # instead of checking and sorting every due message.
    return (
        sa.select(OUTBOX.c.id)
        .where(
            OUTBOX.c.status.in_((PENDING, SENDING)),
            OUTBOX.c.due_at <= now,
            sa.or_(OUTBOX.c.status == PENDING, OUTBOX.c.claimed_until < now),
            ~topic_busy,
        )
        .order_by(OUTBOX.c.due_at, OUTBOX.c.id)
    )


def claim(session: Session, *, worker_id: str, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker (committed), oldest due first.

    Never two messages of one topic at once, so each is composed against what the previous
    one said."""
    now = utcnow()
    # A plain read first: an idle worker polls often and should not take the write lock.
    if session.execute(_claimable(now).limit(1)).first() is None:
        session.rollback()
        return []
    begin_write(session)
    query = _claimable(now).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [row[0] for row in session.execute(query).all()]
    if ids:
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(
                # Taken back from a worker that stopped mid-send: that was an attempt too, so
                # a message that kills every worker that tries it is given up in the end.
                attempts=sa.case(
                    (OUTBOX.c.status == SENDING, OUTBOX.c.attempts + 1), else_=OUTBOX.c.attempts
                ),
                status=SENDING,
                claimed_by=worker_id,
                claimed_until=now + LEASE,
            )
        )
    session.commit()
    if not ids:
        return []
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))).all()
    return sorted(rows, key=lambda m: (m.due_at, m.id or 0))


def renew(session: Session, messages: list[OutboxMessage], *, worker_id: str) -> None:
    """Extend this worker's hold on messages it has yet to send (a slow mail server must
    not let another worker take them over and send them a second time)."""
    ids = [m.id for m in messages]
    if ids:
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.claimed_by == worker_id, OUTBOX.c.status == SENDING)
            .values(claimed_until=utcnow() + LEASE)
        )
        session.commit()


def abandoned_too_often(message: OutboxMessage) -> bool:
    return message.attempts >= get_settings().outbox_max_attempts


def give_up(session: Session, message: OutboxMessage, *, worker_id: str) -> bool:
    """Fail a message that every worker trying it stopped while sending (its attempts are
    already counted by the claims that took it back)."""
    error = f"given up: a worker stopped while sending it {message.attempts} times"
    return _finish(session, message, worker_id, status=FAILED, last_error=error)


def _finish(session: Session, message: OutboxMessage, worker_id: str, **values: Any) -> bool:
    """Record an outcome, only if this worker still holds the message (its lease may have
    run out and another worker taken it)."""
    result: Any = session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == message.id, OUTBOX.c.claimed_by == worker_id, OUTBOX.c.status == SENDING)
        .values(claimed_until=None, **values)
    )
    session.commit()
    # Noted on the object as already saved: a plain setattr would make the session write it
    # again, unguarded, at its next commit, over the claim of a worker that took it over.
    for key, value in {"claimed_until": None, **values}.items():
        set_committed_value(message, key, value)
    return bool(result.rowcount)


def record_sent(session: Session, message: OutboxMessage, *, worker_id: str, held: bool = False) -> bool:
    return _finish(session, message, worker_id, status=HELD if held else SENT, sent_at=utcnow())


def record_skipped(session: Session, message: OutboxMessage, *, worker_id: str, reason: str) -> bool:
    return _finish(session, message, worker_id, status=SKIPPED, last_error=reason[:1000])


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling up to an hour (MUSTER_OUTBOX_RETRY_SECONDS is the first)."""
    first = get_settings().outbox_retry_seconds
    return min(MAX_BACKOFF, timedelta(seconds=first * 2 ** max(0, attempts - 1)))


def record_failure(
    session: Session, message: OutboxMessage, *, worker_id: str, error: str, permanent: bool = False
) -> bool:
    """A refused or failed attempt: try again later, or give up when the server said the
    message can never be delivered or the attempts are used up (shown to administrators)."""
    attempts = message.attempts + 1
    if permanent or attempts >= get_settings().outbox_max_attempts:
        return _finish(session, message, worker_id, status=FAILED, attempts=attempts, last_error=error[:1000])
    return _finish(
        session,
        message,
        worker_id,
        status=PENDING,
        attempts=attempts,
        last_error=error[:1000],
        due_at=utcnow() + backoff(attempts),
        claimed_by="",
        # Composed again next time, from the state then.
        composed_at=None,
    )


def release(session: Session, messages: list[OutboxMessage], *, worker_id: str, error: str) -> None:
    """Hand back messages not tried because the mail server is unreachable; they wait
    like the one that failed, without using up an attempt of their own."""
    for message in messages:
        _finish(
            session,
            message,
            worker_id,
            status=PENDING,
            due_at=utcnow() + backoff(message.attempts + 1),
            claimed_by="",
            composed_at=None,
            last_error=error[:1000],
        )


def last_told(session: Session, topic: str) -> OutboxMessage | None:
    """The latest message about this topic that reached (or was kept for) its recipient."""
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.topic == topic, col(OutboxMessage.status).in_(TOLD))
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    ).first()


def retry(session: Session, message_id: int) -> OutboxMessage | None:
    """An administrator sends a failed message again, now (composed afresh)."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return None
    message.status = PENDING
    message.due_at = utcnow()
    message.attempts = 0
    message.composed_at = None
    message.claimed_by = ""
    message.claimed_until = None
    session.add(message)
    return message
