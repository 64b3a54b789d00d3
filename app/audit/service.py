"""The audit trail: every change says who made it, to what, and what it was before."""

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, SQLModel, col, select

from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person
from app.venues.models import Venue


class Actor:
    """Who is making a change: a signed-in user, or the system/CLI acting for someone."""

    def __init__(self, *, user_id: int | None, label: str, role: str | None = None) -> None:
        self.user_id = user_id
        self.label = label
        self.role = role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SYSTEM = Actor(user_id=None, label="system", role="admin")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(record: SQLModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    skip = {"password_hash", "token_hash", "updated_at"} | (exclude or set())
    return {k: _plain(v) for k, v in record.model_dump(warnings=False).items() if k not in skip}


def record_type_of(row: SQLModel) -> str:
    """The name the audit trail files a row under: its table's, or the one it declares."""
    declared = getattr(type(row), "audit_type", None)
    return str(declared or getattr(row, "__tablename__", type(row).__name__.lower()))


def note(
    session: Session,
    actor: Actor,
    action: str,
    row: SQLModel,
    summary: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """:func:`record` for a row: its type and id are read from it."""
    return record(
        session=session,
        actor=actor,
        action=action,
        record_type=record_type_of(row),
        record_id=int(getattr(row, "id", 0) or 0),
        summary=summary,
        before=before,
        after=after,
    )


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: int,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; the caller's commit makes it permanent with the change."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    entry = AuditEntry(
        at=utcnow(),
        actor_user_id=actor.user_id,
        actor_label=actor.label[:200],
        action=action,
        record_type=record_type,
        record_id=record_id,
        summary=summary[:500],
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


RECORD_TYPES = (
    "event",
    "assignment",
    "person",
    "representation",
    "unavailability",
    "venue",
    "campaign",
    "network",
    "user",
    "outbox_message",
    "interest_record",
    "event_outcome",
    "campaign_target",
    "target_snapshot",
    "population_share",
    "workforce_share",
    "before_after",
)
"""The kinds of record the trail is filtered by."""


_MODELS: dict[str, type[SQLModel]] = {
    "event": Event,
    "assignment": Assignment,
    "person": Person,
    "venue": Venue,
    "campaign": Campaign,
    "network": Network,
}


def find_record(*, session: Session, record_type: str, record_id: int) -> SQLModel | None:
    """The record an entry is about, if it still exists (events, people, venues, campaigns,
    networks and assignments; None for other kinds)."""
    model = _MODELS.get(record_type)
    return session.get(model, record_id) if model is not None else None


def history(
    *,
    session: Session,
    record_type: str | None = None,
    record_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """The newest entries first, optionally for one record."""
    query = select(AuditEntry)
    if record_type:
        query = query.where(AuditEntry.record_type == record_type)
    if record_id is not None:
        query = query.where(AuditEntry.record_id == record_id)
    return _newest_first(session, query, limit=limit, offset=offset)


def event_history(
    *, session: Session, event_id: int, limit: int = 100, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """An event's changes and its team's, newest first, in one list: who was proposed,
    confirmed, declined or removed (each assignment's own lines, found by the event's
    assignment ids) beside the event's booking, moves and the venue's answers."""
    team = select(Assignment.id).where(Assignment.event_id == event_id)
    query = select(AuditEntry).where(
        or_(
            and_(col(AuditEntry.record_type) == "event", col(AuditEntry.record_id) == event_id),
            and_(col(AuditEntry.record_type) == "assignment", col(AuditEntry.record_id).in_(team)),
        )
    )
    return _newest_first(session, query, limit=limit, offset=offset)


def _newest_first(session: Session, query: Any, *, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)
