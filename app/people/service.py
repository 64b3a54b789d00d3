"""People, their representation opt-ins and their unavailability."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from app import records
from app.accounts.principal import Principal
from app.assignments import conflicts
from app.assignments.models import Assignment
from app.assignments.rules import away_span
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.enums import AssignmentStatus
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
    accept_conflicts: bool = False,
    release: Iterable[int] = (),
) -> Person:
    """Change a person's record. Deactivating them (``active`` false) withdraws them from
    their upcoming proposed and confirmed places in the same transaction (each audited; the
    notification hooks tell them), so the events' staffing shows the gap. ``expected``
    (from ``If-Match``) refuses the change with 412 if the person has changed since.

    A lower monthly or weekly limit that leaves upcoming duties over it is refused (409,
    listing them) unless ``accept_conflicts``, when each is flagged to the coordinator."""
    person = records.lock(session, Person, person_id, "person")
    records.check_revision(session, person, expected)
    if "staff_number" in changes:
        _ensure_unique_staff_number(session, changes["staff_number"], person_id)
    leaving = changes.get("active") is False and person.active
    over = limit_conflicts(session=session, person=person, changes=changes)
    conflicts.refuse_unless_accepted(over, accept=accept_conflicts, change="the lower limit")
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
    else:
        conflicts.flag(session=session, actor=actor, affected=over, release=release)
        conflicts.clear_resolved(session=session, actor=actor, person=person)
    session.commit()
    return person


def limit_conflicts(*, session: Session, person: Person, changes: dict[str, Any]) -> list[conflicts.Affected]:
    """The upcoming duties a lower monthly or weekly limit in ``changes`` would leave over it."""
    monthly = changes.get("monthly_limit", person.monthly_limit)
    weekly = changes.get("max_duties_per_week", person.max_duties_per_week)
    lower = monthly < person.monthly_limit or (
        weekly is not None and (person.max_duties_per_week is None or weekly < person.max_duties_per_week)
    )
    if not lower or changes.get("active") is False:
        return []
    return conflicts.by_limits(session=session, person=person, monthly_limit=monthly, weekly_limit=weekly)


def upcoming_places(*, session: Session, person_id: int) -> list[tuple[Assignment, Event, Venue]]:
    """The person's proposed and confirmed places on draft or confirmed events that have
    not ended, soonest first."""
    return conflicts.held(session=session, person_id=person_id, since=utcnow())


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
    records.create(
        session=session,
        actor=actor,
        record=rep,
        summary=f"{person.name} opted in to represent {network.name}",
        commit=False,
    )
    conflicts.clear_resolved(session=session, actor=actor, person=person, opted_in=network_id)
    session.commit()
    return rep


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


def withdrawal_conflicts(*, session: Session, rep: Representation) -> list[conflicts.Affected]:
    """The person's upcoming duties on events that ask for this network."""
    return conflicts.by_withdrawal(session=session, person_id=rep.person_id, network_id=rep.network_id)


def withdraw(
    *,
    session: Session,
    actor: Actor,
    representation_id: int,
    visible_to: Principal | None = None,
    accept_conflicts: bool = False,
    release: Iterable[int] = (),
) -> None:
    """Delete the opt-in at once: every suggestion, page and count stops using it. Upcoming
    duties on events that ask for the network are refused (409) unless ``accept_conflicts``,
    when each is flagged to the coordinator (``release``: the ones the person asks to leave)."""
    rep = get_representation(session=session, representation_id=representation_id, visible_to=visible_to)
    affected = withdrawal_conflicts(session=session, rep=rep)
    conflicts.refuse_unless_accepted(affected, accept=accept_conflicts, change="withdrawing the opt-in")
    conflicts.flag(session=session, actor=actor, affected=affected, release=release)
    _delete(session, actor, "withdraw", rep, "representation opt-in withdrawn")


def _delete(
    session: Session,
    actor: Actor,
    action: str,
    row: Representation | Unavailability,
    summary: str,
    commit: bool = True,
) -> None:
    """Delete the row, its last state kept in the audit trail."""
    audit.note(session, actor, action, row, summary, before=audit.snapshot(row))
    session.delete(row)
    if commit:
        session.commit()


# --- unavailability ---------------------------------------------------------------


def get_unavailability(
    *, session: Session, unavailability_id: int, visible_to: Principal | None = None
) -> Unavailability:
    """The time away; someone else's reads as missing to a staff member (``visible_to``)."""
    row = records.get_or_404(session, Unavailability, unavailability_id, "unavailability")
    _hide_from_others(visible_to, row.person_id, "unavailability", unavailability_id)
    return row


def away_spans(rows: list[Unavailability]) -> dict[int | None, str]:
    """Each row's time away as it was entered, inclusive last day ("Tue 12 Jan to Thu 14 Jan")."""
    year = to_london(utcnow()).year
    return {row.id: away_span(row.starts_at, row.ends_at, this_year=year) for row in rows}


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


def away_conflicts(*, session: Session, data: dict[str, Any]) -> list[conflicts.Affected]:
    """The person's upcoming duties inside the time away in ``data``."""
    _check_span(data["starts_at"], data["ends_at"])
    return conflicts.by_away(
        session=session,
        person_id=data["person_id"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        reason=str(data["reason"]),
    )


def add_unavailability(
    *,
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    accept_conflicts: bool = False,
    release: Iterable[int] = (),
) -> Unavailability:
    """Record time off. Upcoming duties inside it are refused (409, listing them) unless
    ``accept_conflicts``: then they are kept and each flagged to the coordinator, with
    ``release`` the assignment ids the person asks to be released from."""
    person = get_person(session=session, person_id=data["person_id"])
    affected = away_conflicts(session=session, data=data)
    conflicts.refuse_unless_accepted(affected, accept=accept_conflicts, change="the time away")
    row = records.create(
        session=session,
        actor=actor,
        record=Unavailability(**data),
        summary=f"unavailability recorded for {person.name}",
        commit=False,
    )
    conflicts.flag(session=session, actor=actor, affected=affected, release=release)
    session.commit()
    return row


def update_unavailability(
    *,
    session: Session,
    actor: Actor,
    unavailability_id: int,
    changes: dict[str, Any],
    visible_to: Principal | None = None,
    accept_conflicts: bool = False,
) -> Unavailability:
    """Change time away; the duties it now covers are handled as when adding it."""
    row = get_unavailability(session=session, unavailability_id=unavailability_id, visible_to=visible_to)
    data = {"person_id": row.person_id, "reason": row.reason, **changes}
    data.setdefault("starts_at", row.starts_at)
    data.setdefault("ends_at", row.ends_at)
    affected = away_conflicts(session=session, data=data)
    conflicts.refuse_unless_accepted(affected, accept=accept_conflicts, change="the time away")
    records.update(
        session=session,
        actor=actor,
        record=row,
        changes=changes,
        summary="unavailability changed",
        commit=False,
    )
    conflicts.flag(session=session, actor=actor, affected=affected)
    conflicts.clear_resolved(
        session=session, actor=actor, person=get_person(session=session, person_id=row.person_id)
    )
    session.commit()
    return row


def remove_unavailability(
    *, session: Session, actor: Actor, unavailability_id: int, visible_to: Principal | None = None
) -> None:
    """Remove time away; the flags it raised on duties, no longer true, are cleared."""
    row = get_unavailability(session=session, unavailability_id=unavailability_id, visible_to=visible_to)
    person = get_person(session=session, person_id=row.person_id)
    _delete(session, actor, "delete", row, "unavailability removed", commit=False)
    session.flush()
    conflicts.clear_resolved(session=session, actor=actor, person=person)
    session.commit()
