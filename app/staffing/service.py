"""Automatic staffing of many events: load, ask the engine, explain, write.

Loading goes through the same helpers the booking rules use (``load_schedules``, the event
service's needs and teams), in a fixed number of queries whatever the number of events.
Writing a plan re-checks every proposal against the booking rules under the booking lock
and commits once: a plan is written whole or not at all.

Who may take which role: recruiter places go to police staff (the force's recruitment and
personnel staff, who run the stand); ambassador places to anyone. Leads are chosen by the
coordinator, never proposed.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.assignments.availability import load_schedules, slot_of, window_for
from app.assignments.models import Assignment
from app.audit.service import Actor
from app.booking import service as booking
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.config import get_settings
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, OPEN_STATUSES
from app.errors import Invalid
from app.events import service as events
from app.events.models import Event
from app.events.staffing import StaffingState, TeamMember
from app.people.models import Person
from app.staffing import engine, review, suggestions
from app.staffing.instance import Instance, PlanEvent, PlanPerson, Proposal, build_instance
from app.staffing.progress import Watch
from app.staffing.review import PlanReport
from app.venues.models import Venue

MAX_PLAN_DAYS = 184
"""A plan covers at most about six months: longer ranges are refused, not silently cut."""
MAX_PLAN_EVENTS = 2000
SOLVER_WORKERS = 2

RECRUITER_KINDS = suggestions.RECRUITER_KINDS


# --- automatic staffing ---------------------------------------------------------------------------


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
    networks = suggestions.networks_by_person(session, list(people))
    network_names = {nid: name for named in networks.values() for nid, name in named.items()}
    buffer = booking.travel_buffer()
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
            place=suggestions.place_of(venues[e.venue_id]),
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
            base=suggestions.base_of(people[pid]),
            networks=frozenset(networks.get(pid, {})),
            languages=frozenset(lang.casefold() for lang in people[pid].languages or []),
            can_recruit=people[pid].kind in RECRUITER_KINDS,
            max_duties_per_week=people[pid].max_duties_per_week,
        )
        for pid in active_ids
    ]
    return plan_events, plan_people, network_names


# --- plans: load, solve, explain, write -------------------------------------------------------


@dataclass
class Prepared:
    """The events of one plan, loaded, and the engine's view of them."""

    scope: str
    campaign_id: int | None
    start: datetime | None
    end: datetime | None
    by_id: dict[int, Event]
    instance: Instance
    network_names: dict[int, str]


def scope_of(
    *,
    session: Session,
    campaign_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    event_ids: list[int] | None = None,
) -> str:
    """The plan's scope in words, once it is known to be one that can be planned (else 422)."""
    if event_ids is None:
        return _check_scope(session, campaign_id, start, end)
    if campaign_id is not None or start is not None or end is not None:
        raise Invalid("choose the events by their ids, or by a campaign or a date range, not both")
    chosen = sorted(set(event_ids))
    if not chosen:
        raise Invalid("choose at least one event to plan")
    if len(chosen) > MAX_PLAN_EVENTS:
        raise Invalid(f"more than {MAX_PLAN_EVENTS} events to plan at once; choose fewer")
    if len(chosen) == 1:
        title = session.exec(select(Event.title).where(Event.id == chosen[0])).first()
        return f"event '{title}'" if title is not None else f"event {chosen[0]}"
    return f"{len(chosen)} chosen events"


def prepare(
    *,
    session: Session,
    campaign_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    event_ids: list[int] | None = None,
) -> Prepared:
    """Check the scope, then load its open future events and every active person."""
    scope = scope_of(session=session, campaign_id=campaign_id, start=start, end=end, event_ids=event_ids)
    to_plan = _events_to_plan(session, campaign_id, start, end, event_ids)
    plan_events: list[PlanEvent] = []
    plan_people: list[PlanPerson] = []
    network_names: dict[int, str] = {}
    if to_plan:
        plan_events, plan_people, network_names = _problem(session, to_plan)
    instance = build_instance(events=plan_events, people=plan_people, travel_buffer=booking.travel_buffer())
    return Prepared(
        scope=scope,
        campaign_id=campaign_id,
        start=start,
        end=end,
        by_id={e.id: e for e in to_plan if e.id is not None},
        instance=instance,
        network_names=network_names,
    )


def time_limit_for(*, instance: Instance, requested: float | None) -> float:
    """The solver's limit: as asked, else the configured one, else one that grows with size."""
    if requested is not None:
        return requested
    configured = get_settings().solver_time_limit_seconds
    if configured is not None:
        return configured
    return float(engine.default_time_limit(instance))


