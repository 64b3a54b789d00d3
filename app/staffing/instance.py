"""The staffing problem in plain data: who could take which place, and what is still needed.

Pure: dataclasses in, indexed arrays out. Which person may be proposed for which event is
decided by the rules (``rules.RULES``, which ask the booking rules where they apply), so the
engine can never propose what a coordinator could not book by hand.
"""

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app.assignments.rules import Schedule, Slot
from app.events.staffing import NetworkNeed, Shortfall, TeamMember, shortfall
from app.staffing.objectives import FAIRNESS
from app.staffing.rules import AMBASSADOR, RECRUITER, RULES, SEATS, Choice, month_of, slots_conflict

__all__ = [
    "AMBASSADOR",
    "RECRUITER",
    "Choice",
    "Instance",
    "Pair",
    "Place",
    "PlanEvent",
    "PlanPerson",
    "Proposal",
    "build_instance",
    "distance_km",
    "month_of",
    "slots_conflict",
    "travel_km",
]

# A different town with no coordinates on either side: far enough to lose to any known
# neighbour, near enough that an otherwise ideal person is still proposed.
UNKNOWN_TRAVEL_KM = 50
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    """Where someone is based or an event is held."""

    town: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance when both places have coordinates; 0 in the same town; else unknown."""
    if a.located and b.located:
        assert a.latitude is not None and a.longitude is not None
        assert b.latitude is not None and b.longitude is not None
        lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    if a.town.strip() and a.town.strip().casefold() == b.town.strip().casefold():
        return 0.0
    return None


def travel_km(a: Place, b: Place) -> int:
    """The whole kilometres the objective charges for sending someone from ``a`` to ``b``."""
    known = distance_km(a, b)
    return UNKNOWN_TRAVEL_KM if known is None else round(known)


@dataclass
class PlanPerson:
    """A person as the engine sees them: commitments, base, networks, languages."""

    schedule: Schedule
    base: Place
    networks: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()
    can_recruit: bool = False
    max_duties_per_week: int | None = None  # None: no weekly limit

    @property
    def person_id(self) -> int:
        return self.schedule.person_id

    @property
    def name(self) -> str:
        return self.schedule.name


@dataclass
class PlanEvent:
    """An event to staff: when and where, what it needs, and who is already on it."""

    slot: Slot
    place: Place
    ambassadors_needed: int
    recruiters_needed: int
    network_needs: list[NetworkNeed] = field(default_factory=list)
    wanted_languages: list[str] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)
    # People who declined or were withdrawn from this event: never proposed again for it.
    excluded: frozenset[int] = frozenset()

    @property
    def event_id(self) -> int:
        return self.slot.event_id

    def shortfall(self) -> Shortfall:
        """What the event lacks with its current team."""
        return shortfall(
            ambassadors_needed=self.ambassadors_needed,
            recruiters_needed=self.recruiters_needed,
            network_needs=self.network_needs,
            wanted_languages=self.wanted_languages,
            team=self.team,
        )


@dataclass(frozen=True)
class Proposal:
    event_id: int
    person_id: int
    role: str


@dataclass
class Pair:
    """One person who could take a place on one event, in the roles they can take."""

    person: int  # index into Instance.people
    event: int  # index into Instance.events
    roles: tuple[str, ...]
    km: int


@dataclass
class Instance:
    events: list[PlanEvent]
    people: list[PlanPerson]
    travel_buffer: timedelta
    shortfall: list[Shortfall]  # per event: what it lacks with its current team
    months: list[str]  # per event
    pinned: dict[tuple[int, str], int]  # (person, month) → duties already held that month
    pairs: list[Pair] = field(default_factory=list)
    pairs_of_event: list[list[int]] = field(default_factory=list)
    pairs_of_person: list[list[int]] = field(default_factory=list)
    conflicts: list[set[int]] = field(default_factory=list)  # per event: events nobody can do with it
    cliques: list[tuple[int, ...]] = field(default_factory=list)  # mutually conflicting events
    components: list[list[int]] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)  # each rule's own data, by its name
    eligibility_seconds: float = 0.0
    # Derived data computed once per component (fairness groups), keyed by its events.
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def periods(self) -> list[str]:
        return sorted(set(self.months))


def build_instance(
    *, events: Sequence[PlanEvent], people: Sequence[PlanPerson], travel_buffer: timedelta
) -> Instance:
    """Index the problem: every pair of a person and an event the rules allow, each rule's
    data, and the components."""
    started = time.perf_counter()
    ordered_events = sorted(events, key=lambda e: (e.slot.starts_at, e.slot.ends_at, e.event_id))
    ordered_people = sorted(people, key=lambda p: p.person_id)
    months = [month_of(e.slot.starts_at) for e in ordered_events]
    plan_months = set(months)
    pinned: dict[tuple[int, str], int] = {}
    for pi, person in enumerate(ordered_people):
        held: dict[str, int] = defaultdict(int)
        for duty in person.schedule.duties:
            held[month_of(duty.starts_at)] += 1
        for month in plan_months:
            pinned[(pi, month)] = held.get(month, 0)
    instance = Instance(
        events=ordered_events,
        people=ordered_people,
        travel_buffer=travel_buffer,
        shortfall=[e.shortfall() for e in ordered_events],
        months=months,
        pinned=pinned,
        pairs_of_event=[[] for _ in ordered_events],
        pairs_of_person=[[] for _ in ordered_people],
    )
    for rule in RULES:
        rule.prepare(instance)

    place_of_venue = {e.slot.venue_id: e.place for e in ordered_events}
    # The roles open on each event, to someone who cannot recruit and to someone who can.
    open_roles = [(SEATS.roles(False, lacking), SEATS.roles(True, lacking)) for lacking in instance.shortfall]
    for pi, person in enumerate(ordered_people):
        screens = [found for rule in RULES if (found := rule.screen(instance, pi)) is not None]
        km_to: dict[int, int] = {}
        for ei, event in enumerate(ordered_events):
            roles = open_roles[ei][person.can_recruit]
            if not roles or (screens and not all(admits(ei) for admits in screens)):
                continue
            venue = event.slot.venue_id
            km = km_to.get(venue)
            if km is None:
                km = km_to[venue] = travel_km(person.base, place_of_venue[venue])
            index = len(instance.pairs)
            instance.pairs.append(Pair(pi, ei, roles, km))
            instance.pairs_of_event[ei].append(index)
            instance.pairs_of_person[pi].append(index)
    instance.components = components_of(instance)
    instance.eligibility_seconds = time.perf_counter() - started
    return instance


def components_of(instance: Instance) -> list[list[int]]:
    """Groups of events that can be planned separately without losing anything: events a
    rule or an objective couples (``links``: one person's limit or fairness group in a
    month, a clash across a month's end) belong together. Everything the objective counts
    lives inside one group, so solving the groups one by one and adding up is exact.
    """
    parent = list(range(len(instance.events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for links in (*(rule.links for rule in RULES), FAIRNESS.links):
        for linked in links(instance):
            first = find(linked[0])
            for e in linked[1:]:
                root = find(e)
                if root != first:
                    parent[max(root, first)] = min(root, first)
                    first = min(root, first)
    groups: dict[int, list[int]] = defaultdict(list)
    for e in range(len(instance.events)):
        if instance.pairs_of_event[e]:
            groups[find(e)].append(e)
    return [groups[root] for root in sorted(groups)]
