"""The rules of staffing, each a named unit declared once: who may take which place.

Every unit says, in one place, everything the engine does with its rule:

- ``screen``: which events a person may be proposed for at all (the pairs the engine
  considers), asking the booking rules (``app.assignments.rules``) where they apply, so the
  engine never proposes what a coordinator could not book by hand;
- ``constrain``: the rule in the CP-SAT model of a component (``model.ComponentModel``),
  and what it tells the fairness bounds (``bounds.LoadCounts``);
- ``fits``: whether one more choice keeps a plan within the rule, for the baseline
  (``greedy``) and the local search (``polish``), which keep a ``tally.Tally`` of the plan;
- ``links``: events that must be planned together because the rule couples them.

The units, in ``RULES``: seats and roles, network and language needs, clashes and the travel
buffer, unavailability, monthly and weekly limits. The objectives (what a plan is ranked by) are in
``objectives``; ``Needs`` and ``Seats`` also measure the first two of them. The units share
one module, near 500 lines, so that every rule of staffing is read in one place.
"""

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from app.assignments.rules import Schedule, Slot, clashes
from app.clock import to_london
from app.enums import AssignmentRole
from app.events.staffing import Shortfall
from app.staffing.objectives import Tier

if TYPE_CHECKING:
    from app.staffing.instance import Instance, PlanPerson
    from app.staffing.model import ModelBuild
    from app.staffing.tally import Tally

AMBASSADOR = AssignmentRole.ambassador.value
RECRUITER = AssignmentRole.recruiter.value
ROLES = (AMBASSADOR, RECRUITER)
# A limit no count reaches: the engine counts limits itself, so booking-rule probes carry this.
NO_LIMIT = 1_000_000

Choice = tuple[int, str]  # (pair index into Instance.pairs, role)
Screen = Callable[[int], bool]  # event index → whether the person may be proposed for it


def month_of(instant: datetime) -> str:
    """The London calendar month an instant falls in: monthly limits and fairness count by it."""
    return to_london(instant).strftime("%Y-%m")


class Rule:
    """A rule of staffing; each hook's default leaves the engine unrestricted."""

    name = ""

    def prepare(self, instance: "Instance") -> None:
        """Compute what the rule needs from the problem, once, before the pairs are found."""

    def screen(self, instance: "Instance", person: int) -> Screen | None:
        """Which events the person may be proposed for; None when the rule refuses none."""
        return None

    def links(self, instance: "Instance") -> Iterable[Sequence[int]]:
        """Groups of events the rule couples (planned in one component)."""
        return ()

    def constrain(self, build: "ModelBuild") -> None:
        """Add the rule to a component's CP-SAT model (and to what the bounds may count)."""

    def fits(self, tally: "Tally", index: int, role: str, replacing: int | None) -> bool:
        """Whether the plan in ``tally`` may take this choice (in place of ``replacing``, a
        choice of the same role on the same event, if given)."""
        return True


# --- seats and roles -------------------------------------------------------------------------


