"""Event outcomes: after an event, its lead or a coordinator records what it achieved and who
of the team turned up. Edits are revisioned (``If-Match``) and audited."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app import records
from app.accounts.principal import Principal
from app.assignments.models import Assignment
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentRole, AttendanceStatus, EventStatus, Role
from app.errors import Conflict, Forbidden, Invalid
from app.events.models import Event
from app.interest import service as interest
from app.outcomes.counting import counted_duty_clause, counts_as_duty
from app.outcomes.models import EventOutcome
from app.people.models import Person
from app.reports import suppression
from app.venues.models import Venue

__all__ = ["counted_duty_clause", "counts_as_duty"]  # the counting rule, re-exported for callers here

RECORD_TYPE = "event_outcome"
MAX_COUNT = 100_000
"""More than this of anything at one outreach event is a typing slip, not a busy day."""

COUNTS = ("people_spoken_to", "interest_on_paper", "leaflets")
COUNT_WORDS = {
    "people_spoken_to": "people spoken to",
    "interest_on_paper": "expressions of interest taken on paper",
    "leaflets": "leaflets handed out",
}

Member = tuple[Assignment, Person]


@dataclass
class Outcome:
    """An event's outcome as recorded (``record`` None until it is) and the team it covers:
    everyone who held a place (proposed or confirmed) when the event ran."""

    event: Event
    record: EventOutcome | None
    team: list[Member]

    @property
    def revision(self) -> int:
        return self.record.revision if self.record else 0


@dataclass(frozen=True)
class AttendanceIn:
    person_id: int
    status: AttendanceStatus
    absence_reason: str = ""


@dataclass(frozen=True)
class Headline:
    """What a venue partner may see of an event's outcome: the counts, nothing personal.
    Outside the planners' screens a count of 1 to 4 people is None and named in ``fewer_than_5``."""

    event: Event
    recorded: bool
    people_spoken_to: int | None
    interest_on_paper: int | None
    interest_online: int | None
    fewer_than_5: tuple[str, ...] = ()


def _team(session: Session, event_id: int) -> list[Member]:
    rows = session.exec(
        select(Assignment, Person)
        .join(Person, col(Person.id) == Assignment.person_id)
        .where(Assignment.event_id == event_id, col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES))
        .order_by(col(Assignment.role), col(Person.name))
    ).all()
    # The lead first, then ambassadors and recruiters, each by name.
    return sorted(rows, key=lambda r: (r[0].role != AssignmentRole.lead, r[0].role, r[1].name))


def get_outcome(*, session: Session, event_id: int) -> Outcome:
    """The event, its outcome (if recorded) and its team; 404 for an unknown event."""
    event = records.get_or_404(session, Event, event_id, "event")
    return Outcome(event, session.get(EventOutcome, event_id), _team(session, event_id))


def is_lead(principal: Principal, team: list[Member]) -> bool:
    return principal.person_id is not None and any(
        a.person_id == principal.person_id and a.role == AssignmentRole.lead for a, _ in team
    )


def can_record(principal: Principal, outcome: Outcome) -> bool:
    """Coordinators and administrators, and the event's lead, record and read its outcome."""
    return principal.is_planner or (principal.role == Role.staff and is_lead(principal, outcome.team))


def outcome_to_record(*, session: Session, principal: Principal, event_id: int) -> Outcome:
    """:func:`get_outcome`, for someone who may see and record it (403 for anyone else)."""
    outcome = get_outcome(session=session, event_id=event_id)
    if not can_record(principal, outcome):
        raise Forbidden("only the event's lead, coordinators and administrators see or record its outcome")
    return outcome


def check_recordable(event: Event, *, now: datetime | None = None) -> None:
    """An outcome is for an event that ran: ended, not cancelled."""
    if event.status == EventStatus.cancelled:
        raise Conflict(f"event {event.id} was cancelled, so it has no outcome to record")
    if event.ends_at > (now or utcnow()):
        raise Conflict(f"event {event.id} has not ended yet: record its outcome once it is over")


