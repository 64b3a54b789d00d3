"""Suggestions for one event, and the reasons behind any proposal, in the same words.

Who comes first, and why, is the ranking's (``app.staffing.ranking``); this module loads
what it weighs — people's duties around the event, their networks, their visits to the
venue — in a fixed number of queries, for one event's picker or for a whole plan's review.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.assignments.availability import load_schedules, slot_of, window_for
from app.assignments.models import Assignment
from app.assignments.rules import Clash, Slot, clashes
from app.booking import service as booking
from app.clock import to_london, utcnow
from app.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    EventStatus,
    PersonKind,
)
from app.errors import Conflict
from app.events import service as events
from app.events.models import Event
from app.networks.models import Network
from app.outcomes.counting import counted_duty_clause
from app.people.models import Person, Representation
from app.staffing.instance import Place, Proposal
from app.staffing.ranking import Prospect, Suggestion, rank
from app.venues.models import Venue

# Recruiter places go to police staff (the force's recruitment and personnel staff).
RECRUITER_KINDS = frozenset({PersonKind.police_staff})

# --- suggestions for one event ------------------------------------------------------------------


@dataclass
class Unbookable:
    person_id: int
    name: str
    codes: list[str]
    reasons: list[str]


@dataclass
class Suggestions:
    """Bookable people best first (iterating yields them), and the others with the hard reason."""

    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    staffing: list[str]
    candidates: list[Suggestion] = field(default_factory=list)
    unbookable: list[Unbookable] = field(default_factory=list)

    def __iter__(self) -> Iterator[Suggestion]:
        return iter(self.candidates)


def networks_by_person(session: Session, person_ids: list[int]) -> dict[int, dict[int, str]]:
    result: dict[int, dict[int, str]] = defaultdict(dict)
    if not person_ids:
        return result
    rows = session.exec(
        select(Representation.person_id, Network.id, Network.name)
        .join(Network, col(Network.id) == Representation.network_id)
        .where(col(Representation.person_id).in_(person_ids))
    ).all()
    for person_id, network_id, name in rows:
        result[person_id][int(network_id or 0)] = name
    return result


def venue_visits(session: Session, venue_ids: list[int], before: datetime) -> dict[int, dict[int, int]]:
    """How often each person has worked at each of these venues before ``before``."""
    result: dict[int, dict[int, int]] = defaultdict(dict)
    if not venue_ids:
        return result
    rows = session.exec(
        select(Event.venue_id, Assignment.person_id, func.count())
        .join(Event, col(Event.id) == Assignment.event_id)
        .where(
            col(Event.venue_id).in_(sorted(set(venue_ids))),
            Event.starts_at < before,
            Event.status != EventStatus.cancelled,
            counted_duty_clause(),
        )
        .group_by(col(Event.venue_id), col(Assignment.person_id))
    ).all()
    for venue_id, person_id, count in rows:
        result[int(venue_id)][int(person_id)] = int(count)
    return result


def prospect(
    person: Person, duties: list[Slot], networks: dict[int, str], visits: int, *, now: datetime, month: str
) -> Prospect:
    """A person as the ranking weighs them for an event in ``month`` (duties: the others)."""
    assert person.id is not None
    return Prospect(
        person_id=person.id,
        name=person.name,
        kind=str(person.kind),
        base=base_of(person),
        networks=networks,
        languages=tuple(person.languages or []),
        can_recruit=person.kind in RECRUITER_KINDS,
        last_30_days=sum(1 for d in duties if now - timedelta(days=30) <= d.starts_at < now),
        next_30_days=sum(1 for d in duties if now <= d.starts_at < now + timedelta(days=30)),
        this_month=sum(1 for d in duties if to_london(d.starts_at).strftime("%Y-%m") == month),
        monthly_limit=person.monthly_limit,
        venue_visits=visits,
    )


def place_of(venue: Venue) -> Place:
    return Place(venue.town, venue.latitude, venue.longitude)


def base_of(person: Person) -> Place:
    return Place(person.base_town, person.latitude, person.longitude)


def suggestions_for_event(
    *, session: Session, event_id: int, limit: int | None = None, person_ids: list[int] | None = None
) -> Suggestions:
    """Who could take a place on the event, best first with reasons; who cannot, and why.
    ``person_ids`` narrows it to those people (the picker's pool); their reasons are the same,
    since a person's reasons never depend on who else is weighed."""
    event = events.get_event(session=session, event_id=event_id)
    if event.status not in OPEN_STATUSES:
        raise Conflict(f"event {event_id} '{event.title}' is {event.status}; nobody can be added to it")
    venue = session.get(Venue, event.venue_id)
    assert venue is not None and event.id is not None
    state = events.staffing_states(session=session, events=[event])[event.id]
    now = utcnow()
    buffer = booking.travel_buffer()
    month_start, month_end = window_for(event.starts_at, event.ends_at, buffer)
    schedules = load_schedules(
        session=session,
        person_ids=person_ids,
        window_start=min(month_start, now - timedelta(days=30)),
        window_end=max(month_end, now + timedelta(days=30)),
    )
    people = {
        p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(list(schedules)))).all() if p.id
    }
    answered = {
        a.person_id: a for a in session.exec(select(Assignment).where(Assignment.event_id == event.id)).all()
    }
    networks = networks_by_person(session, list(people))
    visits = venue_visits(session, [venue.id or 0], now)[venue.id or 0]
    target = slot_of(event, venue.name)
    month = to_london(event.starts_at).strftime("%Y-%m")
    prospects: list[Prospect] = []
    unbookable: list[Unbookable] = []
    for person_id in sorted(people, key=lambda pid: (people[pid].name, pid)):
        person = people[person_id]
        existing = answered.get(person_id)
        if existing is not None and existing.status in ACTIVE_ASSIGNMENT_STATUSES:
            continue  # already on the team
        schedule = schedules[person_id]
        schedule.duties = [d for d in schedule.duties if d.event_id != event.id]
        found: list[Clash] = clashes(schedule, target, travel_buffer=buffer)
        if existing is not None:
            word = "declined" if existing.status == AssignmentStatus.declined else "was withdrawn from"
            reason = f"{person.name} {word} this event" + (
                f" ({existing.decline_reason})" if existing.decline_reason else ""
            )
            found = [Clash(str(existing.status), reason), *found]
        if found:
            unbookable.append(
                Unbookable(person_id, person.name, [c.code for c in found], [c.message for c in found])
            )
            continue
        prospects.append(
            prospect(
                person,
                schedule.duties,
                networks.get(person_id, {}),
                visits.get(person_id, 0),
                now=now,
                month=month,
            )
        )
    ranked = rank(
        prospects=prospects,
        state=state,
        venue=place_of(venue),
        venue_name=venue.name,
        month_label=f"{to_london(event.starts_at):%B %Y}",
    )
    return Suggestions(
        event_id=event.id,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue_name=venue.name,
        staffing=state.unmet if not state.filled else [state.summary],
        candidates=ranked if limit is None else ranked[:limit],
        unbookable=unbookable,
    )