class Seats(Rule):
    """Ambassador and recruiter places: recruiter places go to people who can recruit; an
    event takes no more people in a role than it has seats (ambassador seats stretch to the
    network members it lacks); one place per person and event; nobody is proposed for an
    event they are on, declined or were withdrawn from. Measures ``places`` unmet."""

    name = "seats and roles"
    tier = Tier.PLACES

    def measure(self, tally: "Tally", events: Iterable[int]) -> int:
        """Places the plan leaves unmet on these events (``Shortfall.places``)."""
        return sum(tally.lacking(e).places for e in events)

    @staticmethod
    def ambassador_seats(lacking: Shortfall) -> int:
        """Ambassadors that may be added: the places lacking, or more when network
        minimums exceed them (a member of a network fills an extra seat)."""
        return max(lacking.ambassadors, sum(lacking.networks.values()))

    def seats(self, instance: "Instance", event: int, role: str) -> int:
        lacking = instance.shortfall[event]
        return self.ambassador_seats(lacking) if role == AMBASSADOR else lacking.recruiters

    def roles(self, can_recruit: bool, lacking: Shortfall) -> tuple[str, ...]:
        """The roles someone (who can recruit, or not) could take on an event lacking this."""
        roles: tuple[str, ...] = (AMBASSADOR,) if self.ambassador_seats(lacking) > 0 else ()
        if lacking.recruiters > 0 and can_recruit:
            roles += (RECRUITER,)
        return roles

    def prepare(self, instance: "Instance") -> None:
        closed: dict[int, set[int]] = defaultdict(set)  # person id → events
        for e, event in enumerate(instance.events):
            for person_id in {m.person_id for m in event.team} | event.excluded:
                closed[person_id].add(e)
        instance.tables[self.name] = closed

    def screen(self, instance: "Instance", person: int) -> Screen | None:
        closed = instance.tables[self.name].get(instance.people[person].person_id)
        return (lambda e: e not in closed) if closed else None

    def constrain(self, build: "ModelBuild") -> None:
        instance, model, counts = build.instance, build.model, build.counts
        for e in build.events:
            month, lacking = instance.months[e], instance.shortfall[e]
            for role in ROLES:
                keys = build.keys(e, role)
                seats = self.seats(instance, e, role)
                wanted = lacking.ambassadors if role == AMBASSADOR else lacking.recruiters
                counts.wanted[(month, role)] += wanted
                counts.seats[(month, role)] += min(seats, len(keys))
                total = cp_model.LinearExpr.sum([build.lits[k] for k in keys])
                if len(keys) > seats:
                    model.add(total <= seats)
                if wanted:
                    short = model.new_int_var(max(0, wanted - len(keys)), wanted, f"short{e}{role[0]}")
                    model.add(short + total >= wanted)
                    build.terms[Tier.PLACES].append(short)
                    build.follow(short, _shortfall(wanted, keys))
        for per_event in build.by_person.values():
            for lits in per_event.values():
                if len(lits) > 1:
                    model.add_at_most_one(lits)  # one place per person and event
        for index, role in build.lits:
            if role == RECRUITER:
                pair = instance.pairs[index]
                counts.can_recruit[(pair.person, instance.months[pair.event])] += 1

    def fits(self, tally: "Tally", index: int, role: str, replacing: int | None) -> bool:
        pair = tally.instance.pairs[index]
        if role not in pair.roles or pair.event in tally.busy[pair.person]:
            return False
        if replacing is not None:
            return True  # the seat is the one being left
        return tally.added[role][pair.event] < self.seats(tally.instance, pair.event, role)


def _shortfall(wanted: int, keys: list[Choice]) -> Callable[[set[Choice]], int]:
    return lambda chosen: max(0, wanted - sum(1 for k in keys if k in chosen))


# --- network and language needs --------------------------------------------------------------


@dataclass(frozen=True)
class NeedUnit:
    """One need of one event: members of a network (``key`` its id) or a speaker of a
    language (``key`` casefolded), ``lacking`` of them still wanted."""

    event: int
    key: int | str
    lacking: int

    @property
    def label(self) -> str:
        return f"net{self.key}" if isinstance(self.key, int) else f"lang_{self.key}"


