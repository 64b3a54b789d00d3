"""Events: booking, moving, status, the staffing state and lists."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import records
from app.accounts.models import User
from app.accounts.principal import Principal
from app.assignments.models import Assignment
from app.assignments.rules import Clash
from app.audit import service as audit
from app.audit.service import Actor
from app.booking import service as booking
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.db import begin_write
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, EventStatus, PartnerStatus, Role
from app.errors import Conflict, Forbidden, Invalid
from app.events.models import Event, EventNetworkNeed
from app.events.public import LISTED_PUBLICLY
from app.events.staffing import NetworkNeed, StaffingState, TeamMember, staffing_state
from app.networks.models import Network
from app.people.models import Person, Representation
from app.planning.acknowledge import Gate, note_acknowledged
from app.venues.models import Venue

ALLOWED_TRANSITIONS: dict[EventStatus, frozenset[EventStatus]] = {
    EventStatus.draft: frozenset({EventStatus.confirmed, EventStatus.cancelled}),
    EventStatus.confirmed: frozenset({EventStatus.draft, EventStatus.completed, EventStatus.cancelled}),
    EventStatus.cancelled: frozenset({EventStatus.draft}),
    EventStatus.completed: frozenset(),
}


def get_event(*, session: Session, event_id: int) -> Event:
    return records.get_or_404(session, Event, event_id, "event")


def check_can_see(principal: Principal, event: Event) -> None:
    if principal.role == Role.partner and event.venue_id not in principal.venue_ids:
        raise Forbidden("partners see only the events at their own venues")


@dataclass
class EventFilters:
    start: datetime | None = None
    end: datetime | None = None
    town: str | None = None
    venue_id: int | None = None
    campaign_id: int | None = None
    status: EventStatus | None = None
    person_id: int | None = None
    public_only: bool = False
    venue_ids: frozenset[int] | None = None
    partner_status: PartnerStatus | None = None
    flagged: bool = False  # only events with a duty flagged (a clash, time away, a lower limit)


def filtered(query: Any, filters: EventFilters) -> Any:
    """Apply the filters to any select over Event (whole rows, or a few columns)."""
    if filters.start is not None:
        query = query.where(Event.ends_at > filters.start)
    if filters.end is not None:
        query = query.where(Event.starts_at < filters.end)
    if filters.town:
        in_town = select(Venue.id).where(col(Venue.town).ilike(filters.town.strip()))
        query = query.where(col(Event.venue_id).in_(in_town))
    if filters.venue_id is not None:
        query = query.where(Event.venue_id == filters.venue_id)
    if filters.venue_ids is not None:
        query = query.where(col(Event.venue_id).in_(filters.venue_ids))
    if filters.campaign_id is not None:
        query = query.where(Event.campaign_id == filters.campaign_id)
    if filters.status is not None:
        query = query.where(Event.status == filters.status)
    if filters.public_only:
        query = query.where(LISTED_PUBLICLY)
    if filters.partner_status is not None:
        query = query.where(Event.partner_status == filters.partner_status)
    if filters.person_id is not None:
        theirs = select(Assignment.event_id).where(
            Assignment.person_id == filters.person_id,
            col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
        )
        query = query.where(col(Event.id).in_(theirs))
    if filters.flagged:
        flagged = select(Assignment.event_id).where(
            col(Assignment.conflict_note) != "", col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES)
        )
        query = query.where(col(Event.id).in_(flagged))
    return query


def list_events(
    *, session: Session, filters: EventFilters, limit: int, offset: int
) -> tuple[list[Event], int]:
    query = filtered(select(Event).order_by(col(Event.starts_at), col(Event.id)), filters)
    return records.page(session, query, limit=limit, offset=offset)


def latest_events(*, session: Session, filters: EventFilters, limit: int) -> list[Event]:
    """The last ``limit`` matching events, latest first: a history without counting it first."""
    query = filtered(select(Event).order_by(col(Event.starts_at).desc(), col(Event.id).desc()), filters)
    return list(session.exec(query.limit(limit)).all())


def venues_of(*, session: Session, events: Sequence[Event]) -> dict[int, Venue]:
    """The events' venues by id, in one query: a list shows each venue without a query each."""
    ids = sorted({e.venue_id for e in events})
    rows = session.exec(select(Venue).where(col(Venue.id).in_(ids))).all() if ids else []
    return {v.id: v for v in rows if v.id is not None}


