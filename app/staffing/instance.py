"""The staffing problem in plain data: who could take which place, and what is still needed.

Pure: dataclasses in, indexed arrays out. Whether one person may take a place on one event
is decided by the booking rules themselves (``app.assignments.rules.clashes``), so the engine
can never propose what a coordinator could not book by hand.
"""

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.assignments.rules import Away, Schedule, Slot, clashes
from app.clock import to_london
from app.enums import AssignmentRole
from app.events.staffing import NetworkNeed, TeamMember

# A different town with no coordinates on either side: far enough to lose to any known
# neighbour, near enough that an otherwise ideal person is still proposed.
UNKNOWN_TRAVEL_KM = 50
EARTH_RADIUS_KM = 6371.0
_NO_LIMIT = 1_000_000

AMBASSADOR = AssignmentRole.ambassador.value
RECRUITER = AssignmentRole.recruiter.value


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


def month_of(instant: datetime) -> str:
    """The London calendar month an instant falls in: monthly limits and loads count by it."""
    return to_london(instant).strftime("%Y-%m")


@dataclass
class PlanPerson:
    """A person as the engine sees them: commitments, base, networks, languages."""

    schedule: Schedule
    base: Place
    networks: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()
    can_recruit: bool = False

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
class Residual:
    """What an event still needs once its current team is counted."""

    ambassadors: int  # ambassador places the needed count still lacks
    recruiters: int
    networks: dict[int, int]  # network id → members still lacking
    languages: list[str]  # wanted languages nobody on the team speaks yet
    ambassador_seats: int  # ambassadors that may be added (more when network minimums exceed the count)

    @property
    def priority(self) -> int:
        return sum(self.networks.values()) + len(self.languages)


@dataclass
class Instance:
    events: list[PlanEvent]
    people: list[PlanPerson]
    travel_buffer: timedelta
    residual: list[Residual]
    months: list[str]  # per event
    pairs: list[Pair]
    pairs_of_event: list[list[int]]
    pairs_of_person: list[list[int]]
    conflicts: list[set[int]]  # per event: events nobody can do together with it
    cliques: list[tuple[int, ...]]  # sets of mutually conflicting events, covering every conflict
    pinned: dict[tuple[int, str], int]  # (person, month) → duties already held that month
    capacity: dict[tuple[int, str], int]  # (person, month) → places they may still take
    components: list[list[int]] = field(default_factory=list)
    eligibility_seconds: float = 0.0
    # Derived data computed once per component (fairness groups), keyed by its events.
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def periods(self) -> list[str]:
        return sorted(set(self.months))


def residual_of(event: PlanEvent) -> Residual:
    """Counted exactly as ``app.events.staffing.staffing_state`` counts (leads are recruiters)."""
    roles = [m.role for m in event.team]
    have_ambassadors = sum(1 for r in roles if r == AssignmentRole.ambassador)
    have_recruiters = sum(1 for r in roles if r in (AssignmentRole.recruiter, AssignmentRole.lead))
    networks: dict[int, int] = {}
    for need in event.network_needs:
        have = sum(1 for m in event.team if need.network_id in m.network_ids)
        if need.min_count > have:
            networks[need.network_id] = need.min_count - have
    spoken = {lang.casefold() for m in event.team for lang in m.languages}
    languages: list[str] = []
    for language in event.wanted_languages:
        key = language.casefold()
        if key not in spoken and key not in {x.casefold() for x in languages}:
            languages.append(language)
    ambassadors = max(0, event.ambassadors_needed - have_ambassadors)
    return Residual(
        ambassadors=ambassadors,
        recruiters=max(0, event.recruiters_needed - have_recruiters),
        networks=networks,
        languages=languages,
        ambassador_seats=max(ambassadors, sum(networks.values())),
    )


def slots_conflict(a: Slot, b: Slot, travel_buffer: timedelta) -> bool:
    """Whether one person could not do both: asked of the booking rules, not re-derived."""
    probe = Schedule(person_id=0, name="", active=True, monthly_limit=_NO_LIMIT, duties=[a])
    return bool(clashes(probe, b, travel_buffer=travel_buffer))


