"""Suggestions for one event and automatic staffing of many: load, ask the engine, write.

Loading goes through the same helpers the booking rules use (``load_schedules``, the event
service's needs and teams), in a fixed number of queries whatever the number of events.
Writing a plan re-checks every proposal against the booking rules under the booking lock
and commits once: a plan is written whole or not at all.

Who may take which role: recruiter places go to police staff (the force's recruitment and
personnel staff, who run the stand); ambassador places to anyone. Leads are chosen by the
coordinator, never proposed.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.assignments.availability import load_schedules, slot_of, window_for
from app.assignments.models import Assignment
from app.assignments.rules import Clash, Schedule, clashes
from app.audit import service as audit
from app.audit.service import Actor
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.config import get_settings
from app.db import lock_for_booking
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus, EventStatus, PersonKind
from app.errors import Conflict, Invalid
from app.events import service as events
from app.events.models import Event
from app.events.staffing import TeamMember
from app.networks.models import Network
from app.people.models import Person, Representation
from app.staffing import engine
from app.staffing.instance import Place, PlanEvent, PlanPerson, Proposal, build_instance, travel_km
from app.staffing.ranking import Prospect, Suggestion, rank
from app.venues.models import Venue

MAX_PLAN_DAYS = 184
"""A plan covers at most about six months: longer ranges are refused, not silently cut."""
MAX_PLAN_EVENTS = 2000
SOLVER_WORKERS = 2
OPEN_STATUSES = (EventStatus.draft, EventStatus.confirmed)
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


def _networks_by_person(session: Session, person_ids: list[int]) -> dict[int, dict[int, str]]:
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


def _venue_visits(session: Session, venue_id: int, before: datetime) -> dict[int, int]:
    rows = session.exec(
        select(Assignment.person_id, func.count())
        .join(Event, col(Event.id) == Assignment.event_id)
        .where(
            Event.venue_id == venue_id,
            Event.starts_at < before,
            Event.status != EventStatus.cancelled,
            col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
        )
        .group_by(col(Assignment.person_id))
    ).all()
    return {int(person_id): int(count) for person_id, count in rows}


def _place_of(venue: Venue) -> Place:
    return Place(venue.town, venue.latitude, venue.longitude)


def _base_of(person: Person) -> Place:
    return Place(person.base_town, person.latitude, person.longitude)


def suggestions_for_event(*, session: Session, event_id: int, limit: int | None = None) -> Suggestions:
    """Who could take a place on the event, best first with reasons; who cannot, and why."""
    event = events.get_event(session=session, event_id=event_id)
    if event.status not in OPEN_STATUSES:
        raise Conflict(f"event {event_id} '{event.title}' is {event.status}; nobody can be added to it")
    venue = session.get(Venue, event.venue_id)
    assert venue is not None and event.id is not None
    state = events.staffing_states(session=session, events=[event])[event.id]
    now = utcnow()
    buffer = events.travel_buffer()
    month_start, month_end = window_for(event.starts_at, event.ends_at, buffer)
    schedules = load_schedules(
        session=session,
        person_ids=None,
        window_start=min(month_start, now - timedelta(days=30)),
        window_end=max(month_end, now + timedelta(days=30)),
    )
    people = {
        p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(list(schedules)))).all() if p.id
    }
    answered = {
        a.person_id: a for a in session.exec(select(Assignment).where(Assignment.event_id == event.id)).all()
    }
    networks = _networks_by_person(session, list(people))
    visits = _venue_visits(session, venue.id or 0, now)
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
            Prospect(
                person_id=person_id,
                name=person.name,
                kind=str(person.kind),
                base=_base_of(person),
                networks=networks.get(person_id, {}),
                languages=tuple(person.languages or []),
                can_recruit=person.kind in RECRUITER_KINDS,
                last_30_days=sum(1 for d in schedule.duties if now - timedelta(days=30) <= d.starts_at < now),
                next_30_days=sum(1 for d in schedule.duties if now <= d.starts_at < now + timedelta(days=30)),
                this_month=sum(
                    1 for d in schedule.duties if to_london(d.starts_at).strftime("%Y-%m") == month
                ),
                monthly_limit=person.monthly_limit,
                venue_visits=visits.get(person_id, 0),
            )
        )
    ranked = rank(
        prospects=prospects,
        state=state,
        venue=_place_of(venue),
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


# --- automatic staffing ---------------------------------------------------------------------------


@dataclass
class ProposedAssignment:
    event_id: int
    event_title: str
    starts_at: datetime
    person_id: int
    person_name: str
    role: str
    travel_km: int
    assignment_id: int | None = None


@dataclass
class UnmetEvent:
    event_id: int
    title: str
    starts_at: datetime
    needs: list[str]


@dataclass
class ObjectiveFigure:
    name: str
    words: str
    value: int
    bound: int
    proven: bool
    gap: float


@dataclass
class Baseline:
    places_filled: int
    priority_unmet: int
    fairness: int
    worst_gap: int
    worst_network_gap: int
    travel_km: int


@dataclass
class PlanReport:
    """What a plan proposes and how good it is, in the issue's terms."""

    scope: str
    campaign_id: int | None
    start: datetime | None
    end: datetime | None
    written: bool
    events: int
    people: int
    places_needed: int
    places_filled: int
    priority_needed: int
    priority_unmet: int
    proposed: int
    status: str
    gap: float
    objective: list[ObjectiveFigure]
    fairness: int
    worst_gap: int
    worst_network_gap: int
    network_gaps: dict[str, int]
    travel_km: int
    seconds: float
    time_limit: float
    seed: int
    components: int
    periods: list[str]
    variables: int
    pairs_considered: int
    pairs_total: int
    unmet: list[UnmetEvent]
    loads: list[engine.Load]
    assignments: list[ProposedAssignment]
    greedy: Baseline
    notes: list[str]