def _checked_counts(data: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in COUNTS:
        value = data.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{COUNT_WORDS[name]} must be a whole number")
        if value < 0 or value > MAX_COUNT:
            raise Invalid(f"{COUNT_WORDS[name]} must be between 0 and {MAX_COUNT:,}")
        counts[name] = value
    if counts["interest_on_paper"] > counts["people_spoken_to"]:
        raise Invalid(
            "expressions of interest taken on paper cannot be more than the people spoken to "
            f"({counts['interest_on_paper']} > {counts['people_spoken_to']})"
        )
    return counts


def _checked_attendance(team: list[Member], attendance: list[AttendanceIn]) -> dict[int, AttendanceIn]:
    """Every person on the team once, nobody else; a no-show with a reason."""
    names = {a.person_id: p.name for a, p in team}
    given: dict[int, AttendanceIn] = {}
    for line in attendance:
        if line.person_id not in names:
            raise Invalid(f"person {line.person_id} is not on this event's team")
        if line.person_id in given:
            raise Invalid(f"{names[line.person_id]} is listed twice in the attendance")
        reason = line.absence_reason.strip()
        if line.status == AttendanceStatus.absent and not reason:
            raise Invalid(f"give a reason why {names[line.person_id]} did not attend")
        if len(reason) > 500:
            raise Invalid(f"the reason for {names[line.person_id]} must be 500 characters or fewer")
        given[line.person_id] = line
    missing = [name for pid, name in names.items() if pid not in given]
    if missing:
        raise Invalid("say whether each person on the team attended; missing: " + ", ".join(missing))
    return given


def _snapshot(record: EventOutcome, team: list[Member]) -> dict[str, Any]:
    shown = audit.snapshot(record)
    shown["attendance"] = {
        p.name: (str(a.attendance) + (f": {a.absence_reason}" if a.absence_reason else ""))
        if a.attendance
        else None
        for a, p in team
    }
    return shown


def _check_revision(session: Session, event_id: int, current: int, expected: records.Expected) -> None:
    """412 when the outcome moved on since the revision the caller read (0: none yet)."""
    if expected is None or current in expected:
        return
    base = min(expected) if expected else None
    changes = (
        records.changes_since(session, RECORD_TYPE, event_id, base)
        if base is not None and base < current
        else []
    )
    detail = f"the outcome of event {event_id} is at revision {current}"
    if changes:
        detail += " — since then: " + "; ".join(c.sentence() for c in changes)
    detail += f". Fetch it again and send If-Match: {records.etag(current)} with your change."
    raise records.PreconditionFailed(detail, revision=current, changes=changes)


def record_outcome(
    *,
    session: Session,
    principal: Principal,
    event_id: int,
    data: dict[str, Any],
    attendance: list[AttendanceIn],
    expected: records.Expected = None,
) -> Outcome:
    """Record or correct the event's outcome and its team's attendance, all at once, as the
    event's lead or a planner."""
    outcome_to_record(session=session, principal=principal, event_id=event_id)
    return save_outcome(
        session=session,
        actor=principal.actor,
        event_id=event_id,
        data=data,
        attendance=attendance,
        expected=expected,
    )


def save_outcome(
    *,
    session: Session,
    actor: Actor,
    event_id: int,
    data: dict[str, Any],
    attendance: list[AttendanceIn],
    expected: records.Expected = None,
) -> Outcome:
    """The outcome written, whoever asks (the demo loader too): the rules on the event, the
    numbers and the attendance apply; who may ask is :func:`record_outcome`'s."""
    found = get_outcome(session=session, event_id=event_id)
    check_recordable(found.event)
    counts = _checked_counts(data)
    what_worked = str(data.get("what_worked", "")).strip()
    if len(what_worked) > 4000:
        raise Invalid("what worked must be 4000 characters or fewer")
    given = _checked_attendance(found.team, attendance)

    # The event's row lock serialises writers of its outcome (which may not exist yet).
    records.lock(session, Event, event_id, "event")
    record = session.get(EventOutcome, event_id, populate_existing=True)
    _check_revision(session, event_id, record.revision if record else 0, expected)
    team = _team(session, event_id)
    before = _snapshot(record, team) if record else None
    if record is None:
        record = EventOutcome(event_id=event_id, recorded_by_user_id=actor.user_id)
    for name, value in counts.items():
        setattr(record, name, value)
    record.what_worked = what_worked
    now = utcnow()
    for assignment, _ in team:
        line = given.get(assignment.person_id)
        if line is None:  # joined meanwhile; says nothing about them
            continue
        reason = line.absence_reason.strip() if line.status == AttendanceStatus.absent else ""
        if assignment.attendance != line.status or assignment.absence_reason != reason:
            assignment.attendance, assignment.absence_reason = line.status, reason
            assignment.updated_at = now
            session.add(assignment)
    after = _snapshot(record, team)
    if before is None or {k: v for k, v in after.items() if k != "revision"} != {
        k: v for k, v in before.items() if k != "revision"
    }:
        record.revision += 1
        record.updated_at = now
        after["revision"] = record.revision
        session.add(record)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="create" if before is None else "update",
            record_type=RECORD_TYPE,
            record_id=event_id,
            summary=f"Outcome of '{found.event.title}': {counts['people_spoken_to']} spoken to, "
            f"{counts['interest_on_paper']} interest on paper, "
            f"{sum(1 for a, _ in team if a.attendance == AttendanceStatus.attended)} of {len(team)} attended",
            before=before,
            after=after,
        )
    session.commit()
    return Outcome(found.event, record, team)


