"""People, their representation opt-ins and their unavailability."""

from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from app import records
from app.accounts.principal import Principal
from app.assignments.models import Assignment
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, EventStatus
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person, Representation, Unavailability
from app.venues.models import Venue


def get_person(*, session: Session, person_id: int) -> Person:
    return records.get_or_404(session, Person, person_id, "person")


def acts_for(principal: Principal, person_id: int) -> bool:
    """Coordinators and admins act for anyone; staff only for themselves."""
    return principal.is_planner or (principal.role == "staff" and principal.person_id == person_id)


def check_self_or_planner(principal: Principal, person_id: int, what: str) -> None:
    if not acts_for(principal, person_id):
        raise Forbidden(f"you may only see or change your own {what}")


R = TypeVar("R", bound=SQLModel)


def belonging_to(row: R, person_id: int | None) -> R:
    """The row (an opt-in, time away, a duty), if it is this person's; another person's
    reads as missing, so a page reached by someone else's id tells nothing."""
    if getattr(row, "person_id", None) != person_id:
        raise NotFound(f"{audit.record_type_of(row)} {getattr(row, 'id', None)} does not exist")
    return row


def _hide_from_others(visible_to: Principal | None, person_id: int, what: str, record_id: int) -> None:
    """Someone else's record reads as missing to a staff member, so that probing ids tells
    nobody which records exist."""
    if visible_to is not None and not acts_for(visible_to, person_id):
        raise NotFound(f"{what} {record_id} does not exist")


def list_people(
    *,
    session: Session,
    limit: int,
    offset: int,
    town: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    network_id: int | None = None,
) -> tuple[list[Person], int]:
    query = select(Person).order_by(col(Person.name))
    if town:
        query = query.where(col(Person.base_town).ilike(town.strip()))
    if active is not None:
        query = query.where(Person.active == active)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(col(Person.name).ilike(pattern) | col(Person.staff_number).ilike(pattern))
    if network_id is not None:
        members = select(Representation.person_id).where(Representation.network_id == network_id)
        query = query.where(col(Person.id).in_(members))
    return records.page(session, query, limit=limit, offset=offset)


def base_towns(*, session: Session) -> list[str]:
    """The towns people are based in, in order: for filtering by town."""
    rows = session.exec(
        select(Person.base_town).where(Person.base_town != "").distinct().order_by(col(Person.base_town))
    ).all()
    return [t for t in rows if t]


def find_by_staff_number(*, session: Session, staff_number: str) -> Person | None:
    return session.exec(select(Person).where(Person.staff_number == staff_number)).first()


def _ensure_unique_staff_number(session: Session, staff_number: str, person_id: int | None = None) -> None:
    clash = records.find_clash(session, Person, Person.staff_number, staff_number, except_id=person_id)
    if clash is not None:
        raise Conflict(f"staff number {staff_number} already belongs to {clash.name} (person {clash.id})")


def create_person(*, session: Session, actor: Actor, data: dict[str, Any]) -> Person:
    _ensure_unique_staff_number(session, data["staff_number"])
    return records.create(
        session=session,
        actor=actor,
        record=Person(**data),
        summary=f"person {data['name']} created",
    )


