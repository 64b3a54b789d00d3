"""The worker's housekeeping: old records go, what is still needed stays."""

from datetime import timedelta

from sqlmodel import Session, select

from app.accounts.models import UserSession
from app.clock import utcnow
from app.notifications.models import OutboxMessage
from app.notifications.outbox import Wanted, enqueue
from app.worker.jobs import DONE
from app.worker.maintenance import prune
from app.worker.models import Job
from tests.factories import Factory


def _told(db: Session, topic: str, days_ago: int, key: str) -> None:
    enqueue(db, [Wanted(topic, "duty", key=key)])
    db.flush()
    row = db.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()
    row.status = "sent"
    row.created_at = utcnow() - timedelta(days=days_ago)
    db.add(row)
    db.commit()


def test_prune_keeps_the_newest_told_message_of_each_topic(make: Factory, db: Session) -> None:
    _told(db, "duty:1", 200, "a")
    _told(db, "duty:1", 150, "b")
    _told(db, "duty:2", 100, "c")
    _told(db, "duty:2", 1, "d")

    prune(db, {}, None)  # type: ignore[arg-type]
    db.commit()

    kept = sorted(m.idempotency_key for m in db.exec(select(OutboxMessage)).all())
    assert kept == ["b", "d"]


def test_prune_forgets_long_ended_sessions_and_finished_jobs(make: Factory, db: Session) -> None:
    user = make.user("staff")
    long_ago = utcnow() - timedelta(days=40)
    db.add(UserSession(id_hash="a" * 64, user_id=user.id or 0, expires_at=long_ago))
    db.add(UserSession(id_hash="b" * 64, user_id=user.id or 0, expires_at=utcnow() + timedelta(hours=1)))
    db.add(Job(kind="notifications.reminders", status=DONE, finished_at=long_ago))
    db.add(Job(kind="notifications.reminders", dedupe_key="recent", status=DONE, finished_at=utcnow()))
    db.commit()

    result = prune(db, {}, None)  # type: ignore[arg-type]
    db.commit()

    assert (result["sessions"], result["jobs"]) == (1, 1)
    assert [s.id_hash for s in db.exec(select(UserSession)).all()] == ["b" * 64]
    assert [j.dedupe_key for j in db.exec(select(Job)).all()] == ["recent"]