class Needs(Rule):
    """Network minimums and wanted languages: a person meets a network need if they belong
    to it and a language need if they speak it, whichever role they take, one unit each
    at most. Measures ``priority``: the units left unmet (``Shortfall.needs``)."""

    name = "network and language needs"
    tier = Tier.PRIORITY

    def measure(self, tally: "Tally", events: Iterable[int]) -> int:
        """Need units the plan leaves unmet on these events (``Shortfall.needs``)."""
        return sum(tally.lacking(e).needs for e in events)

    def units(self, instance: "Instance", event: int) -> list[NeedUnit]:
        lacking = instance.shortfall[event]
        found = [NeedUnit(event, network, count) for network, count in sorted(lacking.networks.items())]
        return found + [NeedUnit(event, language.casefold(), 1) for language in lacking.languages]

    @staticmethod
    def meets(person: "PlanPerson", key: int | str) -> bool:
        return key in person.networks if isinstance(key, int) else key in person.languages

    @staticmethod
    def met(tally: "Tally", unit: NeedUnit) -> int:
        """How many of the plan's people on the unit's event meet it."""
        counter = tally.members if isinstance(unit.key, int) else tally.speakers
        return counter[unit.event][unit.key]  # type: ignore[index]

    def serving(
        self, instance: "Instance", unit: NeedUnit, indices: Iterable[int] | None = None
    ) -> list[int]:
        """The pairs of the unit's event (or of ``indices``) whose person could meet it."""
        pairs, people = instance.pairs, instance.people
        chosen = instance.pairs_of_event[unit.event] if indices is None else indices
        return [i for i in chosen if self.meets(people[pairs[i].person], unit.key)]

    def constrain(self, build: "ModelBuild") -> None:
        instance, model, counts = build.instance, build.model, build.counts
        reachable_units: dict[tuple[str, int | str], int] = defaultdict(int)
        who_could: dict[tuple[str, int | str], set[int]] = defaultdict(set)
        for e in build.events:
            month = instance.months[e]
            for unit in self.units(instance, e):
                indices = self.serving(instance, unit, build.kept[e])
                keys = [(i, r) for i in indices for r in instance.pairs[i].roles if (i, r) in build.lits]
                # One person meets at most one unit of a need, whichever role they take.
                reachable = min(unit.lacking, len(indices))
                build.floors[Tier.PRIORITY] += unit.lacking - reachable
                reachable_units[(month, unit.key)] += reachable
                who_could[(month, unit.key)].update(instance.pairs[i].person for i in indices)
                build.terms[Tier.PRIORITY].append(unit.lacking - reachable)
                if reachable:
                    met = model.new_int_var(0, reachable, f"{unit.label}_{e}")
                    model.add(met <= cp_model.LinearExpr.sum([build.lits[k] for k in keys]))
                    build.terms[Tier.PRIORITY].append(reachable - met)
                    build.follow(met, _capped(reachable, keys))
        counts.priority_floor = build.floors[Tier.PRIORITY]
        counts.add_needs(reachable_units, who_could)


def _capped(cap: int, keys: list[Choice]) -> Callable[[set[Choice]], int]:
    return lambda chosen: min(cap, sum(1 for k in keys if k in chosen))


# --- clashes and the travel buffer; unavailability ------------------------------------------


def slots_conflict(a: Slot, b: Slot, travel_buffer: timedelta) -> bool:
    """Whether one person could not do both: asked of the booking rules, not re-derived."""
    probe = Schedule(person_id=0, name="", active=True, monthly_limit=NO_LIMIT, duties=[a])
    return bool(clashes(probe, b, travel_buffer=travel_buffer))


class _Spans:
    """Busy spans of one person (duties widened by the travel buffer, or absences), merged
    and indexed by start: one bisect tells whether anything is near an event at all."""

    def __init__(self, spans: Iterable[tuple[datetime, datetime]]) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def touches(self, slot: Slot) -> bool:
        i = bisect_left(self.starts, slot.ends_at) - 1
        return i >= 0 and self.ends[i] > slot.starts_at


def _screen_near(instance: "Instance", spans: _Spans, probe: Schedule) -> Screen:
    """Admits an event clear of every span at once, and asks the booking rules about the
    rest with ``probe``: the person's schedule cut down to what the rule is about."""
    events, buffer = instance.events, instance.travel_buffer

    def admits(e: int) -> bool:
        slot = events[e].slot
        return not spans.touches(slot) or not clashes(probe, slot, travel_buffer=buffer)

    return admits