def solve(
    *,
    prepared: Prepared,
    time_limit: float,
    seed: int = 0,
    reproducible: bool = False,
    watch: Watch | None = None,
) -> engine.Outcome:
    """Ask the engine; ``reproducible`` solves on one worker, so the same input and seed give
    the same plan whenever every solve ends by proof or by its work budget."""
    workers = 1 if reproducible else SOLVER_WORKERS
    return engine.plan(prepared.instance, time_limit=time_limit, seed=seed, workers=workers, watch=watch)


def report(
    *,
    prepared: Prepared,
    outcome: engine.Outcome,
    reasons: list[list[str]],
    written: dict[tuple[int, int], int] | None = None,
    dry_run: bool = False,
) -> PlanReport:
    return review.build(
        scope=prepared.scope,
        campaign_id=prepared.campaign_id,
        start=prepared.start,
        end=prepared.end,
        outcome=outcome,
        instance=prepared.instance,
        by_id=prepared.by_id,
        written=written or {},
        dry_run=dry_run,
        network_names=prepared.network_names,
        reasons=reasons,
    )


def plan_prepared(
    *,
    session: Session,
    actor: Actor,
    prepared: Prepared,
    time_limit: float,
    seed: int = 0,
    dry_run: bool = False,
    reproducible: bool = False,
) -> PlanReport:
    """Solve a loaded plan now and write its proposals (unless ``dry_run``), all or none."""
    outcome = solve(prepared=prepared, time_limit=time_limit, seed=seed, reproducible=reproducible)
    reasons = suggestions.explain(session=session, by_id=prepared.by_id, proposals=outcome.proposals)
    # End the read transaction (nothing was changed) so the write one takes the lock afresh.
    session.commit()
    written: dict[tuple[int, int], int] = {}
    if outcome.proposals and not dry_run:
        written = booking.propose_all(
            session=session,
            actor=actor,
            proposals=outcome.proposals,
            why=f"automatic staffing ({prepared.scope})",
        )
    return report(prepared=prepared, outcome=outcome, reasons=reasons, written=written, dry_run=dry_run)


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
    """Propose a fair staffing of a campaign's, a date range's or the chosen open events, and
    write the proposals (never confirmed) unless ``dry_run``."""
    prepared = prepare(session=session, campaign_id=campaign_id, start=start, end=end, event_ids=event_ids)
    limit = time_limit_for(instance=prepared.instance, requested=time_limit)
    return plan_prepared(
        session=session,
        actor=actor,
        prepared=prepared,
        time_limit=limit,
        seed=seed,
        dry_run=dry_run,
        reproducible=reproducible,
    )


def apply_proposals(
    *,
    session: Session,
    actor: Actor,
    proposals: list[Proposal],
    scope: str,
    also: booking.AlsoInTransaction | None = None,
) -> dict[tuple[int, int], int]:
    """Write proposals of a plan made earlier, re-checked under the booking lock: all or none
    (409 with the reasons when the plan is out of date)."""
    return booking.propose_all(
        session=session, actor=actor, proposals=proposals, why=f"automatic staffing ({scope})", also=also
    )


# --- events chosen together on a page ----------------------------------------------------------


@dataclass
class ChosenEvent:
    event: Event
    venue_name: str
    state: StaffingState
    plannable: bool  # open and still to come: a plan can add to its team


def needs_planning(event: Event, state: StaffingState | None, *, now: datetime) -> bool:
    """Open, still to come and short of people: worth offering to plan with others."""
    return event.status in OPEN_STATUSES and event.starts_at > now and state is not None and not state.filled


def chosen_events(*, session: Session, event_ids: list[int]) -> list[ChosenEvent]:
    """Events chosen on a page (a day, a week, a bulk booking's result), in time order, each
    with its staffing and whether a plan can add to it."""
    ids = sorted(set(event_ids))[:MAX_PLAN_EVENTS]
    if not ids:
        return []
    rows = list(
        session.exec(
            select(Event).where(col(Event.id).in_(ids)).order_by(col(Event.starts_at), col(Event.id))
        ).all()
    )
    states = events.staffing_states(session=session, events=rows)
    venues = dict(
        session.exec(select(Venue.id, Venue.name).where(col(Venue.id).in_({e.venue_id for e in rows}))).all()
    )
    now = utcnow()
    return [
        ChosenEvent(
            event=e,
            venue_name=venues.get(e.venue_id, ""),
            state=states[e.id],
            plannable=e.status in OPEN_STATUSES and e.starts_at > now,
        )
        for e in rows
        if e.id is not None
    ]