def explain(*, session: Session, by_id: dict[int, Event], proposals: list[Proposal]) -> list[list[str]]:
    """Why each proposal, in the suggestions' words, against the events as they stand before
    the plan (the needs it meets, the place it takes, the distance, the person's recent
    load), and what the plan as a whole asks of the person that month."""
    if not proposals:
        return []
    now = utcnow()
    planned = [by_id[eid] for eid in sorted({p.event_id for p in proposals})]
    person_ids = sorted({p.person_id for p in proposals})
    states = events.staffing_states(session=session, events=planned)
    window_start, window_end = window_for(
        min(e.starts_at for e in planned), max(e.ends_at for e in planned), timedelta(0)
    )
    schedules = load_schedules(
        session=session,
        person_ids=person_ids,
        window_start=min(window_start, now - timedelta(days=30)),
        window_end=max(window_end, now + timedelta(days=30)),
    )
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()}
    networks = networks_by_person(session, person_ids)
    venues = {
        v.id: v
        for v in session.exec(select(Venue).where(col(Venue.id).in_({e.venue_id for e in planned}))).all()
    }
    visits = venue_visits(session, [e.venue_id for e in planned], now)
    month_of = {e.id: to_london(e.starts_at).strftime("%Y-%m") for e in planned}
    in_plan = Counter((p.person_id, month_of[p.event_id]) for p in proposals)
    reasons = []
    for proposal in proposals:
        event, person = by_id[proposal.event_id], people[proposal.person_id]
        venue = venues[event.venue_id]
        duties = [d for d in schedules[proposal.person_id].duties if d.event_id != event.id]
        month, month_label = month_of[proposal.event_id], f"{to_london(event.starts_at):%B %Y}"
        candidate = prospect(
            person,
            duties,
            networks.get(proposal.person_id, {}),
            visits[event.venue_id].get(proposal.person_id, 0),
            now=now,
            month=month,
        )
        state = states[proposal.event_id]
        # Say only why they suit the role proposed, not the other role's open places.
        if proposal.role == AssignmentRole.ambassador.value:
            candidate = replace(candidate, can_recruit=False)
        else:
            state = replace(state, ambassadors_needed=min(state.ambassadors_needed, state.ambassadors))
        [suggestion] = rank(
            prospects=[candidate],
            state=state,
            venue=place_of(venue),
            venue_name=venue.name,
            month_label=month_label,
        )
        count = in_plan[(proposal.person_id, month)]
        reasons.append(
            [
                *suggestion.reasons,
                f"this plan proposes them for {count} {'event' if count == 1 else 'events'} in {month_label} "
                f"({candidate.this_month + count} of their limit of {candidate.monthly_limit})",
            ]
        )
    return reasons