def campaigns_of(*, session: Session, events: Sequence[Event]) -> dict[int, Campaign]:
    """The events' campaigns by id, in one query."""
    ids = sorted({e.campaign_id for e in events})
    rows = session.exec(select(Campaign).where(col(Campaign.id).in_(ids))).all() if ids else []
    return {c.id: c for c in rows if c.id is not None}


def coordinator_of(*, session: Session, event: Event) -> User | None:
    """Who coordinates the event: its own coordinator, else its campaign's (as on the
    printed briefing, the feed and the e-mails)."""
    user_id = event.coordinator_user_id
    if user_id is None:
        campaign = session.get(Campaign, event.campaign_id)
        user_id = campaign.coordinator_user_id if campaign else None
    return session.get(User, user_id) if user_id is not None else None


@dataclass(frozen=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""


def coordinator_contact(*, session: Session, event: Event) -> Contact | None:
    """How the team reaches the event's coordinator: e-mail, and phone where their account
    is linked to a person with one."""
    user = coordinator_of(session=session, event=event)
    person = session.get(Person, user.person_id) if user and user.person_id is not None else None
    if user is None:
        return None
    name = user.full_name or (person.name if person else "") or user.email
    return Contact(name, user.email, person.phone if person else "")


def event_starts(*, session: Session, filters: EventFilters, limit: int) -> list[tuple[int, datetime]]:
    """(id, starts_at) of the matching events, in order: enough to lay out a calendar
    without loading every event in it."""
    query = filtered(select(Event.id, Event.starts_at).order_by(col(Event.starts_at), col(Event.id)), filters)
    return [(int(i), start) for i, start in session.exec(query.limit(limit)).all()]


def network_needs_of(*, session: Session, event_ids: list[int]) -> dict[int, list[NetworkNeed]]:
    result: dict[int, list[NetworkNeed]] = {eid: [] for eid in event_ids}
    if not event_ids:
        return result
    rows = session.exec(
        select(EventNetworkNeed, Network.name)
        .join(Network, col(Network.id) == EventNetworkNeed.network_id)
        .where(col(EventNetworkNeed.event_id).in_(event_ids))
        .order_by(col(Network.name))
    ).all()
    for need, name in rows:
        result[need.event_id].append(NetworkNeed(need.network_id, name, need.min_count))
    return result


def _check_times(*, starts_at: datetime, ends_at: datetime, actor: Actor) -> None:
    if ends_at <= starts_at:
        raise Invalid("the event must end after it starts")
    if ends_at - starts_at > timedelta(days=7):
        raise Invalid("an event may last at most 7 days")
    if starts_at < utcnow() and not actor.is_admin:
        raise Invalid("an event cannot be booked in the past (administrators may record past events)")


def _check_references(session: Session, data: dict[str, Any]) -> None:
    if "campaign_id" in data and session.get(Campaign, data["campaign_id"]) is None:
        raise Invalid(f"campaign {data['campaign_id']} does not exist")
    if "venue_id" in data:
        venue = _hold_venue(session, data["venue_id"])
        if venue is None:
            raise Invalid(f"venue {data['venue_id']} does not exist")
        if not venue.active:
            raise Invalid(f"venue {venue.name} is no longer in use")


def _hold_venue(session: Session, venue_id: int) -> Venue | None:
    """The venue an event is being booked at, read afresh and held until the booking is
    written, so that it cannot be taken out of use meanwhile (``FOR SHARE`` on PostgreSQL;
    the database write lock on SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        begin_write(session)
        return session.get(Venue, venue_id, populate_existing=True)
    return session.get(Venue, venue_id, populate_existing=True, with_for_update={"read": True})


def _set_network_needs(session: Session, event_id: int, needs: list[dict[str, int]]) -> None:
    seen: set[int] = set()
    for need in needs:
        if need["network_id"] in seen:
            raise Invalid(f"network {need['network_id']} is listed twice in network_needs")
        seen.add(need["network_id"])
        if session.get(Network, need["network_id"]) is None:
            raise Invalid(f"network {need['network_id']} does not exist")
    for old in session.exec(select(EventNetworkNeed).where(EventNetworkNeed.event_id == event_id)).all():
        session.delete(old)
    session.flush()
    for need in needs:
        session.add(
            EventNetworkNeed(event_id=event_id, network_id=need["network_id"], min_count=need["min_count"])
        )


def _needs_snapshot(session: Session, event_id: int) -> list[dict[str, int]]:
    return [
        {"network_id": n.network_id, "min_count": n.min_count}
        for n in network_needs_of(session=session, event_ids=[event_id])[event_id]
    ]


def create_event(
    *, session: Session, actor: Actor, data: dict[str, Any], warnings: Gate | None = None
) -> Event:
    """Book a session at a venue; it starts as a draft unless confirmed straight away. With
    ``warnings``, its planning warnings are refused (409) until acknowledged."""
    data = dict(data)
    needs = data.pop("network_needs", [])
    _check_references(session, data)
    _check_times(starts_at=data["starts_at"], ends_at=data["ends_at"], actor=actor)
    accepted = warnings.check(session, data) if warnings else []
    status = EventStatus(data.get("status", EventStatus.draft))
    if status not in (EventStatus.draft, EventStatus.confirmed) and not actor.is_admin:
        raise Invalid("a new event is either draft or confirmed")
    if "coordinator_user_id" not in data and actor.role in ("coordinator", "admin"):
        data["coordinator_user_id"] = actor.user_id
    event = Event(**data)
    session.add(event)
    session.flush()
    assert event.id is not None
    _set_network_needs(session, event.id, needs)
    venue = session.get(Venue, event.venue_id)
    summary = f"event '{event.title}' booked at {venue.name if venue else event.venue_id}"
    audit.note(
        session, actor, "create", event, summary, after={**audit.snapshot(event), "network_needs": needs}
    )
    note_acknowledged(session, actor, event, accepted, doing="booked")
    session.commit()
    return event


def _team(session: Session, event_id: int) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment).where(
                Assignment.event_id == event_id,
                col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
            )
        ).all()
    )


def team_clashes(*, session: Session, event: Event, team: list[Assignment]) -> dict[int, list[Clash]]:
    """For an event at its (possibly new) time and place: each team member's clashes (a
    member who has since left the force is not a clash of the move)."""
    found = booking.clashes_at(session=session, event=event, person_ids=[a.person_id for a in team])
    kept = {pid: [c for c in cs if c.code != "inactive"] for pid, cs in found.items()}
    return {pid: cs for pid, cs in kept.items() if cs}


def lock_event(*, session: Session, event_id: int) -> Event:
    """The event, read afresh and locked for a change (``records.lock``)."""
    return records.lock(session, Event, event_id, "event")


def update_event(
    *,
    session: Session,
    actor: Actor,
    event_id: int,
    changes: dict[str, Any],
    accept_conflicts: bool = False,
    expected: records.Expected = None,
    warnings: Gate | None = None,
) -> tuple[Event, dict[int, list[Clash]]]:
    """Change an event, in one transaction and one revision however many fields change.

    The event is locked first, so concurrent changes follow one another; ``expected``
    (from ``If-Match``) refuses the change with 412 if the event has moved on. Moving it
    re-checks its team: the clashes it would create are refused (409) unless
    ``accept_conflicts``, when the clashing assignments are marked with a note — never
    deleted. With ``warnings``, a move's planning warnings are refused (409) until acknowledged."""
    changes = dict(changes)
    needs = changes.pop("network_needs", None)
    status = changes.pop("status", None)
    get_event(session=session, event_id=event_id)
    # The new venue before the event: the order in which taking a venue out of use locks them.
    _check_references(session, changes)
    event = lock_event(session=session, event_id=event_id)
    records.check_revision(session, event, expected)
    if event.status in (EventStatus.completed, EventStatus.cancelled) and (changes or needs is not None):
        raise Invalid(f"event {event_id} is {event.status}; reopen it as a draft before changing it")
    if changes.get("public") is True and not event.public and "venue_id" not in changes:
        venue = session.get(Venue, event.venue_id)
        if venue is not None and not venue.active:
            raise Invalid(
                f"venue {venue.name} is no longer in use: move the event to another venue before publishing it"
            )
    moving = any(
        k in changes and changes[k] != getattr(event, k) for k in ("starts_at", "ends_at", "venue_id")
    )
    team = _team(session, event_id)
    if moving:
        booking.lock_people(session, [a.person_id for a in team])
        starts_at = changes.get("starts_at", event.starts_at)
        ends_at = changes.get("ends_at", event.ends_at)
        _check_times(starts_at=starts_at, ends_at=ends_at, actor=actor)
    where = {k: getattr(event, k) for k in ("venue_id", "starts_at", "ends_at")} | changes
    accepted = warnings.check(session, where) if warnings and moving else []
    before = {**audit.snapshot(event), "network_needs": _needs_snapshot(session, event_id)}
    for key, value in changes.items():
        setattr(event, key, value)
    if moving and event.partner_status != PartnerStatus.pending:
        # The venue answered for the old time and place: it is asked afresh about the new.
        event.partner_status = PartnerStatus.pending
        event.partner_message = ""
    found: dict[int, list[Clash]] = {}
    if moving:
        found = team_clashes(session=session, event=event, team=team)
        if found and not accept_conflicts:
            session.rollback()
            raise Conflict(
                "moving the event creates conflicts for its team: "
                + "; ".join(c.message for cs in found.values() for c in cs)
                + ". Send accept_conflicts=true to move it anyway and mark those assignments.",
                extra={"conflicts": booking.clashes_body(found)},
            )
        for assignment in team:
            note = "; ".join(c.message for c in found.get(assignment.person_id, []))
            if note != assignment.conflict_note:
                assignment.conflict_note = note[:500]
                assignment.revision += 1
                assignment.updated_at = utcnow()
                session.add(assignment)
    if needs is not None:
        _set_network_needs(session, event_id, needs)
    was = EventStatus(event.status)
    if status is not None and EventStatus(status) != was:
        _apply_status(event, EventStatus(status), actor=actor)
    after = {**audit.snapshot(event), "network_needs": _needs_snapshot(session, event_id)}
    if after == before:
        session.commit()  # nothing changed: the revision stays, and the lock goes
        return event, found
    records.bump(event)
    session.add(event)
    session.flush()
    status_only = {k for k in after if after[k] != before.get(k)} <= {"status", "cancelled_reason"}
    now_status = EventStatus(event.status)
    if status_only:
        action = "cancel" if now_status == EventStatus.cancelled else "status"
        summary = f"event '{event.title}' {was.value} → {now_status.value}"
    else:
        action = "update"
        summary = f"event '{event.title}' changed" + (" (moved; conflicts accepted)" if found else "")
        if now_status != was:
            summary += f" ({was.value} → {now_status.value})"
    after = {**audit.snapshot(event), "network_needs": after["network_needs"]}
    audit.note(session, actor, action, event, summary, before=before, after=after)
    note_acknowledged(session, actor, event, accepted, doing="moved")
    session.commit()
    return event, found