def _check_scope(
    session: Session, campaign_id: int | None, start: datetime | None, end: datetime | None
) -> str:
    if campaign_id is None and start is None and end is None:
        raise Invalid("say which events to plan: a campaign_id, or a start and an end")
    if (start is None) != (end is None):
        raise Invalid("a date range needs both a start and an end")
    words = []
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise Invalid(f"campaign {campaign_id} does not exist")
        words.append(f"campaign '{campaign.name}'")
    if start is not None and end is not None:
        if end <= start:
            raise Invalid("the range must end after it starts")
        if end - start > timedelta(days=MAX_PLAN_DAYS):
            raise Invalid(f"a plan covers at most {MAX_PLAN_DAYS} days; plan a shorter range")
        words.append(
            f"events from {to_london(start):%a %-d %b %Y %H:%M} to {to_london(end):%a %-d %b %Y %H:%M}"
        )
    return ", ".join(words)


def _events_to_plan(
    session: Session,
    campaign_id: int | None,
    start: datetime | None,
    end: datetime | None,
    event_ids: list[int] | None,
) -> list[Event]:
    query = select(Event).where(col(Event.status).in_(OPEN_STATUSES), Event.starts_at > utcnow())
    if campaign_id is not None:
        query = query.where(Event.campaign_id == campaign_id)
    if start is not None and end is not None:
        query = query.where(Event.starts_at >= start, Event.starts_at < end)
    if event_ids is not None:
        query = query.where(col(Event.id).in_(event_ids))
    found = list(
        session.exec(query.order_by(col(Event.starts_at), col(Event.id)).limit(MAX_PLAN_EVENTS + 1)).all()
    )
    if len(found) > MAX_PLAN_EVENTS:
        raise Invalid(f"more than {MAX_PLAN_EVENTS} events to plan at once; plan a shorter range")
    return found