class Clashes(Rule):
    """Nobody is on two events at once, nor on two venues with less than the travel buffer
    between them — against the duties they hold already, and between the plan's events."""

    name = "clashes and travel buffer"

    def prepare(self, instance: "Instance") -> None:
        instance.conflicts, instance.cliques = _conflict_graph(
            [e.slot for e in instance.events], instance.travel_buffer
        )

    def screen(self, instance: "Instance", person: int) -> Screen | None:
        schedule = instance.people[person].schedule
        if not schedule.duties:
            return None
        buffer = instance.travel_buffer
        spans = _Spans((d.starts_at - buffer, d.ends_at + buffer) for d in schedule.duties)
        probe = Schedule(schedule.person_id, schedule.name, True, NO_LIMIT, duties=schedule.duties)
        return _screen_near(instance, spans, probe)

    def links(self, instance: "Instance") -> Iterator[Sequence[int]]:
        # Conflicting events across a month boundary where someone could take either.
        pairs, months = instance.pairs, instance.months
        for e, others in enumerate(instance.conflicts):
            for other in others:
                if other > e and months[other] != months[e]:
                    people_e = {pairs[i].person for i in instance.pairs_of_event[e]}
                    if any(pairs[i].person in people_e for i in instance.pairs_of_event[other]):
                        yield (e, other)

    def constrain(self, build: "ModelBuild") -> None:
        # At most one of any set of mutually conflicting events, each person (roles included).
        instance = build.instance
        cliques_of_event: dict[int, list[int]] = defaultdict(list)
        for c, clique in enumerate(instance.cliques):
            for e in clique:
                if e in build.event_set:
                    cliques_of_event[e].append(c)
        for per_event in build.by_person.values():
            seen: set[tuple[int, ...]] = set()
            for c in sorted({c for e in per_event for c in cliques_of_event[e]}):
                mine = tuple(e for e in instance.cliques[c] if e in per_event)
                if len(mine) >= 2 and mine not in seen:
                    seen.add(mine)
                    build.model.add_at_most_one([lit for e in mine for lit in per_event[e]])

    def fits(self, tally: "Tally", index: int, role: str, replacing: int | None) -> bool:
        pair = tally.instance.pairs[index]
        return tally.instance.conflicts[pair.event].isdisjoint(tally.busy[pair.person])


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
        # Runs to each event's own horizon, so a long early event meets every later one it clashes with.
        horizon = slots[i].ends_at + travel_buffer
        for j in range(i + 1, n):
            if slots[j].starts_at >= horizon:
                break
            if slots_conflict(slots[i], slots[j], travel_buffer):
                conflicts[i].add(j)
                conflicts[j].add(i)
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


class Unavailability(Rule):
    """Nobody is proposed while away (leave, shifts, training) or inactive, as the booking
    rules say."""

    name = "unavailability"

    def screen(self, instance: "Instance", person: int) -> Screen | None:
        schedule = instance.people[person].schedule
        if not schedule.active:
            return lambda e: False
        if not schedule.away:
            return None
        spans = _Spans((a.starts_at, a.ends_at) for a in schedule.away)
        probe = Schedule(schedule.person_id, schedule.name, True, NO_LIMIT, away=schedule.away)
        return _screen_near(instance, spans, probe)


# --- limits on duties per period -------------------------------------------------------------


@dataclass
class LimitTable:
    """A limit's periods and what each person may still take in each."""

    period_of_event: list[str] = field(default_factory=list)
    room: dict[tuple[int, str], int] = field(default_factory=dict)  # (person, period) → duties left

    def room_of(self, person: int, event: int) -> int | None:
        """Duties the person may still take in the event's period; None: no limit."""
        return self.room.get((person, self.period_of_event[event]))