def _apply_status(event: Event, status: EventStatus, *, actor: Actor, reason: str = "") -> None:
    """Move a (locked) event to ``status`` if the rules allow; the caller audits and commits."""
    current = EventStatus(event.status)
    if status not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[current])) or "nothing"
        raise Invalid(f"event {event.id} is {current.value}; it can only become: {allowed}")
    if status == EventStatus.completed and event.ends_at > utcnow():
        raise Invalid(f"event {event.id} has not ended yet, so it cannot be completed")
    if current == EventStatus.cancelled and event.starts_at < utcnow() and not actor.is_admin:
        raise Invalid(f"event {event.id} is in the past and cannot be reopened")
    event.status = status
    if status == EventStatus.cancelled:
        event.cancelled_reason = reason[:500]
    elif current == EventStatus.cancelled:
        event.cancelled_reason = ""


def set_status(
    *,
    session: Session,
    actor: Actor,
    event_id: int,
    status: EventStatus,
    reason: str = "",
    expected: records.Expected = None,
) -> Event:
    """Move an event along draft → confirmed → completed, or to cancelled (and back to draft)."""
    event = lock_event(session=session, event_id=event_id)
    records.check_revision(session, event, expected)
    current = EventStatus(event.status)
    if status == current:
        session.commit()
        return event
    before = audit.snapshot(event)
    _apply_status(event, status, actor=actor, reason=reason)
    records.bump(event)
    session.add(event)
    action = "cancel" if status == EventStatus.cancelled else "status"
    summary = f"event '{event.title}' {current.value} → {status.value}" + (f": {reason}" if reason else "")
    audit.note(session, actor, action, event, summary, before=before, after=audit.snapshot(event))
    session.commit()
    return event