def _problem(
    session: Session, to_plan: list[Event]
) -> tuple[list[PlanEvent], list[PlanPerson], dict[int, str]]:
    """The engine's view of these events and of every active person, in a few queries."""
    ids = [e.id for e in to_plan if e.id is not None]
    venues = {
        v.id: v
        for v in session.exec(select(Venue).where(col(Venue.id).in_({e.venue_id for e in to_plan}))).all()
    }
    needs = events.network_needs_of(session=session, event_ids=ids)
    rows = session.exec(select(Assignment).where(col(Assignment.event_id).in_(ids))).all()
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.active).is_(True))).all() if p.id}
    team_ids = {a.person_id for a in rows} - set(people)
    if team_ids:  # inactive people still on a team count for its needs
        people.update(
            {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(team_ids))).all() if p.id}
        )
    networks = _networks_by_person(session, list(people))
    network_names = {nid: name for named in networks.values() for nid, name in named.items()}
    buffer = events.travel_buffer()
    window_start, window_end = window_for(to_plan[0].starts_at, max(e.ends_at for e in to_plan), buffer)
    active_ids = [pid for pid, p in people.items() if p.active]
    schedules = load_schedules(
        session=session, person_ids=active_ids, window_start=window_start, window_end=window_end
    )

    def member(a: Assignment) -> TeamMember:
        person = people[a.person_id]
        return TeamMember(
            a.person_id,
            a.role,
            a.status,
            frozenset(networks.get(a.person_id, {})),
            frozenset(lang.casefold() for lang in person.languages or []),
        )

    teams: dict[int, list[TeamMember]] = defaultdict(list)
    excluded: dict[int, set[int]] = defaultdict(set)
    for a in rows:
        if a.status in ACTIVE_ASSIGNMENT_STATUSES:
            teams[a.event_id].append(member(a))
        else:
            excluded[a.event_id].add(a.person_id)
    plan_events = [
        PlanEvent(
            slot=slot_of(e, venues[e.venue_id].name),
            place=_place_of(venues[e.venue_id]),
            ambassadors_needed=e.ambassadors_needed,
            recruiters_needed=e.recruiters_needed,
            network_needs=needs[e.id],
            wanted_languages=list(e.wanted_languages or []),
            team=teams[e.id],
            excluded=frozenset(excluded[e.id]),
        )
        for e in to_plan
        if e.id is not None
    ]
    plan_people = [
        PlanPerson(
            schedule=schedules[pid],
            base=_base_of(people[pid]),
            networks=frozenset(networks.get(pid, {})),
            languages=frozenset(lang.casefold() for lang in people[pid].languages or []),
            can_recruit=people[pid].kind in RECRUITER_KINDS,
        )
        for pid in active_ids
    ]
    return plan_events, plan_people, network_names


def _write(
    session: Session, actor: Actor, proposals: list[Proposal], by_id: dict[int, Event], scope: str
) -> dict[tuple[int, int], int]:
    """Re-check every proposal under the booking lock and write them all, or none."""
    person_ids = sorted({p.person_id for p in proposals})
    try:
        lock_for_booking(session, person_ids)
        buffer = events.travel_buffer()
        fresh = {e.id: e for e in session.exec(select(Event).where(col(Event.id).in_(list(by_id)))).all()}
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
                    col(Assignment.event_id).in_(list(fresh)), col(Assignment.person_id).in_(person_ids)
                )
            ).all()
        }
        refused: list[str] = []
        ordered = sorted(proposals, key=lambda p: (fresh[p.event_id].starts_at, p.event_id, p.person_id))
        for proposal in ordered:
            event = fresh[proposal.event_id]
            schedule: Schedule = schedules[proposal.person_id]
            slot = slot_of(event, venues[event.venue_id].name)
            if event.status not in OPEN_STATUSES:
                refused.append(f"event {event.id} '{event.title}' is now {event.status}")
            elif (proposal.event_id, proposal.person_id) in taken:
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
            written[(proposal.event_id, proposal.person_id)] = assignment.id
            audit.record(
                session=session,
                actor=actor,
                action="create",
                record_type="assignment",
                record_id=assignment.id,
                summary=f"{schedules[proposal.person_id].name} proposed as {proposal.role} on "
                f"'{fresh[proposal.event_id].title}' by automatic staffing ({scope})",
                after=audit.snapshot(assignment),
            )
        session.commit()
        return written
    except BaseException:
        session.rollback()
        raise


def plan(
    *,
    session: Session,
    actor: Actor,
    campaign_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    seed: int = 0,
    time_limit: float | None = None,
    dry_run: bool = False,
    event_ids: list[int] | None = None,
    reproducible: bool = False,
) -> PlanReport:
    """Propose a fair staffing of a campaign's or a date range's open events (never confirmed).

    ``reproducible`` solves on one worker: the same input and seed then give the same plan
    whenever every solve ends by proof or by its work budget, never by a parallel race.
    """
    scope = "the chosen events" if event_ids is not None else _check_scope(session, campaign_id, start, end)
    limit = time_limit if time_limit is not None else get_settings().solver_time_limit_seconds
    workers = 1 if reproducible else SOLVER_WORKERS
    to_plan = _events_to_plan(session, campaign_id, start, end, event_ids)
    by_id = {e.id: e for e in to_plan if e.id is not None}
    if to_plan:
        plan_events, plan_people, network_names = _problem(session, to_plan)
        instance = build_instance(
            events=plan_events, people=plan_people, travel_buffer=events.travel_buffer()
        )
        outcome = engine.plan(instance, time_limit=limit, seed=seed, workers=workers)
    else:
        instance = build_instance(events=[], people=[], travel_buffer=events.travel_buffer())
        outcome = engine.plan(instance, time_limit=limit, seed=seed, workers=workers)
        network_names = {}
    # End the read transaction (nothing was changed) so the write one takes the lock afresh.
    session.commit()
    written: dict[tuple[int, int], int] = {}
    if outcome.proposals and not dry_run:
        written = _write(session, actor, outcome.proposals, by_id, scope)
    return _report(
        scope=scope,
        campaign_id=campaign_id,
        start=start,
        end=end,
        outcome=outcome,
        instance=instance,
        by_id=by_id,
        written=written,
        dry_run=dry_run,
        network_names=network_names,
    )