# --- what others see ------------------------------------------------------------------------


def interest_online(session: Session, event_id: int) -> int:
    """Interest registered online for the event (from its poster's QR code)."""
    return interest.interest_counts(session, by="event").get(event_id, 0)


def headline(*, session: Session, principal: Principal, event_id: int) -> Headline:
    """The event's headline counts; a venue partner sees only their own venues' events."""
    event = records.get_or_404(session, Event, event_id, "event")
    if principal.role == Role.partner and event.venue_id not in principal.venue_ids:
        raise Forbidden("partners see only the events at their own venues")
    record = session.get(EventOutcome, event_id)
    counts: dict[str, int | None] = {
        "people_spoken_to": record.people_spoken_to if record else 0,
        "interest_on_paper": record.interest_on_paper if record else 0,
        "interest_online": interest_online(session, event_id),
    }
    # The counts leave the coordinator's screens: small ones are hidden as in a report.
    small = (
        () if principal.is_planner else tuple(k for k, n in counts.items() if suppression.is_small(n or 0))
    )
    return Headline(
        event=event,
        recorded=record is not None,
        **{k: None if k in small else n for k, n in counts.items()},
        fewer_than_5=small,
    )


def attendance_of(
    *, session: Session, person_id: int, limit: int = 100
) -> list[tuple[Assignment, Event, Venue]]:
    """The person's places on events that have ended and were not cancelled, with what the
    outcome recorded of them (``attendance`` None: not recorded yet), latest first."""
    rows = session.exec(
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(
            Assignment.person_id == person_id,
            col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
            Event.status != EventStatus.cancelled,
            Event.ends_at <= utcnow(),
        )
        .order_by(col(Event.starts_at).desc(), col(Event.id).desc())
        .limit(limit)
    ).all()
    return [(a, e, v) for a, e, v in rows]


def awaiting_outcome(*, session: Session, limit: int = 10) -> tuple[list[Event], int]:
    """Events that ended, were not cancelled and have no outcome yet, oldest first, and how
    many there are in all."""
    recorded = select(EventOutcome.event_id)
    query = select(Event).where(
        Event.status != EventStatus.cancelled,
        Event.ends_at <= utcnow(),
        col(Event.id).not_in(recorded),
    )
    rows, total = records.page(
        session, query.order_by(col(Event.starts_at), col(Event.id)), limit=limit, offset=0
    )
    return rows, total