def cancel_event(
    *, session: Session, actor: Actor, event_id: int, reason: str = "", expected: records.Expected = None
) -> Event:
    """Cancel, keeping the event and its assignments on record (calendars show it cancelled)."""
    return set_status(
        session=session,
        actor=actor,
        event_id=event_id,
        status=EventStatus.cancelled,
        reason=reason,
        expected=expected,
    )


def staffing_states(*, session: Session, events: list[Event]) -> dict[int, StaffingState]:
    """Staffing state of many events in five queries."""
    ids = [e.id for e in events if e.id is not None]
    if not ids:
        return {}
    needs = network_needs_of(session=session, event_ids=ids)
    # Plain columns, not whole rows: a dashboard asks for hundreds of events at once.
    # Active ones are picked out here rather than in SQL: a status filter tempts SQLite into
    # walking its (unselective) status index instead of the event one.
    rows = [
        row
        for row in session.exec(
            select(Assignment.event_id, Assignment.person_id, Assignment.role, Assignment.status).where(
                col(Assignment.event_id).in_(ids)
            )
        ).all()
        if row[3] in ACTIVE_ASSIGNMENT_STATUSES
    ]
    person_ids = sorted({row[1] for row in rows})
    networks: dict[int, set[int]] = {pid: set() for pid in person_ids}
    spoken: dict[int, frozenset[str]] = {}
    if person_ids:
        for person_id, languages in session.exec(
            select(Person.id, Person.languages).where(col(Person.id).in_(person_ids))
        ).all():
            spoken[int(person_id or 0)] = frozenset(languages or [])
        for person_id, network_id in session.exec(
            select(Representation.person_id, Representation.network_id).where(
                col(Representation.person_id).in_(person_ids)
            )
        ).all():
            networks[person_id].add(network_id)
    teams: dict[int, list[TeamMember]] = {eid: [] for eid in ids}
    for event_id, person_id, role, status in rows:
        teams[event_id].append(
            TeamMember(
                person_id=person_id,
                role=role,
                status=status,
                network_ids=frozenset(networks[person_id]),
                languages=spoken.get(person_id, frozenset()),
            )
        )
    return {
        e.id: staffing_state(
            ambassadors_needed=e.ambassadors_needed,
            recruiters_needed=e.recruiters_needed,
            network_needs=needs[e.id],
            wanted_languages=list(e.wanted_languages or []),
            team=teams[e.id],
        )
        for e in events
        if e.id is not None
    }


def staffing_of(*, session: Session, event_id: int) -> StaffingState:
    event = get_event(session=session, event_id=event_id)
    assert event.id is not None
    return staffing_states(session=session, events=[event])[event.id]