def update_person(
    *,
    session: Session,
    actor: Actor,
    person_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> Person:
    """Change a person's record. Deactivating them (``active`` false) withdraws them from
    their upcoming proposed and confirmed places in the same transaction (each audited; the
    notification hooks tell them), so the events' staffing shows the gap. ``expected``
    (from ``If-Match``) refuses the change with 412 if the person has changed since."""
    person = records.lock(session, Person, person_id, "person")
    records.check_revision(session, person, expected)
    if "staff_number" in changes:
        _ensure_unique_staff_number(session, changes["staff_number"], person_id)
    leaving = changes.get("active") is False and person.active
    person = records.update(
        session=session,
        actor=actor,
        record=person,
        changes=changes,
        summary=f"person {person.name} " + ("deactivated" if leaving else "updated"),
        commit=False,
        expected=expected,
    )
    if changes.get("active") is False:
        # Again for someone already inactive: clears places left from before this rule.
        _withdraw_from_upcoming(session, actor, person)
    session.commit()
    return person


def upcoming_places(*, session: Session, person_id: int) -> list[tuple[Assignment, Event, Venue]]:
    """The person's proposed and confirmed places on draft or confirmed events that have
    not ended, soonest first."""
    rows = session.exec(
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(
            Assignment.person_id == person_id,
            col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
            Event.ends_at > utcnow(),
            col(Event.status).in_((EventStatus.draft, EventStatus.confirmed)),
        )
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    return [(a, e, v) for a, e, v in rows]


def deactivation_summary(person: Person, places: list[tuple[Assignment, Event, Venue]]) -> str:
    """In words, what deactivating the person does to their upcoming places."""
    if not places:
        return f"{person.name} has no upcoming places."
    count = f"{len(places)} upcoming event" + ("s" if len(places) != 1 else "")
    if not person.active:
        return f"{person.name} is inactive but still has a place on {count}."
    return (
        f"{person.name} has a place on {count}. Deactivating them withdraws them from each "
        "(they are told), and the events show the gap."
    )


def _withdraw_from_upcoming(session: Session, actor: Actor, person: Person) -> None:
    for assignment, event, _venue in upcoming_places(session=session, person_id=person.id or 0):
        before = audit.snapshot(assignment)
        assignment.status = AssignmentStatus.withdrawn
        assignment.conflict_note = ""
        assignment.revision += 1
        assignment.updated_at = utcnow()
        session.add(assignment)
        summary = f"{person.name} withdrawn from '{event.title}': no longer active"
        audit.note(
            session, actor, "update", assignment, summary, before=before, after=audit.snapshot(assignment)
        )


# --- representation: special-category data, kept only while the person wants it ----------


def representations_of(*, session: Session, person_id: int) -> list[Representation]:
    return list(
        session.exec(
            select(Representation)
            .where(Representation.person_id == person_id)
            .order_by(col(Representation.network_id))
        ).all()
    )


def representations_by_person(*, session: Session, person_ids: list[int]) -> dict[int, list[Representation]]:
    result: dict[int, list[Representation]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return result
    rows = session.exec(select(Representation).where(col(Representation.person_id).in_(person_ids))).all()
    for row in rows:
        result[row.person_id].append(row)
    return result


def network_names_by_person(*, session: Session, person_ids: set[int]) -> dict[int, list[str]]:
    """Which networks each person represents (planners only: special-category data)."""
    result: dict[int, list[str]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return result
    rows = session.exec(
        select(Representation.person_id, Network.name)
        .join(Network, col(Network.id) == Representation.network_id)
        .where(col(Representation.person_id).in_(sorted(person_ids)))
        .order_by(col(Network.name))
    ).all()
    for person_id, name in rows:
        result[person_id].append(name)
    return result


def get_representation(
    *, session: Session, representation_id: int, visible_to: Principal | None = None
) -> Representation:
    """The opt-in; someone else's reads as missing to a staff member (``visible_to``)."""
    rep = records.get_or_404(session, Representation, representation_id, "representation")
    _hide_from_others(visible_to, rep.person_id, "representation", representation_id)
    return rep


def opt_in(
    *, session: Session, actor: Actor, person_id: int, network_id: int, public_naming: bool
) -> Representation:
    """Record that a person volunteers to represent a network at outreach events."""
    person = get_person(session=session, person_id=person_id)
    network = session.get(Network, network_id)
    if network is None:
        raise Invalid(f"network {network_id} does not exist")
    existing = session.exec(
        select(Representation).where(
            Representation.person_id == person_id, Representation.network_id == network_id
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{person.name} already represents the {network.name} (representation {existing.id})")
    now = utcnow()
    rep = Representation(
        person_id=person_id,
        network_id=network_id,
        opted_in_at=now,
        public_naming=public_naming,
        public_naming_at=now if public_naming else None,
    )
    return records.create(
        session=session,
        actor=actor,
        record=rep,
        summary=f"{person.name} opted in to represent {network.name}",
    )


def set_public_naming(
    *,
    session: Session,
    actor: Actor,
    representation_id: int,
    public_naming: bool,
    visible_to: Principal | None = None,
) -> Representation:
    rep = get_representation(session=session, representation_id=representation_id, visible_to=visible_to)
    changes: dict[str, Any] = {"public_naming": public_naming}
    changes["public_naming_at"] = utcnow() if public_naming else None
    return records.update(
        session=session,
        actor=actor,
        record=rep,
        changes=changes,
        summary="public-naming consent " + ("given" if public_naming else "withdrawn"),
    )


def withdraw(
    *, session: Session, actor: Actor, representation_id: int, visible_to: Principal | None = None
) -> None:
    """Delete the opt-in at once: every suggestion, page and count stops using it."""
    rep = get_representation(session=session, representation_id=representation_id, visible_to=visible_to)
    _delete(session, actor, "withdraw", rep, "representation opt-in withdrawn")


def _delete(
    session: Session, actor: Actor, action: str, row: Representation | Unavailability, summary: str
) -> None:
    """Delete the row, its last state kept in the audit trail."""
    audit.note(session, actor, action, row, summary, before=audit.snapshot(row))
    session.delete(row)
    session.commit()


# --- unavailability ---------------------------------------------------------------


def get_unavailability(
    *, session: Session, unavailability_id: int, visible_to: Principal | None = None
) -> Unavailability:
    """The time away; someone else's reads as missing to a staff member (``visible_to``)."""
    row = records.get_or_404(session, Unavailability, unavailability_id, "unavailability")
    _hide_from_others(visible_to, row.person_id, "unavailability", unavailability_id)
    return row


def _check_span(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("an unavailability must end after it starts")


def list_unavailability(
    *,
    session: Session,
    limit: int,
    offset: int,
    person_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[list[Unavailability], int]:
    query = select(Unavailability).order_by(col(Unavailability.starts_at))
    if person_id is not None:
        query = query.where(Unavailability.person_id == person_id)
    if start is not None:
        query = query.where(Unavailability.ends_at > start)
    if end is not None:
        query = query.where(Unavailability.starts_at < end)
    return records.page(session, query, limit=limit, offset=offset)


def add_unavailability(*, session: Session, actor: Actor, data: dict[str, Any]) -> Unavailability:
    """Record time off; existing assignments in it are kept, the coordinator sees the clash."""
    person = get_person(session=session, person_id=data["person_id"])
    _check_span(data["starts_at"], data["ends_at"])
    return records.create(
        session=session,
        actor=actor,
        record=Unavailability(**data),
        summary=f"unavailability recorded for {person.name}",
    )


def update_unavailability(
    *,
    session: Session,
    actor: Actor,
    unavailability_id: int,
    changes: dict[str, Any],
    visible_to: Principal | None = None,
) -> Unavailability:
    row = get_unavailability(session=session, unavailability_id=unavailability_id, visible_to=visible_to)
    _check_span(changes.get("starts_at", row.starts_at), changes.get("ends_at", row.ends_at))
    return records.update(
        session=session, actor=actor, record=row, changes=changes, summary="unavailability changed"
    )


def remove_unavailability(
    *, session: Session, actor: Actor, unavailability_id: int, visible_to: Principal | None = None
) -> None:
    row = get_unavailability(session=session, unavailability_id=unavailability_id, visible_to=visible_to)
    _delete(session, actor, "delete", row, "unavailability removed")
