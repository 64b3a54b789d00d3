"""The coordinators' daily digest: what needs a planner's attention today.

Declines in the last day, duties flagged since booking (a clash, time away, a lowered
limit), events in the next week still short of people, bookings a venue declined, and past
events whose outcome is not recorded. People are named with their
role only: a digest never says which network anyone represents (an unmet need may name
a network, as the planner's pages do).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.assignments.models import Assignment
from app.clock import utcnow
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, EventStatus, PartnerStatus, Role, label
from app.events.models import Event
from app.events.service import staffing_states
from app.notifications import links
from app.notifications.composed import Composed, Skip
from app.notifications.messages.duty import LIVE_EVENT
from app.notifications.models import OutboxMessage
from app.notifications.render import render_email
from app.pages.rendering import _day, span
from app.people.models import Person
from app.venues.models import Venue

CATEGORY = "digest"
DECLINES_SINCE = timedelta(hours=24)
GAPS_AHEAD = timedelta(days=7)
OUTCOMES_SINCE = timedelta(days=30)
# A digest is a prompt, not a report: longer lists end with a link to the full page.
MOST_SHOWN = 50


@dataclass
class Item:
    title: str
    url: str
    when: str
    venue: str
    detail: str


@dataclass
class Section:
    heading: str
    key: str
    items: list[Item]
    more: int = 0


def _item(event: Event, venues: dict[int, str], detail: str) -> Item:
    return Item(
        title=event.title,
        url=f"{links.base_url()}/plan/events/{event.id}",
        when=span(event.starts_at, event.ends_at, short=True),
        venue=venues.get(event.venue_id, ""),
        detail=detail,
    )


def _venue_names(session: Session, events: list[Event]) -> dict[int, str]:
    ids = sorted({e.venue_id for e in events})
    if not ids:
        return {}
    rows = session.exec(select(Venue.id, Venue.name).where(col(Venue.id).in_(ids))).all()
    return {int(v): name for v, name in rows if v is not None}


def _section(heading: str, key: str, items: list[Item]) -> Section:
    return Section(heading, key, items[:MOST_SHOWN], max(0, len(items) - MOST_SHOWN))


def _duties(session: Session, *where: Any) -> list[tuple[Assignment, Person, Event]]:
    """Duties meeting these conditions, with their person and event, soonest event first."""
    rows = session.exec(
        select(Assignment, Person, Event)
        .join(Person, col(Person.id) == Assignment.person_id)
        .join(Event, col(Event.id) == Assignment.event_id)
        .where(*where)
        .order_by(col(Event.starts_at), col(Event.id), col(Person.name))
    ).all()
    return [(a, p, e) for a, p, e in rows]


def _declines(session: Session, now: datetime) -> list[tuple[Assignment, Person, Event]]:
    return _duties(
        session,
        Assignment.status == AssignmentStatus.declined,
        Assignment.updated_at >= now - DECLINES_SINCE,
        Event.status != EventStatus.cancelled,
        Event.ends_at > now,
    )


def _flagged(session: Session, now: datetime) -> list[tuple[Assignment, Person, Event]]:
    """Duties on upcoming events flagged since booking: a clash, time away, a limit."""
    return _duties(
        session,
        col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
        col(Assignment.conflict_note) != "",
        col(Event.status).in_(LIVE_EVENT),
        Event.ends_at > now,
    )


def _live_events(session: Session, *where: Any) -> list[Event]:
    """Draft and confirmed events that meet these conditions, soonest first."""
    query = select(Event).where(col(Event.status).in_(LIVE_EVENT), *where)
    return list(session.exec(query.order_by(col(Event.starts_at), col(Event.id))).all())


def _upcoming(session: Session, now: datetime) -> list[Event]:
    return _live_events(session, Event.starts_at > now, Event.starts_at <= now + GAPS_AHEAD)


def _partner_declined(session: Session, now: datetime) -> list[Event]:
    return _live_events(session, Event.partner_status == PartnerStatus.declined, Event.starts_at > now)


def _outcomes_waiting(session: Session, now: datetime) -> list[Event]:
    return _live_events(session, Event.ends_at <= now, Event.ends_at > now - OUTCOMES_SINCE)


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + "."


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def sections_for(session: Session) -> list[Section]:
    """The digest's five sections as of now, in the order they are shown."""
    now = utcnow()
    declines = _declines(session, now)
    flagged = _flagged(session, now)
    upcoming = _upcoming(session, now)
    states = staffing_states(session=session, events=upcoming)
    gaps = [e for e in upcoming if e.id is not None and not states[e.id].filled]
    refused = _partner_declined(session, now)
    past = _outcomes_waiting(session, now)
    venues = _venue_names(session, [e for *_, e in declines + flagged] + gaps + refused + past)
    decline_items = [
        _item(
            event,
            venues,
            f"{person.name} ({label(assignment.role).lower()}) declined: "
            + (assignment.decline_reason or "no reason given"),
        )
        for assignment, person, event in declines
    ]
    flagged_items = [
        _item(event, venues, f"{person.name} ({label(assignment.role).lower()}): {assignment.conflict_note}")
        for assignment, person, event in flagged
    ]
    gap_items = [_item(e, venues, _sentence("; ".join(states[e.id or 0].unmet))) for e in gaps]
    refused_items = [
        _item(e, venues, "The venue declined" + (f": {e.partner_message}" if e.partner_message else "."))
        for e in refused
    ]
    past_items = [
        _item(e, venues, f"Ended {_day(e.ends_at)} and still marked {label(e.status).lower()}.") for e in past
    ]
    return [
        _section("Declined in the last 24 hours", "declines", decline_items),
        _section("Duties flagged since booking: clashes, time away, limits", "flagged", flagged_items),
        _section("Short of people in the next 7 days", "gaps", gap_items),
        _section("Bookings declined by the venue", "venue_declines", refused_items),
        _section("Outcomes to record", "outcomes", past_items),
    ]


def _summary(sections: list[Section]) -> str:
    declines, flagged, gaps, refused, past = (len(s.items) + s.more for s in sections)
    parts = [
        _plural(declines, "decline", "declines") if declines else "",
        _plural(flagged, "duty flagged", "duties flagged") if flagged else "",
        _plural(gaps, "event short of people", "events short of people") if gaps else "",
        _plural(refused, "booking declined by a venue", "bookings declined by venues") if refused else "",
        _plural(past, "outcome to record", "outcomes to record") if past else "",
    ]
    return ", ".join(p for p in parts if p)


def compose(session: Session, message: OutboxMessage) -> Composed:
    user = session.get(User, message.subject_id or 0)
    if user is None:
        raise Skip("the user no longer exists")
    if not user.active:
        raise Skip("the user's sign-in is switched off")
    if user.role not in (Role.coordinator, Role.admin):
        raise Skip(f"digests are for coordinators and administrators, and this user is {user.role}")
    sections = sections_for(session)
    shown = [s for s in sections if s.items]
    if not shown:
        raise Skip("nothing needs attention today")
    summary = _summary(sections)
    context = {
        "user": user,
        "sections": shown,
        "summary": summary,
        "today": _day(utcnow()),
        "attention_url": f"{links.base_url()}/plan/attention",
    }
    text, html = render_email("digest", context)
    return Composed(
        kind="digest",
        to_email=user.email,
        to_name=user.full_name,
        subject=f"Daily digest: {summary}",
        text=text,
        html=html,
        category=CATEGORY,
        state={"counts": {s.key: len(s.items) + s.more for s in sections}},
    )
