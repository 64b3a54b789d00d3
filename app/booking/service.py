"""Booking people on events: the one home of clash checking and of writing new duties.

Every way a person comes onto an event — a coordinator's pick, a planner's "apply", the demo
data — and every change that could make a team clash (moving an event) checks here, under
the same lock, with the same rules (``app.assignments.rules``: overlaps, the travel buffer,
unavailability, inactive people). Events, pages and staffing call this module; it imports
none of their services.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import records
from app.assignments.availability import load_schedules, slot_of, window_for
from app.assignments.models import Assignment
from app.assignments.rules import Clash, clashes
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.config import get_settings
from app.db import begin_write
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, OPEN_STATUSES, AssignmentRole, AssignmentStatus, EventStatus
from app.errors import Conflict, Invalid
from app.events.models import Event
from app.people.models import Person
from app.venues.models import Venue


def travel_buffer() -> timedelta:
    """The least time between two duties at different places (``MUSTER_TRAVEL_BUFFER_MINUTES``)."""
    return timedelta(minutes=get_settings().travel_buffer_minutes)


def lock_people(session: Session, person_ids: Iterable[int]) -> None:
    """Serialise bookings of the same people across requests and workers.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the people's rows, in id order so two requests
    cannot deadlock. SQLite has no row locks: take the database write lock now (``BEGIN
    IMMEDIATE``), so the checks that follow read what the next writer will see.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "sqlite":
        if not begin_write(session):
            # Already writing in this transaction: a write takes the lock just the same.
            session.connection().execute(
                sa.update(Person).where(col(Person.id) == ids[0]).values(active=Person.active)
            )
        return
    session.execute(
        sa.select(col(Person.id)).where(col(Person.id).in_(ids)).order_by(col(Person.id)).with_for_update()
    )


def clashes_at(*, session: Session, event: Event, person_ids: list[int]) -> dict[int, list[Clash]]:
    """For each person: every reason they could not be on this event at its (possibly new)
    time and place, their other duties counted but not this one (empty: bookable)."""
    if not person_ids:
        return {}
    venue = session.get(Venue, event.venue_id)
    target = slot_of(event, venue.name if venue else "")
    buffer = travel_buffer()
    start, end = window_for(event.starts_at, event.ends_at, buffer)
    schedules = load_schedules(session=session, person_ids=person_ids, window_start=start, window_end=end)
    result: dict[int, list[Clash]] = {}
    for person_id in person_ids:
        schedule = schedules.get(person_id)
        if schedule is None:
            continue
        schedule.duties = [d for d in schedule.duties if d.event_id != event.id]
        result[person_id] = clashes(schedule, target, travel_buffer=buffer)
    return result


def clashes_body(found: dict[int, list[Clash]]) -> list[dict[str, Any]]:
    """Clashes as the API and the audit trail show them."""
    return [
        {"person_id": pid, "code": c.code, "message": c.message, "event_id": c.event_id}
        for pid, cs in found.items()
        for c in cs
    ]


def refuse_if_clashing(*, session: Session, event: Event, person: Person) -> None:
    """409 naming every clash, if this person cannot be on this event."""
    assert person.id is not None
    found = clashes_at(session=session, event=event, person_ids=[person.id])[person.id]
    if found:
        raise Conflict(
            f"{person.name} cannot be booked on '{event.title}': " + "; ".join(c.message for c in found),
            extra={
                "clashes": [
                    {k: v for k, v in c.items() if k != "person_id"} for c in clashes_body({0: found})
                ]
            },
        )


def check_event_open(event: Event) -> None:
    """Nobody joins a cancelled or completed event."""
    if event.status in (EventStatus.cancelled, EventStatus.completed):
        raise Conflict(f"event {event.id} '{event.title}' is {event.status}; nobody can be added to it")


def assign(
    *,
    session: Session,
    actor: Actor,
    event_id: int,
    person_id: int,
    role: AssignmentRole,
    status: AssignmentStatus = AssignmentStatus.proposed,
) -> Assignment:
    """Put a person on an event (or bring back their declined or withdrawn assignment), or
    refuse with the clash named."""
    if status not in ACTIVE_ASSIGNMENT_STATUSES:
        raise Invalid("a new assignment is either proposed or confirmed")
    lock_people(session, [person_id])
    event = records.get_or_404(session, Event, event_id, "event")
    person = session.get(Person, person_id)
    if person is None:
        raise Invalid(f"person {person_id} does not exist")
    check_event_open(event)
    existing = session.exec(
        select(Assignment).where(Assignment.event_id == event_id, Assignment.person_id == person_id)
    ).first()
    if existing is not None and existing.status in ACTIVE_ASSIGNMENT_STATUSES:
        raise Conflict(
            f"{person.name} is already on '{event.title}' as {existing.role} ({existing.status}, assignment {existing.id})"
        )
    refuse_if_clashing(session=session, event=event, person=person)
    if existing is not None:
        before = audit.snapshot(existing)
        existing.role = role
        existing.status = status
        existing.revision += 1
        existing.conflict_note = ""
        existing.decline_reason = ""
        existing.updated_at = utcnow()
        assignment = existing
        action, before_snapshot = "reopen", before
    else:
        assignment = Assignment(
            event_id=event_id, person_id=person_id, role=role, status=status, created_by_user_id=actor.user_id
        )
        action, before_snapshot = "create", None
    session.add(assignment)
    session.flush()
    assert assignment.id is not None
    summary = f"{person.name} {status.value} as {role.value} on '{event.title}'"
    audit.note(
        session, actor, action, assignment, summary, before=before_snapshot, after=audit.snapshot(assignment)
    )
    session.commit()
    return assignment


