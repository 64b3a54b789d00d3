"""Workflows built from the event service: booking one session at many venues, copying an
event, the venue's answer (given, and asked again after a decline), and deciding which
events need a coordinator's attention.

Each booking goes through ``service.create_event``, so every rule and audit entry of a
single booking applies to each venue of a bulk one.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app import records
from app.accounts.principal import Principal
from app.assignments.models import Assignment
from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.enums import AssignmentStatus, EventStatus, PartnerStatus, Role
from app.errors import AppError, Forbidden, Invalid
from app.events import service
from app.events.models import Event
from app.events.staffing import StaffingState
from app.planning.acknowledge import Gate, Unacknowledged, VenueWarnings
from app.planning.warnings import PlanningWarning, warnings_for_many
from app.venues.models import Venue
from app.venues.service import NO_LONGER_IN_USE


@dataclass
class VenueBooking:
    """What happened at one venue of a bulk booking: the event, or why there is none."""

    venue_id: int
    venue_name: str
    event: Event | None = None
    reason: str = ""
    # The planning warnings of booking this venue then, acknowledged by whoever booked it.
    warnings: list[PlanningWarning] = field(default_factory=list)

    @property
    def booked(self) -> bool:
        return self.event is not None


def _clashing_booking(
    session: Session, venue_id: int, starts_at: datetime, ends_at: datetime
) -> Event | None:
    return session.exec(
        select(Event).where(
            Event.venue_id == venue_id,
            Event.status != EventStatus.cancelled,
            Event.starts_at < ends_at,
            Event.ends_at > starts_at,
        )
    ).first()


def book_at_venues(
    *,
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    venue_ids: list[int],
    warnings: Gate | None = None,
) -> list[VenueBooking]:
    """Book the same session at each venue; one venue's refusal does not stop the others.

    A venue that already has an event at that time is not double-booked: the partner
    would have two police stands in one foyer. With ``warnings``, the planning warnings of
    every venue are worked out first (in one go) and, until acknowledged, refused together
    (409) before anything is booked.
    """
    if not venue_ids:
        raise Invalid("choose at least one venue")
    venues = {v.id: v for v in session.exec(select(Venue).where(col(Venue.id).in_(venue_ids))).all() if v.id}
    results: list[VenueBooking] = []
    to_book: list[tuple[VenueBooking, Venue]] = []
    for venue_id in venue_ids:
        venue = venues.get(venue_id)
        if venue is None:
            results.append(VenueBooking(venue_id, f"Venue {venue_id}", reason="this venue does not exist"))
            continue
        outcome = VenueBooking(venue_id, venue.name)
        results.append(outcome)
        clash = _clashing_booking(session, venue_id, data["starts_at"], data["ends_at"])
        if clash is not None:
            start = to_london(clash.starts_at)
            outcome.reason = (
                f"already booked for '{clash.title}' ({start:%a %-d %b %H:%M}–"
                f"{to_london(clash.ends_at):%H:%M}, event {clash.id})"
            )
            continue
        to_book.append((outcome, venue))
    if warnings is not None:
        _warn_in_bulk(session, to_book, data, warnings)
    for outcome, venue in to_book:
        title = str(data.get("title") or "").strip() or f"Police recruitment at {venue.name}"
        gate = Gate(acknowledged=True, known=tuple(outcome.warnings)) if warnings is not None else None
        try:
            outcome.event = service.create_event(
                session=session,
                actor=actor,
                data={**data, "title": title, "venue_id": outcome.venue_id},
                warnings=gate,
            )
        except AppError as exc:
            session.rollback()
            outcome.reason = exc.detail
    return results


def _warn_in_bulk(
    session: Session, to_book: list[tuple[VenueBooking, Venue]], data: dict[str, Any], gate: Gate
) -> None:
    """Each venue's planning warnings onto its outcome, or all of them refused together."""
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    if ends_at <= starts_at or not to_book:
        return  # each booking says what is wrong with its times
    found = warnings_for_many(session, items=[(venue, starts_at, ends_at) for _, venue in to_book])
    for (outcome, _), venue_warnings in zip(to_book, found, strict=True):
        outcome.warnings = venue_warnings
    if not gate.accepts([w for ws in found for w in ws]):
        raise Unacknowledged(
            [VenueWarnings(o.venue_id, o.venue_name, o.warnings) for o, _ in to_book if o.warnings], bulk=True
        )


def duplicate_event(
    *, session: Session, actor: Actor, event_id: int, starts_at: datetime, warnings: Gate | None = None
) -> Event:
    """A new draft with the same venue, text and staffing needs, at another time (its
    planning warnings refused until acknowledged, with ``warnings``).

    The team is not copied: people are asked for each event on its own.
    """
    original = service.get_event(session=session, event_id=event_id)
    assert original.id is not None
    needs = service.network_needs_of(session=session, event_ids=[original.id])[original.id]
    length = original.ends_at - original.starts_at
    data = {
        "campaign_id": original.campaign_id,
        "venue_id": original.venue_id,
        "title": original.title,
        "starts_at": starts_at,
        "ends_at": starts_at + length,
        "status": EventStatus.draft,
        "public": original.public,
        "public_description": original.public_description,
        "internal_notes": original.internal_notes,
        "what_to_bring": original.what_to_bring,
        "ambassadors_needed": original.ambassadors_needed,
        "recruiters_needed": original.recruiters_needed,
        "wanted_languages": list(original.wanted_languages or []),
        "network_needs": [{"network_id": n.network_id, "min_count": n.min_count} for n in needs],
    }
    return service.create_event(session=session, actor=actor, data=data, warnings=warnings)


