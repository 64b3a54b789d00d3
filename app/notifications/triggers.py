"""Which messages a database change calls for, added in the same transaction.

SQLAlchemy session hooks watch every ORM write to assignments and events, so no route,
service or bulk plan can change a duty without the people on it being told. The hooks add
only "bring this person up to date about this duty" rows; what the message says is decided
when it is sent (``compose``), from the state then, so several quick changes become one
message and a change that is undone before sending becomes none.

Installed explicitly where the app, the CLI and the worker start (:func:`install`).
A session with ``session.info[QUIET] = True`` (the demo loader) adds no messages.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import col, select

from app.clock import utcnow
from app.config import get_settings
from app.feeds.changes import ids_now_and_before, sorted_chunks
from app.notifications.outbox import Wanted, enqueue

QUIET = "muster.notifications_off"
_INFO_KEY = "muster.notifications_pending"

# An event change that people on it or its venue must hear about.
_EVENT_MATERIAL = ("starts_at", "ends_at", "venue_id", "status", "title")
_ASSIGNMENT_WATCHED = ("status", "role", "person_id", "event_id")
# The venue's answer is news to the venue alone: a receipt for a decline, a new request
# when the coordinator asks again.
_EVENT_ANSWER = ("partner_status",)


def duty_topic(assignment_id: int) -> str:
    return f"duty:{assignment_id}"


def booking_topic(event_id: int, email: str) -> str:
    return f"booking:{event_id}:{email}"


@dataclass
class _Pending:
    team_events: set[int] = field(default_factory=set)
    assignments: set[int] = field(default_factory=set)
    # event id → every venue it was or is at during this transaction
    booking_venues: dict[int, set[int]] = field(default_factory=dict)


def _pending(session: Session) -> _Pending:
    pending: _Pending = session.info.setdefault(_INFO_KEY, _Pending())
    return pending


def _changed(record: Any, names: tuple[str, ...]) -> bool:
    attrs = sa.inspect(record).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if session.info.get(QUIET):
        return
    pending = _pending(session)
    for record, is_new in [*((r, True) for r in session.new), *((r, False) for r in session.dirty)]:
        table = getattr(record, "__tablename__", None)
        if table == "assignment" and (is_new or _changed(record, _ASSIGNMENT_WATCHED)):
            # The whole team: a new lead, or a person taken off, is news to the others.
            pending.team_events.update(ids_now_and_before(record, "event_id"))
            pending.assignments.update(ids_now_and_before(record, "id"))
        elif table == "event" and (is_new or _changed(record, _EVENT_MATERIAL + _EVENT_ANSWER)):
            event_id = record.__dict__.get("id")
            if isinstance(event_id, int):
                if is_new or _changed(record, _EVENT_MATERIAL):
                    pending.team_events.add(event_id)
                pending.booking_venues.setdefault(event_id, set()).update(
                    ids_now_and_before(record, "venue_id")
                )


def recipients_of_venues(session: Any, venue_ids: set[int]) -> dict[int, set[str]]:
    """Who hears about bookings at each venue: its active partner sign-ins and its contact."""
    from app.accounts.models import User, UserVenue
    from app.venues.models import Venue

    found: dict[int, set[str]] = {v: set() for v in venue_ids}
    if not venue_ids:
        return found
    for venue_id, email in session.execute(
        sa.select(col(UserVenue.venue_id), col(User.email))
        .join(User, col(User.id) == UserVenue.user_id)
        .where(col(UserVenue.venue_id).in_(sorted(venue_ids)), col(User.active).is_(True))
    ).all():
        found[venue_id].add(email.strip().lower())
    for venue_id, email in session.execute(
        sa.select(col(Venue.id), col(Venue.contact_email)).where(col(Venue.id).in_(sorted(venue_ids)))
    ).all():
        if email and email.strip():
            found[venue_id].add(email.strip().lower())
    return found


def _before_commit(session: Session) -> None:
    if session.info.get(QUIET):
        session.info.pop(_INFO_KEY, None)
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending: _Pending | None = session.info.pop(_INFO_KEY, None)
    if pending is None or not (pending.team_events or pending.booking_venues):
        return
    from app.assignments.models import Assignment
    from app.enums import ACTIVE_ASSIGNMENT_STATUSES

    due = utcnow() + timedelta(seconds=get_settings().notify_delay_seconds)
    wanted: list[Wanted] = []
    for events in sorted_chunks(pending.team_events):
        for assignment_id, status in session.execute(
            select(Assignment.id, Assignment.status).where(col(Assignment.event_id).in_(events))
        ).all():
            # Someone long off the team has nothing to hear, unless this change is theirs.
            if status not in ACTIVE_ASSIGNMENT_STATUSES and assignment_id not in pending.assignments:
                continue
            wanted.append(Wanted(duty_topic(assignment_id), "duty", assignment_id, due_at=due))
    venues = set().union(*pending.booking_venues.values()) if pending.booking_venues else set()
    recipients = recipients_of_venues(session, venues)
    for event_id, venue_ids in sorted(pending.booking_venues.items()):
        emails = set().union(*(recipients.get(v, set()) for v in venue_ids))
        for email in sorted(emails):
            wanted.append(Wanted(booking_topic(event_id, email), "booking", event_id, email, due_at=due))
    enqueue(session, wanted)


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(_INFO_KEY, None)


def install() -> None:
    """Register the hooks on every Session (idempotent)."""
    hooks: list[tuple[str, Any]] = [
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),
    ]
    for name, hook in hooks:
        if not sa_event.contains(Session, name, hook):
            sa_event.listen(Session, name, hook)
