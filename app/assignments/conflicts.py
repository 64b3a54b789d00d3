"""Duties that a person's own change puts at risk: time away over them, a lower monthly or
weekly limit, a withdrawn network opt-in.

The change is still allowed (people do go on training); the duties it affects are listed
before saving, then flagged with ``Assignment.conflict_note`` so the coordinator sees them on
the dashboard and the event page until someone resolves them. Each kind of flag starts with
its own words, so that undoing the change clears only the flags it raised.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.assignments.rules import away_span, overlaps
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import london_month_bounds, london_week_bounds, to_london, utcnow
from app.enums import EventStatus
from app.errors import Conflict
from app.events.models import Event, EventNetworkNeed
from app.outcomes.counting import counted_duty_clause
from app.people.models import Person, Unavailability
from app.venues.models import Venue

UNAVAILABLE = "Unavailable"
OVER_LIMIT = "Over their limit"
NOT_REPRESENTING = "No longer represents"
ASKS_RELEASE = "asks to be released"
OWN_FLAGS = (UNAVAILABLE, OVER_LIMIT, NOT_REPRESENTING)
"""The beginnings of the flags raised here (a moved event's clashes name the other duty)."""

Duty = tuple[Assignment, Event, Venue]


@dataclass(frozen=True)
class Affected:
    """One upcoming duty a change puts at risk, and why, in words for people."""

    assignment: Assignment
    event: Event
    venue: Venue
    reason: str

    def body(self) -> dict[str, Any]:
        """As the API lists it in a 409 and in the audit trail."""
        return {
            "assignment_id": self.assignment.id,
            "event_id": self.event.id,
            "title": self.event.title,
            "venue_name": self.venue.name,
            "starts_at": to_london(self.event.starts_at).isoformat(),
            "ends_at": to_london(self.event.ends_at).isoformat(),
            "status": str(self.assignment.status),
            "reason": self.reason,
        }


def held(*, session: Session, person_id: int, since: datetime) -> list[Duty]:
    """The person's proposed and confirmed places on draft or confirmed events ending after
    ``since``, soonest first."""
    rows = session.exec(
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(
            Assignment.person_id == person_id,
            counted_duty_clause(),
            Event.ends_at > since,
            col(Event.status).in_((EventStatus.draft, EventStatus.confirmed)),
        )
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    return [(a, e, v) for a, e, v in rows]


def by_away(
    *, session: Session, person_id: int, starts_at: datetime, ends_at: datetime, reason: str
) -> list[Affected]:
    """Upcoming duties inside the time away."""
    why = f"{UNAVAILABLE} ({reason.replace('_', ' ')}): {away_span(starts_at, ends_at)}"
    return [
        Affected(a, e, v, why)
        for a, e, v in held(session=session, person_id=person_id, since=utcnow())
        if overlaps(e.starts_at, e.ends_at, starts_at, ends_at)
    ]


def _over(
    duties: list[Duty],
    limit: int | None,
    period: Callable[[datetime], datetime],
    words: Callable[[datetime], str],
) -> dict[int, str]:
    """The duties beyond ``limit`` in their period (the latest ones), by assignment id."""
    if limit is None:
        return {}
    found: dict[int, str] = {}
    counted: dict[datetime, int] = {}
    for assignment, event, _venue in duties:
        key = period(event.starts_at)
        counted[key] = counted.get(key, 0) + 1
        if counted[key] > limit and assignment.id is not None:
            found[assignment.id] = words(event.starts_at)
    return found


def by_limits(
    *, session: Session, person: Person, monthly_limit: int, weekly_limit: int | None
) -> list[Affected]:
    """Upcoming duties beyond the (new) limits: in each London month and week the latest
    ones past the limit, counting the duties already done this month or week."""
    assert person.id is not None
    now = utcnow()
    since = min(london_month_bounds(now)[0], london_week_bounds(now)[0])
    duties = held(session=session, person_id=person.id, since=since)
    monthly = _over(
        duties,
        monthly_limit,
        lambda at: london_month_bounds(at)[0],
        lambda at: f"{OVER_LIMIT} of {monthly_limit} a month in {to_london(at):%B %Y}",
    )
    weekly = _over(
        duties,
        weekly_limit,
        lambda at: london_week_bounds(at)[0],
        lambda at: (
            f"{OVER_LIMIT} of {weekly_limit} a week (week of {to_london(london_week_bounds(at)[0]):%a %-d %b})"
        ),
    )
    found = []
    for assignment, event, venue in duties:
        reasons = [r for r in (monthly.get(assignment.id or 0), weekly.get(assignment.id or 0)) if r]
        if reasons and event.ends_at > now:
            found.append(Affected(assignment, event, venue, "; ".join(reasons)))
    return found


def by_withdrawal(*, session: Session, person_id: int, network_id: int) -> list[Affected]:
    """Upcoming duties on events that ask for the network the person stops representing. The
    flag does not name the network: it is shown in the person's calendar feed and e-mails,
    which must never say which network anyone represents."""
    needing = set(
        session.exec(select(EventNetworkNeed.event_id).where(EventNetworkNeed.network_id == network_id)).all()
    )
    why = f"{NOT_REPRESENTING} a network this event asks for"
    return [
        Affected(a, e, v, why)
        for a, e, v in held(session=session, person_id=person_id, since=utcnow())
        if e.id in needing
    ]


def refuse_unless_accepted(affected: list[Affected], *, accept: bool, change: str) -> None:
    """409 listing the affected duties, unless the caller has seen them (``accept``)."""
    if affected and not accept:
        titles = "; ".join(f"'{a.event.title}' ({a.reason})" for a in affected)
        raise Conflict(
            f"{change} affects {len(affected)} upcoming duty(s): {titles}. "
            "Send accept_conflicts=true to save it anyway: each duty is flagged to the coordinator.",
            extra={"affected": [a.body() for a in affected]},
        )


def _set_note(
    session: Session, actor: Actor, assignment: Assignment, event: Event, note: str, summary: str
) -> None:
    before = audit.snapshot(assignment)
    assignment.conflict_note = note[:500]
    # The personal calendar shows the note, so its SEQUENCE moves on.
    assignment.revision += 1
    assignment.updated_at = utcnow()
    session.add(assignment)
    audit.note(
        session,
        actor,
        "update",
        assignment,
        f"'{event.title}': {summary}",
        before=before,
        after=audit.snapshot(assignment),
    )


def flag(*, session: Session, actor: Actor, affected: list[Affected], release: Iterable[int] = ()) -> None:
    """Mark each affected duty for the coordinator; ``release`` holds the assignment ids the
    person asks to be released from. The caller commits."""
    asked = set(release)
    for item in affected:
        note = item.reason + (f" – {ASKS_RELEASE}" if item.assignment.id in asked else "")
        if note != item.assignment.conflict_note:
            _set_note(session, actor, item.assignment, item.event, note, f"flagged: {note}")


def clear(*, session: Session, actor: Actor, assignment: Assignment, event: Event, why: str) -> None:
    """Take the flag off one duty (the caller commits)."""
    if assignment.conflict_note:
        _set_note(session, actor, assignment, event, "", f"flag cleared ({why})")


def clear_resolved(*, session: Session, actor: Actor, person: Person, opted_in: int | None = None) -> int:
    """Clear the flags raised here that no longer hold: time away since removed, limits since
    raised, an opt-in given again (``opted_in``: the network the person now represents again).
    How many were cleared; the caller commits."""
    assert person.id is not None
    now = utcnow()
    duties = [
        d
        for d in held(session=session, person_id=person.id, since=now)
        if d[0].conflict_note.startswith(OWN_FLAGS)
    ]
    if not duties:
        return 0
    away = session.exec(
        select(Unavailability).where(Unavailability.person_id == person.id, Unavailability.ends_at > now)
    ).all()
    over = {
        a.assignment.id
        for a in by_limits(
            session=session,
            person=person,
            monthly_limit=person.monthly_limit,
            weekly_limit=person.max_duties_per_week,
        )
    }
    needs: set[int] = set()
    if opted_in is not None:
        needs = set(
            session.exec(
                select(EventNetworkNeed.event_id).where(
                    EventNetworkNeed.network_id == opted_in,
                    col(EventNetworkNeed.event_id).in_([e.id for _, e, _ in duties]),
                )
            ).all()
        )
    cleared = 0
    for assignment, event, _venue in duties:
        note = assignment.conflict_note
        if note.startswith(UNAVAILABLE):
            holds = any(overlaps(event.starts_at, event.ends_at, u.starts_at, u.ends_at) for u in away)
        elif note.startswith(OVER_LIMIT):
            holds = assignment.id in over
        else:
            holds = event.id not in needs
        if not holds:
            clear(session=session, actor=actor, assignment=assignment, event=event, why="no longer applies")
            cleared += 1
    return cleared