def ask_venue_again(
    *, session: Session, actor: Actor, event_id: int, expected: records.Expected = None
) -> Event:
    """After the venue declined: ask it again about the same booking (its answer goes back
    to pending, and the event is listed publicly again if it is public)."""
    event = service.lock_event(session=session, event_id=event_id)
    records.check_revision(session, event, expected)
    if event.partner_status != PartnerStatus.declined:
        raise Invalid(f"the venue has not declined event {event_id}, so there is nothing to ask again")
    if event.status not in (EventStatus.draft, EventStatus.confirmed) or event.ends_at <= utcnow():
        raise Invalid(f"event {event_id} is {event.status} or over; there is nothing to ask the venue")
    return records.update(
        session=session,
        actor=actor,
        record=event,
        changes={"partner_status": PartnerStatus.pending, "partner_message": ""},
        action="partner",
        summary=f"asked the venue again about '{event.title}' after it declined",
    )


def respond_as_partner(
    *, session: Session, principal: Principal, event_id: int, status: PartnerStatus, message: str = ""
) -> Event:
    """The venue partner confirms or declines a booking at their venue, with a message."""
    event = service.lock_event(session=session, event_id=event_id)
    if principal.role == Role.partner:
        service.check_can_see(principal, event)
    elif not principal.is_planner:
        raise Forbidden("only the venue's partner can answer a booking")
    if status == PartnerStatus.pending:
        raise Invalid("answer a booking with confirmed or declined")
    if event.status in (EventStatus.cancelled, EventStatus.completed):
        raise Invalid(f"event {event_id} is {event.status}; there is nothing to answer")
    return records.update(
        session=session,
        actor=principal.actor,
        record=event,
        changes={"partner_status": status, "partner_message": message[:2000]},
        action="partner",
        summary=f"venue partner {status.value} '{event.title}'" + (f": {message[:200]}" if message else ""),
    )


@dataclass
class Attention:
    """Why an upcoming event needs a coordinator now; ``urgent`` when it is close."""

    event: Event
    reasons: list[str] = field(default_factory=list)
    urgent: bool = False


ATTENTION_DAYS = 14
"""How far ahead the dashboard looks for problems."""


def attention_reasons(
    *,
    event: Event,
    state: StaffingState | None,
    now: datetime,
    declined: int = 0,
    conflicted: int = 0,
    venue_in_use: bool = True,
) -> Attention | None:
    """The problems of one upcoming event, most pressing first; None when all is well."""
    if event.status not in (EventStatus.draft, EventStatus.confirmed) or event.ends_at <= now:
        return None
    reasons: list[str] = []
    soon = event.starts_at - now < timedelta(days=7)
    if not venue_in_use:
        reasons.append(NO_LONGER_IN_USE)
    if conflicted:
        reasons.append(f"{conflicted} of the team flagged (a clash, time away or a limit): see the team")
    if event.partner_status == PartnerStatus.declined:
        reasons.append("the venue declined the booking")
    if state is not None and not state.filled:
        reasons.extend(state.unmet)
    if event.status == EventStatus.draft and event.starts_at - now < timedelta(days=14):
        reasons.append("still a draft")
    if event.partner_status == PartnerStatus.pending and soon:
        reasons.append("the venue has not confirmed yet")
    if not reasons:
        return None
    if declined:
        reasons.append(f"{declined} declined their place")
    return Attention(event=event, reasons=reasons, urgent=soon)


def needing_attention(
    *,
    session: Session,
    events: list[Event],
    states: dict[int, StaffingState],
    now: datetime | None = None,
) -> list[Attention]:
    """The events among ``events`` that need attention, soonest first (three queries)."""
    now = now or utcnow()
    ids = [e.id for e in events if e.id is not None]
    declined: dict[int, int] = {}
    conflicted: dict[int, int] = {}
    retired: set[int] = set()
    if ids:
        retired = {
            int(venue_id or 0)
            for venue_id in session.exec(
                select(Venue.id).where(
                    col(Venue.id).in_({e.venue_id for e in events}), col(Venue.active).is_(False)
                )
            ).all()
        }
        rows = session.exec(
            select(Assignment.event_id, Assignment.status, Assignment.conflict_note).where(
                col(Assignment.event_id).in_(ids),
                or_(col(Assignment.status) == AssignmentStatus.declined, col(Assignment.conflict_note) != ""),
            )
        ).all()
        for event_id, status, note in rows:
            if status == AssignmentStatus.declined:
                declined[event_id] = declined.get(event_id, 0) + 1
            elif note:
                conflicted[event_id] = conflicted.get(event_id, 0) + 1
    found = []
    for event in sorted(events, key=lambda e: (e.starts_at, e.id or 0)):
        assert event.id is not None
        item = attention_reasons(
            event=event,
            state=states.get(event.id),
            now=now,
            declined=declined.get(event.id, 0),
            conflicted=conflicted.get(event.id, 0),
            venue_in_use=event.venue_id not in retired,
        )
        if item is not None:
            found.append(item)
    return found