class PeriodLimit(Rule):
    """At most ``cap(person)`` duties in each ``period`` (duties held already count); a
    person whose ``cap`` is None has no such limit."""

    def __init__(
        self, name: str, period: Callable[[datetime], str], cap: Callable[["PlanPerson"], int | None]
    ) -> None:
        self.name = name
        self.period = period
        self.cap = cap

    def table(self, instance: "Instance") -> LimitTable:
        table: LimitTable = instance.tables[self.name]
        return table

    def prepare(self, instance: "Instance") -> None:
        table = LimitTable([self.period(e.slot.starts_at) for e in instance.events])
        instance.tables[self.name] = table
        periods = set(table.period_of_event)
        for p, person in enumerate(instance.people):
            cap = self.cap(person)
            if cap is None:
                continue
            held = Counter(self.period(d.starts_at) for d in person.schedule.duties)
            for period in periods:
                table.room[(p, period)] = max(0, cap - held[period])

    def screen(self, instance: "Instance", person: int) -> Screen | None:
        table = self.table(instance)
        if not any(table.room.get((person, k), 1) <= 0 for k in set(table.period_of_event)):
            return None
        return lambda e: table.room_of(person, e) != 0

    def links(self, instance: "Instance") -> Iterator[Sequence[int]]:
        table = self.table(instance)
        for p, indices in enumerate(instance.pairs_of_person):
            by_period: dict[str, list[int]] = defaultdict(list)
            for index in indices:
                e = instance.pairs[index].event
                if table.room_of(p, e) is not None:
                    by_period[table.period_of_event[e]].append(e)
            yield from by_period.values()

    def constrain(self, build: "ModelBuild") -> None:
        table = self.table(build.instance)
        months = build.instance.months
        lits: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
        # Events each person could take in each (month, period), for the bounds' load ranges.
        open_events: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
        for p, per_event in build.by_person.items():
            for e, person_lits in per_event.items():
                if table.room_of(p, e) is not None:
                    lits[(p, table.period_of_event[e])].extend(person_lits)
                    open_events[(p, months[e])][table.period_of_event[e]] += 1
        for (p, period), chosen in lits.items():
            room = table.room[(p, period)]
            if len(chosen) > room:
                build.model.add(cp_model.LinearExpr.sum(chosen) <= room)
        for (p, month), periods in open_events.items():
            most = sum(min(count, table.room[(p, period)]) for period, count in periods.items())
            build.counts.cap_added((p, month), most)

    def fits(self, tally: "Tally", index: int, role: str, replacing: int | None) -> bool:
        pair = tally.instance.pairs[index]
        key = self.key(tally.instance, pair.person, pair.event)
        return key is None or tally.held(self, key) < self.table(tally.instance).room[key]

    def key(self, instance: "Instance", person: int, event: int) -> tuple[int, str] | None:
        """The (person, period) a choice counts against; None if the person has no limit."""
        table: LimitTable = instance.tables[self.name]
        key = (person, table.period_of_event[event])
        return key if key in table.room else None


SEATS = Seats()
NEEDS = Needs()
CLASHES = Clashes()
UNAVAILABILITY = Unavailability()
MONTHLY_LIMIT = PeriodLimit("monthly limit", month_of, lambda person: person.schedule.monthly_limit)


def week_of(instant: datetime) -> str:
    """The London week, Monday to Sunday, an instant falls in."""
    year, week, _ = to_london(instant).isocalendar()
    return f"{year}-W{week:02d}"


WEEKLY_LIMIT = PeriodLimit("weekly limit", week_of, lambda person: person.max_duties_per_week)

RULES: tuple[Rule, ...] = (SEATS, NEEDS, CLASHES, UNAVAILABILITY, MONTHLY_LIMIT, WEEKLY_LIMIT)
LIMITS: tuple[PeriodLimit, ...] = tuple(rule for rule in RULES if isinstance(rule, PeriodLimit))
# The rules that can refuse a choice in a plan (the others refuse pairs, by ``screen``).
FITTING: tuple[Rule, ...] = tuple(rule for rule in RULES if type(rule).fits is not Rule.fits)
