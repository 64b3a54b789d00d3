"""Putting people on events: every booking rule is enforced here, under a lock."""

from typing import Any

from sqlmodel import Session, col, select

from app import records
from app.accounts.principal import Principal
from app.assignments import conflicts
from app.assignments.models import Assignment
from app.audit import service as audit
from app.audit.service import Actor
from app.booking import service as booking
from app.clock import utcnow
from app.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    Role,
)
from app.errors import Forbidden, Invalid
from app.events.models import Event
from app.people.models import Person
from app.venues.models import Venue

# Who may move an assignment from one status to another.
PLANNER_TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.proposed: frozenset(
        {AssignmentStatus.confirmed, AssignmentStatus.declined, AssignmentStatus.withdrawn}
    ),
    AssignmentStatus.confirmed: frozenset({AssignmentStatus.withdrawn, AssignmentStatus.declined}),
    AssignmentStatus.declined: frozenset({AssignmentStatus.proposed, AssignmentStatus.confirmed}),
    AssignmentStatus.withdrawn: frozenset({AssignmentStatus.proposed, AssignmentStatus.confirmed}),
}
STAFF_TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.proposed: frozenset({AssignmentStatus.confirmed, AssignmentStatus.declined}),
    AssignmentStatus.confirmed: frozenset({AssignmentStatus.declined}),
}


def get_assignment(*, session: Session, assignment_id: int) -> Assignment:
    return records.get_or_404(session, Assignment, assignment_id, "assignment")


def check_can_see(principal: Principal, assignment: Assignment, event: Event) -> None:
    if principal.role == Role.staff and assignment.person_id != principal.person_id:
        # Staff see the whole team of an event, through the event; not others' records here.
        raise Forbidden("staff see only their own assignments")
    if principal.role == Role.partner and event.venue_id not in principal.venue_ids:
        raise Forbidden("partners see only the events at their own venues")


def list_assignments(
    *,
    session: Session,
    limit: int,
    offset: int,
    event_id: int | None = None,
    person_id: int | None = None,
    status: AssignmentStatus | None = None,
    venue_ids: frozenset[int] | None = None,
) -> tuple[list[Assignment], int]:
    query = select(Assignment).order_by(col(Assignment.event_id), col(Assignment.id))
    if event_id is not None:
        query = query.where(Assignment.event_id == event_id)
    if person_id is not None:
        query = query.where(Assignment.person_id == person_id)
    if status is not None:
        query = query.where(Assignment.status == status)
    if venue_ids is not None:
        at_venues = select(Event.id).where(col(Event.venue_id).in_(venue_ids))
        query = query.where(col(Assignment.event_id).in_(at_venues))
    return records.page(session, query, limit=limit, offset=offset)


def update_assignment(
    *,
    session: Session,
    principal: Principal,
    assignment_id: int,
    changes: dict[str, Any],
) -> Assignment:
    """Change role or status. Staff may accept or decline only their own assignments."""
    assignment = get_assignment(session=session, assignment_id=assignment_id)
    event = records.get_or_404(session, Event, assignment.event_id, "event")
    person = session.get(Person, assignment.person_id)
    assert person is not None
    new_status = changes.get("status")
    new_role = changes.get("role")
    reason = str(changes.get("reason") or "")
    if principal.role == Role.staff:
        if assignment.person_id != principal.person_id:
            raise Forbidden("you may only answer your own assignments")
        if new_role is not None and new_role != assignment.role:
            raise Forbidden("only a coordinator can change your role on an event")
        transitions = STAFF_TRANSITIONS
    elif principal.is_planner:
        transitions = PLANNER_TRANSITIONS
    else:
        raise Forbidden("you may not change assignments")
    current = AssignmentStatus(assignment.status)
    if new_status is not None and new_status != current:
        new_status = AssignmentStatus(new_status)
        if new_status not in transitions.get(current, frozenset()):
            raise Invalid(
                f"assignment {assignment_id} is {current.value}; it cannot become {new_status.value}"
            )
        if new_status in ACTIVE_ASSIGNMENT_STATUSES:
            booking.check_event_open(event)
            if current not in ACTIVE_ASSIGNMENT_STATUSES:
                booking.lock_people(session, [assignment.person_id])
                session.refresh(assignment)
                booking.refuse_if_clashing(session=session, event=event, person=person)
    before = audit.snapshot(assignment)
    if new_role is not None and new_role != assignment.role:
        assignment.role = AssignmentRole(new_role)
        assignment.revision += 1
    if new_status is not None and new_status != current:
        assignment.status = new_status
        assignment.revision += 1
        if new_status == AssignmentStatus.declined:
            assignment.decline_reason = reason[:500]
        if new_status in (AssignmentStatus.declined, AssignmentStatus.withdrawn):
            assignment.conflict_note = ""
    assignment.updated_at = utcnow()
    session.add(assignment)
    summary = f"{person.name} on '{event.title}': {assignment.status} as {assignment.role}"
    summary += f" ({reason})" if reason else ""
    audit.note(
        session,
        principal.actor,
        "update",
        assignment,
        summary,
        before=before,
        after=audit.snapshot(assignment),
    )
    session.commit()
    return assignment


def clear_flag(*, session: Session, actor: Actor, assignment_id: int) -> Assignment:
    """The coordinator has dealt with a flagged duty (a clash, time away, a limit): the flag goes."""
    assignment = get_assignment(session=session, assignment_id=assignment_id)
    event = records.get_or_404(session, Event, assignment.event_id, "event")
    conflicts.clear(
        session=session, actor=actor, assignment=assignment, event=event, why="resolved by a coordinator"
    )
    session.commit()
    return assignment


def team_of(*, session: Session, event_ids: list[int]) -> dict[int, list[tuple[Assignment, Person]]]:
    """Each event's assignments (all statuses) with their people, in one query."""
    result: dict[int, list[tuple[Assignment, Person]]] = {eid: [] for eid in event_ids}
    if not event_ids:
        return result
    rows = session.exec(
        select(Assignment, Person)
        .join(Person, col(Person.id) == Assignment.person_id)
        .where(col(Assignment.event_id).in_(event_ids))
        .order_by(col(Assignment.role), col(Person.name))
    ).all()
    for assignment, person in rows:
        result[assignment.event_id].append((assignment, person))
    return result


def duties_of(*, session: Session, person_id: int) -> list[tuple[Assignment, Event, Venue]]:
    """The person's assignments (all statuses) with their events and venues, soonest first,
    in one query."""
    rows = session.exec(
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(Assignment.person_id == person_id)
        .order_by(col(Event.starts_at))
    ).all()
    return [(a, e, v) for a, e, v in rows]


def assignment_of(*, session: Session, event_id: int, person_id: int) -> Assignment | None:
    """The person's assignment on the event, whatever its status, if they have one."""
    return session.exec(
        select(Assignment).where(Assignment.event_id == event_id, Assignment.person_id == person_id)
    ).first()