class Proposal(Protocol):
    """One person proposed for one event in one role (e.g. by automatic staffing)."""

    @property
    def event_id(self) -> int: ...
    @property
    def person_id(self) -> int: ...
    @property
    def role(self) -> str: ...


# Runs inside the transaction that writes proposals, before its commit (a plan job records
# what it applied, so applying twice never writes twice).
AlsoInTransaction = Callable[[Session, dict[tuple[int, int], int]], None]


def propose_all(
    *,
    session: Session,
    actor: Actor,
    proposals: Sequence[Proposal],
    why: str,
    also: AlsoInTransaction | None = None,
) -> dict[tuple[int, int], int]:
    """Re-check every proposal under the booking lock, against the others too, and write them
    all as ``proposed`` assignments with their audit lines — or none (409 with every reason).

    The assignment ids, by (event id, person id).
    """
    if not proposals:
        if also is not None:
            also(session, {})
            session.commit()
        return {}
    person_ids = sorted({p.person_id for p in proposals})
    try:
        lock_people(session, person_ids)
        buffer = travel_buffer()
        event_ids = sorted({p.event_id for p in proposals})
        fresh = {e.id: e for e in session.exec(select(Event).where(col(Event.id).in_(event_ids))).all()}
        missing = [eid for eid in event_ids if eid not in fresh]
        if missing:
            raise Conflict(f"event {missing[0]} no longer exists; nothing was written. Run the plan again.")
        venues = {
            v.id: v
            for v in session.exec(
                select(Venue).where(col(Venue.id).in_({e.venue_id for e in fresh.values()}))
            ).all()
        }
        first = min(e.starts_at for e in fresh.values())
        last = max(e.ends_at for e in fresh.values())
        window_start, window_end = window_for(first, last, buffer)
        schedules = load_schedules(
            session=session, person_ids=person_ids, window_start=window_start, window_end=window_end
        )
        taken = {
            (a.event_id, a.person_id)
            for a in session.exec(
                select(Assignment).where(
                    col(Assignment.event_id).in_(event_ids),
                    col(Assignment.person_id).in_(person_ids),
                )
            ).all()
        }
        refused: list[str] = []
        ordered = sorted(proposals, key=lambda p: (fresh[p.event_id].starts_at, p.event_id, p.person_id))
        for proposal in ordered:
            event = fresh[proposal.event_id]
            schedule = schedules.get(proposal.person_id)
            if schedule is None:
                refused.append(f"person {proposal.person_id} no longer exists")
                continue
            slot = slot_of(event, venues[event.venue_id].name)
            if event.status not in OPEN_STATUSES:
                refused.append(f"event {event.id} '{event.title}' is now {event.status}")
            elif event.starts_at <= utcnow():
                refused.append(f"event {event.id} '{event.title}' has started")
            elif (proposal.event_id, proposal.person_id) in taken:
                # Declined or withdrawn counts too: a plan never puts back who said no.
                refused.append(f"{schedule.name} already has an assignment on '{event.title}'")
            else:
                refused.extend(c.message for c in clashes(schedule, slot, travel_buffer=buffer))
            schedule.duties.append(slot)
        if refused:
            raise Conflict(
                "the plan is out of date (someone booked or changed something meanwhile), so nothing "
                "was written: " + "; ".join(refused[:5]) + ". Run the plan again.",
                extra={"refused": refused},
            )
        written: dict[tuple[int, int], int] = {}
        for proposal in ordered:
            written[(proposal.event_id, proposal.person_id)] = _write_proposal(
                session, actor, proposal, fresh[proposal.event_id], schedules[proposal.person_id].name, why
            )
        if also is not None:
            also(session, written)
        session.commit()
        return written
    except BaseException:
        session.rollback()
        raise


def _write_proposal(
    session: Session, actor: Actor, proposal: Proposal, event: Event, name: str, why: str
) -> int:
    """A new proposed assignment, with its audit line."""
    assignment = Assignment(
        event_id=proposal.event_id,
        person_id=proposal.person_id,
        role=AssignmentRole(proposal.role),
        status=AssignmentStatus.proposed,
        created_by_user_id=actor.user_id,
    )
    session.add(assignment)
    session.flush()
    assert assignment.id is not None
    summary = f"{name} proposed as {proposal.role} on '{event.title}' by {why}"
    audit.note(session, actor, "create", assignment, summary, after=audit.snapshot(assignment))
    return assignment.id
