"""Random forces for the engine's tests: a month of events and the people who could staff them.

Seeded, so a failing case can be rerun; small enough that a plan is proven in moments,
unless asked for a larger one. Checks a plan against the booking rules themselves.
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from app.assignments.rules import Away, Schedule, Slot, clashes
from app.clock import from_london
from app.events.staffing import NetworkNeed, TeamMember
from app.staffing.instance import Place, PlanEvent, PlanPerson, Proposal

TOWNS = [
    Place("Blackburn", 53.7486, -2.4875),
    Place("Burnley", 53.7893, -2.2405),
    Place("Bacup", 53.7041, -2.2005),
    Place("Nelson", 53.8346, -2.2180),
    Place("Preston", 53.7632, -2.7031),
    Place("Colne"),  # no coordinates: travel there is charged as unknown
]
NETWORKS = [NetworkNeed(1, "Black Police Association", 1), NetworkNeed(2, "LGBT+ Network", 1)]
LANGUAGES = ["Urdu", "Polish"]


def force(
    rng: random.Random,
    *,
    events: int,
    people: int,
    days: int = 10,
    month: int = 6,
    weekly: bool = False,
) -> tuple[list[PlanEvent], list[PlanPerson]]:
    """``events`` events over ``days`` days of a month of 2027, and ``people`` people with
    bases, networks, languages, limits, leave, duties elsewhere and some already on teams;
    with ``weekly``, some people have a weekly limit too."""

    def when(day: int, hour: int, minute: int = 0) -> datetime:
        return from_london(datetime(2027, month, day, hour, minute))

    plan_events: list[PlanEvent] = []
    for n in range(1, events + 1):
        day = rng.randint(1, days)
        start = when(day, rng.choice((9, 10, 13, 14, 17)), rng.choice((0, 30)))
        venue = rng.randrange(8)
        place = TOWNS[venue % len(TOWNS)]
        plan_events.append(
            PlanEvent(
                slot=Slot(
                    n,
                    f"Event {n}",
                    100 + venue,
                    f"{place.town} venue",
                    start,
                    start + timedelta(hours=rng.choice((1, 2, 3))),
                ),
                place=place,
                ambassadors_needed=rng.randint(0, 2),
                recruiters_needed=rng.randint(0, 1),
                network_needs=[
                    NetworkNeed(n_.network_id, n_.name, rng.choice((1, 1, 2)))
                    for n_ in NETWORKS
                    if rng.random() < 0.25
                ],
                wanted_languages=[lang for lang in LANGUAGES if rng.random() < 0.2],
            )
        )
    plan_people: list[PlanPerson] = []
    for p in range(1, people + 1):
        away = []
        if rng.random() < 0.3:
            day = rng.randint(1, days)
            away.append(Away(when(day, 0), when(day, 0) + timedelta(days=rng.randint(1, 3)), "annual_leave"))
        if rng.random() < 0.3:
            day = rng.randint(1, days)
            away.append(Away(when(day, 7), when(day, 15), "shift"))
        duties = []
        if rng.random() < 0.2:
            day = rng.randint(1, days)
            duties.append(
                Slot(10_000 + p, "Careers evening", 999, "Elsewhere", when(day, 18, 30), when(day, 20, 30))
            )
        plan_people.append(
            PlanPerson(
                schedule=Schedule(
                    1000 + p, f"Person {p}", rng.random() > 0.05, rng.randint(1, 4), duties, away
                ),
                base=rng.choice(TOWNS),
                networks=frozenset(n.network_id for n in NETWORKS if rng.random() < 0.3),
                languages=frozenset(lang.casefold() for lang in LANGUAGES if rng.random() < 0.2),
                can_recruit=rng.random() < 0.35,
            )
        )
        if weekly:
            plan_people[-1].max_duties_per_week = rng.choice((None, 1, 2))
    # A few people already on a team: pinned, counted for the event's needs and their loads.
    for planned in rng.sample(plan_events, len(plan_events) // 8):
        person = rng.choice(plan_people)
        slot = planned.slot
        if person.schedule.active and not clashes(person.schedule, slot, travel_buffer=timedelta(minutes=30)):
            role = rng.choice(("ambassador", "recruiter" if person.can_recruit else "ambassador", "lead"))
            planned.team.append(
                TeamMember(person.person_id, role, "confirmed", person.networks, person.languages)
            )
            person.schedule.duties.append(slot)
    return plan_events, plan_people


def refusals(
    events: list[PlanEvent], people: list[PlanPerson], proposals: list[Proposal], *, buffer: timedelta
) -> list[str]:
    """Every reason the booking rules would refuse the proposals, booked one after another
    (empty when a coordinator could book them all by hand)."""
    by_event = {e.event_id: e for e in events}
    schedules = {
        p.person_id: Schedule(
            p.person_id,
            p.name,
            p.schedule.active,
            p.schedule.monthly_limit,
            list(p.schedule.duties),
            list(p.schedule.away),
        )
        for p in people
    }
    found: list[str] = []
    taken: dict[int, set[int]] = defaultdict(set)
    for e in events:
        taken[e.event_id] = {m.person_id for m in e.team} | set(e.excluded)
    for proposal in sorted(proposals, key=lambda p: (by_event[p.event_id].slot.starts_at, p.event_id)):
        event = by_event[proposal.event_id]
        schedule = schedules[proposal.person_id]
        if proposal.person_id in taken[event.event_id]:
            found.append(f"{schedule.name} twice on event {event.event_id}")
        found += [c.message for c in clashes(schedule, event.slot, travel_buffer=buffer)]
        schedule.duties.append(event.slot)
        taken[event.event_id].add(proposal.person_id)
    return found