def plan_event(*, session: Session, actor: Actor, event_id: int, seed: int = 0) -> list[ProposedAssignment]:
    """Fill one event's open places with the engine's fair proposal; the proposals made."""
    event = events.get_event(session=session, event_id=event_id)
    if event.status not in OPEN_STATUSES:
        raise Conflict(f"event {event_id} '{event.title}' is {event.status}; nobody can be added to it")
    if event.starts_at <= utcnow():
        raise Conflict(f"event {event_id} '{event.title}' has already started")
    report = plan(session=session, actor=actor, event_ids=[event_id], seed=seed)
    return report.assignments


def _report(
    *,
    scope: str,
    campaign_id: int | None,
    start: datetime | None,
    end: datetime | None,
    outcome: engine.Outcome,
    instance: Any,
    by_id: dict[int, Event],
    written: dict[tuple[int, int], int],
    dry_run: bool,
    network_names: dict[int, str],
) -> PlanReport:
    names = {p.person_id: p.name for p in instance.people}
    places = {e.event_id: e.place for e in instance.events}
    bases = {p.person_id: p.base for p in instance.people}
    f = outcome.figures
    notes = list(outcome.notes)
    if dry_run:
        notes.append("dry run: nothing was written")
    if outcome.pairs_considered < outcome.pairs_total:
        notes.append(
            "places, fairness and travel were optimised over each place's nearest candidates and "
            "everyone who meets a network or language need "
            f"({outcome.pairs_considered} of {outcome.pairs_total} possible person–event pairs); "
            "their bounds hold for that set"
        )
    return PlanReport(
        scope=scope,
        campaign_id=campaign_id,
        start=start,
        end=end,
        written=bool(written),
        events=len(by_id),
        people=sum(1 for p in instance.pairs_of_person if p),
        places_needed=f.places_needed,
        places_filled=f.places_filled,
        priority_needed=f.priority_needed,
        priority_unmet=f.priority,
        proposed=len(outcome.proposals),
        status=outcome.status,
        gap=round(outcome.gap, 4),
        objective=[
            ObjectiveFigure(t.name, engine.TIER_WORDS[t.name], t.value, t.bound, t.proven, round(t.gap, 4))
            for t in outcome.tiers
        ],
        fairness=f.fairness,
        worst_gap=f.worst_gap,
        worst_network_gap=f.worst_network_gap,
        network_gaps={network_names.get(n, f"network {n}"): gap for n, gap in sorted(f.network_gaps.items())},
        travel_km=f.travel,
        seconds=round(outcome.seconds, 3),
        time_limit=outcome.time_limit,
        seed=outcome.seed,
        components=outcome.components,
        periods=outcome.periods,
        variables=outcome.variables,
        pairs_considered=outcome.pairs_considered,
        pairs_total=outcome.pairs_total,
        unmet=[
            UnmetEvent(eid, by_id[eid].title, by_id[eid].starts_at, state.unmet)
            for eid, state in sorted(outcome.unmet.items(), key=lambda x: (by_id[x[0]].starts_at, x[0]))
        ],
        loads=outcome.loads,
        assignments=[
            ProposedAssignment(
                event_id=p.event_id,
                event_title=by_id[p.event_id].title,
                starts_at=by_id[p.event_id].starts_at,
                person_id=p.person_id,
                person_name=names.get(p.person_id, ""),
                role=p.role,
                travel_km=travel_km(bases[p.person_id], places[p.event_id]),
                assignment_id=written.get((p.event_id, p.person_id)),
            )
            for p in outcome.proposals
        ],
        greedy=Baseline(
            places_filled=outcome.greedy.places_filled,
            priority_unmet=outcome.greedy.priority,
            fairness=outcome.greedy.fairness,
            worst_gap=outcome.greedy.worst_gap,
            worst_network_gap=outcome.greedy.worst_network_gap,
            travel_km=outcome.greedy.travel,
        ),
        notes=notes,
    )
