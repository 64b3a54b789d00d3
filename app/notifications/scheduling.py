"""Messages that come from the calendar rather than from a change: reminders before
duties and the coordinators' daily digest. Periodic jobs of the worker (registry.py).

Each scheduled message has a fixed key — the duty, the lead time and the start it was
for; the coordinator and the day — so running the schedule again, or on two workers,
adds nothing twice. A reminder's key holds the event's start: when the event moves, the
reminder for the old time finds the duty changed and is skipped, and the new time gets
its own.
"""

from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.assignments.models import Assignment
from app.clock import LONDON, to_london, utcnow
from app.config import get_settings
from app.enums import AssignmentStatus, EventStatus, Role
from app.events.models import Event
from app.notifications.models import NotificationPreference
from app.notifications.outbox import Wanted, enqueue
from app.notifications.preferences import DEFAULT_REMINDER_HOURS, MAX_REMINDER_HOURS, normalise
from app.people.models import Person
from app.worker.jobs import JobContext

MORNING = "morning"


def reminder_key(assignment_id: int, lead: str, starts_at: datetime) -> str:
    return f"reminder:{assignment_id}:{lead}:{starts_at.astimezone(LONDON):%Y%m%dT%H%M}"


def morning_of(starts_at: datetime) -> datetime:
    """The morning reminder's time: MUSTER_MORNING_REMINDER_HOUR on the duty's London day."""
    day = to_london(starts_at).date()
    return datetime.combine(day, time(get_settings().morning_reminder_hour), LONDON)


def due_reminders(
    *, starts_at: datetime, confirmed_at: datetime, hours: list[int], morning: bool, now: datetime
) -> list[tuple[str, datetime]]:
    """(lead, due time) of each reminder of one duty that is due now: its time has come,
    the duty has not started, and it was confirmed before the reminder's time (someone
    confirmed the evening before gets the morning reminder, not a "48 hours" one)."""
    found = [(f"{h}h", starts_at - timedelta(hours=h)) for h in hours]
    if morning:
        found.append((MORNING, morning_of(starts_at)))
    return [(lead, due) for lead, due in found if confirmed_at <= due <= now < starts_at]


def schedule_reminders(session: Session, _payload: dict[str, Any], _context: JobContext) -> dict[str, Any]:
    """Add the reminders now due for confirmed duties at live events."""
    now = utcnow()
    horizon = now + timedelta(hours=MAX_REMINDER_HOURS)
    rows = session.exec(
        select(Assignment.id, Assignment.updated_at, Event.starts_at, Person.email)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Person, col(Person.id) == Assignment.person_id)
        .where(
            Assignment.status == AssignmentStatus.confirmed,
            col(Event.status).in_((EventStatus.confirmed, EventStatus.draft)),
            Event.starts_at > now,
            Event.starts_at <= horizon,
            Person.email != "",
        )
    ).all()
    emails = sorted({normalise(email) for *_, email in rows})
    prefs: dict[str, NotificationPreference] = {}
    for start in range(0, len(emails), 500):
        for found in session.exec(
            select(NotificationPreference).where(
                col(NotificationPreference.email).in_(emails[start : start + 500])
            )
        ).all():
            prefs[found.email] = found
    wanted = []
    for assignment_id, confirmed_at, starts_at, email in rows:
        if assignment_id is None:
            continue
        pref: NotificationPreference | None = prefs.get(normalise(email))
        if pref is not None and "reminders" in (pref.muted or []):
            continue
        hours = list(pref.reminder_hours) if pref is not None else list(DEFAULT_REMINDER_HOURS)
        morning = pref.morning_reminder if pref is not None else True
        for lead, due in due_reminders(
            starts_at=starts_at, confirmed_at=confirmed_at, hours=hours, morning=morning, now=now
        ):
            key = reminder_key(assignment_id, lead, starts_at)
            wanted.append(Wanted(key, "reminder", assignment_id, email, due_at=due, key=key))
    enqueue(session, wanted)
    return {"considered": len(rows), "offered": len(wanted)}


def digest_key(user_id: int, day: datetime) -> str:
    return f"digest:{user_id}:{to_london(day):%Y-%m-%d}"


def schedule_digests(session: Session, _payload: dict[str, Any], _context: JobContext) -> dict[str, Any]:
    """Once a day, from MUSTER_DIGEST_HOUR (London time), one digest per active coordinator
    and administrator; what it says (or that it has nothing to say) is decided when sent."""
    now = utcnow()
    if to_london(now).hour < get_settings().digest_hour:
        return {"offered": 0}
    users = session.exec(
        select(User.id, User.email).where(
            col(User.active).is_(True), col(User.role).in_((Role.coordinator, Role.admin))
        )
    ).all()
    wanted = [
        Wanted(digest_key(user_id, now), "digest", user_id, email, key=digest_key(user_id, now))
        for user_id, email in users
        if user_id is not None
    ]
    enqueue(session, wanted)
    return {"offered": len(wanted)}