def _conflict_graph(
    slots: list[Slot], travel_buffer: timedelta
) -> tuple[list[set[int]], list[tuple[int, ...]]]:
    """Conflicts between events (the same for everyone), and cliques that cover them.

    Events overlapping one instant are pairwise in conflict, so sweeping the start times
    yields cliques covering every overlap; the few travel-buffer conflicts between
    non-overlapping events are added as pairs. Cliques let the solver say "at most one of
    these" once instead of once per pair.
    """
    n = len(slots)
    conflicts: list[set[int]] = [set() for _ in range(n)]
    for i in range(n):
        horizon = slots[i].ends_at + travel_buffer
        for j in range(i + 1, n):
            if slots[j].starts_at >= horizon:
                break
            if slots_conflict(slots[i], slots[j], travel_buffer):
                conflicts[i].add(j)
                conflicts[j].add(i)
    # Events may be up to a week long, so an early long event can conflict with much later
    # ones: the loop above already covers that since it runs to each event's own horizon.
    cliques: list[tuple[int, ...]] = []
    active: list[int] = []
    for i in range(n):
        start = slots[i].starts_at
        active = [j for j in active if slots[j].ends_at > start]
        active.append(i)
        nxt = slots[i + 1].starts_at if i + 1 < n else None
        # Keep this clique unless the next start's clique contains it (nothing ends between).
        if len(active) >= 2 and (nxt is None or any(slots[j].ends_at <= nxt for j in active)):
            cliques.append(tuple(active))
    for i in range(n):
        for j in conflicts[i]:
            if j > i and not (
                slots[i].starts_at < slots[j].ends_at and slots[j].starts_at < slots[i].ends_at
            ):
                cliques.append((i, j))
    return conflicts, cliques


class _Nearby:
    """A person's duties and absences indexed by start, to hand ``clashes`` only what matters."""

    def __init__(self, schedule: Schedule, buffer: timedelta) -> None:
        # Busy spans (duties widened by the travel buffer, absences), merged: one bisect
        # tells whether anything is near an event at all, which for most pairs it is not.
        spans = sorted(
            [(d.starts_at - buffer, d.ends_at + buffer) for d in schedule.duties]
            + [(a.starts_at, a.ends_at) for a in schedule.away]
        )
        merged: list[list[datetime]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.span_starts = [m[0] for m in merged]
        self.span_ends = [m[1] for m in merged]
        self.duties = sorted(schedule.duties, key=lambda d: d.starts_at)
        self.duty_starts = [d.starts_at for d in self.duties]
        self.longest_duty = max((d.ends_at - d.starts_at for d in self.duties), default=timedelta(0))
        self.away = sorted(schedule.away, key=lambda a: a.starts_at)
        self.away_starts = [a.starts_at for a in self.away]
        self.longest_away = max((a.ends_at - a.starts_at for a in self.away), default=timedelta(0))

    def touches(self, slot: Slot) -> bool:
        i = bisect_left(self.span_starts, slot.ends_at) - 1
        return i >= 0 and self.span_ends[i] > slot.starts_at

    def around(self, slot: Slot, buffer: timedelta) -> tuple[list[Slot], list[Away]]:
        lo = bisect_left(self.duty_starts, slot.starts_at - buffer - self.longest_duty)
        hi = bisect_left(self.duty_starts, slot.ends_at + buffer)
        duties = [d for d in self.duties[lo:hi] if d.ends_at > slot.starts_at - buffer]
        lo = bisect_left(self.away_starts, slot.starts_at - self.longest_away)
        hi = bisect_left(self.away_starts, slot.ends_at)
        away = [a for a in self.away[lo:hi] if a.ends_at > slot.starts_at]
        return duties, away


def build_instance(
    *, events: Sequence[PlanEvent], people: Sequence[PlanPerson], travel_buffer: timedelta
) -> Instance:
    """Index the problem: every bookable (person, event) pair, conflicts, limits, components."""
    import time

    started = time.perf_counter()
    ordered_events = sorted(events, key=lambda e: (e.slot.starts_at, e.slot.ends_at, e.event_id))
    ordered_people = sorted(people, key=lambda p: p.person_id)
    residual = [residual_of(e) for e in ordered_events]
    months = [month_of(e.slot.starts_at) for e in ordered_events]
    plan_months = set(months)

    pinned: dict[tuple[int, str], int] = {}
    capacity: dict[tuple[int, str], int] = {}
    for pi, person in enumerate(ordered_people):
        held: dict[str, int] = defaultdict(int)
        for duty in person.schedule.duties:
            held[month_of(duty.starts_at)] += 1
        for month in plan_months:
            pinned[(pi, month)] = held.get(month, 0)
            capacity[(pi, month)] = max(0, person.schedule.monthly_limit - held.get(month, 0))

    pairs: list[Pair] = []
    pairs_of_event: list[list[int]] = [[] for _ in ordered_events]
    pairs_of_person: list[list[int]] = [[] for _ in ordered_people]
    ambassador_roles: list[tuple[str, ...]] = [
        (AMBASSADOR,) if need.ambassador_seats > 0 else () for need in residual
    ]
    recruiter_open = [need.recruiters > 0 for need in residual]
    taken = [{m.person_id for m in e.team} | e.excluded for e in ordered_events]
    venue_of = [e.slot.venue_id for e in ordered_events]
    place_of_venue = {e.slot.venue_id: e.place for e in ordered_events}
    for pi, person in enumerate(ordered_people):
        if not person.schedule.active:
            continue
        person_id = person.person_id
        nearby = (
            _Nearby(person.schedule, travel_buffer)
            if person.schedule.duties or person.schedule.away
            else None
        )
        km_to: dict[int, int] = {}
        room = {month: capacity[(pi, month)] > 0 for month in plan_months}
        for ei, event in enumerate(ordered_events):
            roles = ambassador_roles[ei]
            if recruiter_open[ei] and person.can_recruit:
                roles += (RECRUITER,)
            if not roles or not room[months[ei]] or person_id in taken[ei]:
                continue
            if nearby is not None and nearby.touches(event.slot):
                duties, away = nearby.around(event.slot, travel_buffer)
                # With nothing near in time, the booking rules have nothing to refuse.
                if duties or away:
                    probe = Schedule(
                        person_id=person_id,
                        name=person.name,
                        active=True,
                        monthly_limit=_NO_LIMIT,  # counted per month by the engine itself
                        duties=duties,
                        away=away,
                    )
                    if clashes(probe, event.slot, travel_buffer=travel_buffer):
                        continue
            venue = venue_of[ei]
            km = km_to.get(venue)
            if km is None:
                km = km_to[venue] = travel_km(person.base, place_of_venue[venue])
            index = len(pairs)
            pairs.append(Pair(pi, ei, roles, km))
            pairs_of_event[ei].append(index)
            pairs_of_person[pi].append(index)

    conflicts, cliques = _conflict_graph([e.slot for e in ordered_events], travel_buffer)
    instance = Instance(
        events=ordered_events,
        people=ordered_people,
        travel_buffer=travel_buffer,
        residual=residual,
        months=months,
        pairs=pairs,
        pairs_of_event=pairs_of_event,
        pairs_of_person=pairs_of_person,
        conflicts=conflicts,
        cliques=cliques,
        pinned=pinned,
        capacity=capacity,
    )
    instance.components = components_of(instance)
    instance.eligibility_seconds = time.perf_counter() - started
    return instance


def components_of(instance: Instance) -> list[list[int]]:
    """Groups of events that can be planned separately without losing anything.

    Two events belong together when one person could take a place on both in the same
    month (they share that person's monthly limit and fairness group), or when they
    conflict and one person could take either (across a month boundary at midnight).
    Everything the objective counts lives inside one group, so solving the groups one by
    one and adding up is exact.
    """
    parent = list(range(len(instance.events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    pairs, months = instance.pairs, instance.months
    for person_pairs in instance.pairs_of_person:
        first_in_month: dict[str, int] = {}
        for index in person_pairs:
            e = pairs[index].event
            first = first_in_month.setdefault(months[e], e)
            if first != e:
                union(first, e)
    # Conflicts across a month boundary (events near midnight at the month's end) are rare:
    # find them once, then join them where someone could take either.
    for e, others in enumerate(instance.conflicts):
        for other in others:
            if other > e and months[other] != months[e]:
                people_e = {pairs[i].person for i in instance.pairs_of_event[e]}
                if any(pairs[i].person in people_e for i in instance.pairs_of_event[other]):
                    union(e, other)
    groups: dict[int, list[int]] = defaultdict(list)
    for e in range(len(instance.events)):
        if instance.pairs_of_event[e]:
            groups[find(e)].append(e)
    return [groups[root] for root in sorted(groups)]
