"""The matching engine: a fair staffing proposal for many events, as pure functions.

Dataclasses in (``app.staffing.instance``), a proposal and its figures out; nothing here
knows about the database or the web, so the API, the pages, the tests and the benchmark
all run the same code.

A plan is ranked lexicographically, in the order the issue gives:

1. ``priority``: network minimums and wanted languages left unmet;
2. ``places``: ambassador and recruiter places left unmet;
3. ``fairness``: for every month, and every group of people who could take the same
   places (a component, below), the gap between the most- and least-loaded eligible
   person — overall and within each network — summed;
4. ``travel``: kilometres from each proposed person's base to the venue.

How a plan is made:

- The events are split into components: events no person could share in a month. Every
  monthly limit and every fairness group lives inside one component, so solving them
  apart and adding up loses nothing; a month is at most one component, so this is also
  the split by period. Small components are solved side by side, one CP-SAT worker each;
  several large ones by phase (``_run_by_phase``).
- The greedy baseline (``greedy.py``) gives the first plan.
- Priority needs are solved exactly by CP-SAT on a small model holding only the people who
  could meet one (nobody else affects that figure); greedy fills the remaining places.
- A local search (``polish.py``) hands places to less loaded, then nearer, people, where
  the search for load windows (below) will not have the time to reach fairness from any
  plan.
- CP-SAT then improves places, fairness and travel in turn on a candidate model — for each
  place and need the nearest few people who could take it, each person's nearest few
  events, and the current plan — each stage keeping the figures before it, each started
  from the plan so far (``AddHint``), each proving a bound. A stage whose figure already
  meets its floor (zero unmet, a gap of zero, or the proven least gap) is skipped.
- A large model, when a worker is spare (one month planned alone, or several large months
  planned by phase), is solved by a CP-SAT portfolio: one worker proves bounds with the
  full LP while the other searches neighbourhoods of the best plan; it stops when the
  search stalls, and fairness goes again after travel while time is left. Otherwise one
  worker, so that equal input and seed give an equal plan whenever the solve ends by proof.
- Fairness is bounded by counting loads (``bounds.py``): each group's least gap given what
  its month must cover, then all groups at once on a small integer model of loads alone,
  which knows that only some can recruit or meet a need. A search for a plan within the
  load windows of that model's solution (``reach_windows``) then often meets the floor,
  which proves it; windows it proves out of reach are refuted (no counting model allows
  them again), and when none are left at the floor, the floor rises by one. Time
  permitting, CP-SAT also proves single groups' gaps (``prove_group_gaps``).
- Once fairness is proven, travel goes by load windows (``travel_by_windows``): the
  counting model lists every tuple of windows a plan this fair could have, and CP-SAT finds
  the least travel within each, where travel's linear relaxation is nearly exact; with
  every tuple done, travel is proven.
- On a large model whose fairness is not proven, travel keeps each group's gap as planned
  (much quicker to search) and is reported unproven, its bound holding given each group's
  gap.

Bounds: the priority bound holds for the whole problem; the later bounds hold for the
candidate model (the report says so), each given the figures before it.
"""

import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from app.events.staffing import StaffingState, TeamMember, staffing_state
from app.staffing.bounds import CountingModel, LoadCounts, Need, Windows, group_floors
from app.staffing.greedy import greedy_choices
from app.staffing.instance import AMBASSADOR, RECRUITER, Instance, Proposal, Residual
from app.staffing.polish import polish

log = logging.getLogger("muster.staffing")

TIERS = ("priority", "places", "fairness", "travel")
TIER_WORDS = {
    "priority": "network and language needs unmet",
    "places": "ambassador and recruiter places unmet",
    "fairness": "load gap (most − least loaded, overall and per network, summed over months)",
    "travel": "travel (km from base to venue)",
}
# Share of a component's remaining time each step may use, in the order they run; a step
# that ends early (proven, or nothing to do) leaves its time to the next: the figures ranked
# first get the time first: the quick needs model, the needs, places, the local search, the
# one-group fairness proofs (GROUP_PROOF_SHARE), fairness, then travel takes what is left.
QUICK_PRIORITY_SHARE = 0.08
STAGE_SHARES = (0.35, 0.75, 0.6, 1.0)
POLISH_SHARE = 0.25
# Share of the time left after every component's needs that their places take in turn (see
# _run_by_phase). Measured on the tight quarter: places need about 15 s of the 21 s left
# there; fairness and travel on a tight quarter move little with the rest (sum of gaps 21
# either way).
PHASED_PLACES_SHARE = 0.9
# The candidate model. Measured on the benchmark (a month of 300 events, 200 people): the
# model of every pair (60,000 variables) did not improve travel in 20 s on two cores; the
# candidate model (10,000) reached travel within 1% of the full model's LP bound.
CANDIDATES_PER_PLACE = 8
CANDIDATES_PER_PERSON = 4
# The quick first model for network and language needs: this many nearest people per need.
PRIORITY_CANDIDATES = 6
# Share of the remaining time for proving each fairness group's least gap (see
# prove_group_gaps), before CP-SAT improves the sum of gaps on the model of all groups.
GROUP_PROOF_SHARE = 0.3
# Shares of the remaining time for the joint fairness floor (CountingModel.joint_floor), first,
# then for a search for a plan that meets it (reach_windows), if at least WINDOWS_MIN_SECONDS
# are left: an attempt that fails costs its time, and measured on the loose quarter (about
# 3 s left per month) the attempts cost more than they brought (sums of gaps 22–26 against
# 17–21 without), while on the loose month (6.5 s left) they reach the floor in 0.5 s.
JOINT_FLOOR_SHARE = 0.35
WINDOWS_SHARE = 0.6
WINDOWS_MIN_SECONDS = 4.0
# With this long left for fairness and travel, the windows search goes without the local
# search (polish) before it: it reaches the floor from any plan, and the time goes to travel
# by windows. Measured on the loose month (8.5 s left): proven optimal in 8.3–8.9 s without,
# not within 10 s with (polish took 1.9 s); on the loose quarter's months (6.5 s left) the
# local search is worth its time (sums of gaps 18 with, 33 without).
WINDOWS_ALONE_SECONDS = 7.5
GROUP_PROOF_MIN_SECONDS = 1.0
# Travel by load windows (travel_by_windows), once fairness is proven: at most this many
# tuples of windows (measured: about 0.5 s each on the loose month, which has 13), listed
# within this share of its time. It takes all the time left: the travel search after it
# would not prove anything in the rest (measured: bounds of 2,900–4,300 km in 0.8 s on the
# loose month, against 5,750 proven by the tuples given those 0.8 s).
WINDOW_TUPLES_MOST = 24
WINDOW_LIST_SHARE = 0.5
# A portfolio search (large models) stops once no better plan has come for this share of
# its time limit, or this many seconds if more.
STALL_SHARE = 0.5
STALL_MIN_SECONDS = 1.0
# Fairness goes again after travel (portfolio only) if at least this much time is left.
FAIRNESS_AGAIN_MIN_SECONDS = 1.5
# A model with more variables than this is large: it is solved by a portfolio when a spare
# worker exists, and otherwise CP-SAT is not asked to lower its sum of gaps (see stage());
# travel keeps each group's gap on it.
LARGE_MODEL_VARIABLES = 5000

Choice = tuple[int, str]  # (pair index, role)


@dataclass
class Group:
    """People whose loads are compared: one month of one component, maybe one network."""

    month: str
    network: int | None
    people: list[int]


@dataclass
class Figures:
    """What a plan achieves, in the objective's terms and in the words of the report."""

    priority: int
    places: int
    fairness: int
    travel: int
    priority_needed: int
    places_needed: int
    places_filled: int
    proposed: int
    worst_gap: int
    worst_network_gap: int
    network_gaps: dict[int, int]

    @property
    def tiers(self) -> tuple[int, int, int, int]:
        return (self.priority, self.places, self.fairness, self.travel)


@dataclass
class Tier:
    name: str
    value: int
    bound: int
    proven: bool

    @property
    def gap(self) -> float:
        return 0.0 if self.proven else (self.value - self.bound) / max(abs(self.value), 1)


@dataclass
class Load:
    person_id: int
    name: str
    before: int
    proposed: int
    monthly_limit: int

    @property
    def after(self) -> int:
        return self.before + self.proposed


@dataclass
class Outcome:
    """A finished plan: proposals, figures, the solver's account of itself, baseline figures."""

    proposals: list[Proposal]
    figures: Figures
    greedy: Figures
    tiers: list[Tier]
    status: str  # optimal (every figure proven) | feasible
    loads: list[Load]
    unmet: dict[int, StaffingState]  # event id → staffing state after the plan, if not filled
    components: int
    periods: list[str]
    variables: int
    pairs_considered: int
    pairs_total: int
    seconds: float
    solver_seconds: float
    seed: int
    time_limit: float
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative gap on the first figure not proven optimal (0 when all are)."""
        for tier in self.tiers:
            if not tier.proven:
                return tier.gap
        return 0.0


# --- figures of any plan ---------------------------------------------------------------------


def fairness_groups(instance: Instance, events: list[int]) -> list[Group]:
    """For each month of these events: everyone who could take one of them, and each network's."""
    key = ("groups", tuple(events))
    if key not in instance.cache:
        instance.cache[key] = _fairness_groups(instance, events)
    return list(instance.cache[key])


def _fairness_groups(instance: Instance, events: list[int]) -> list[Group]:
    people_by_month: dict[str, set[int]] = defaultdict(set)
    for e in events:
        for index in instance.pairs_of_event[e]:
            people_by_month[instance.months[e]].add(instance.pairs[index].person)
    groups: list[Group] = []
    for month in sorted(people_by_month):
        members = sorted(people_by_month[month])
        if len(members) >= 2:
            groups.append(Group(month, None, members))
        by_network: dict[int, list[int]] = defaultdict(list)
        for p in members:
            for network in instance.people[p].networks:
                by_network[network].append(p)
        for network in sorted(by_network):
            if len(by_network[network]) >= 2:
                groups.append(Group(month, network, by_network[network]))
    return groups


def assess(instance: Instance, choices: list[Choice]) -> Figures:
    """The figures of a plan, computed directly from its choices (not from the solver)."""
    added = {AMBASSADOR: [0] * len(instance.events), RECRUITER: [0] * len(instance.events)}
    networks: list[dict[int, int]] = [defaultdict(int) for _ in instance.events]
    languages: list[set[str]] = [set() for _ in instance.events]
    load = dict(instance.pinned)
    travel = 0
    for index, role in choices:
        pair = instance.pairs[index]
        person = instance.people[pair.person]
        added[role][pair.event] += 1
        for network in person.networks:
            networks[pair.event][network] += 1
        languages[pair.event].update(person.languages)
        load[(pair.person, instance.months[pair.event])] += 1
        travel += pair.km
    priority = places = priority_needed = places_needed = places_filled = 0
    for e, event in enumerate(instance.events):
        need = instance.residual[e]
        for network, lacking in need.networks.items():
            priority += max(0, lacking - networks[e][network])
        priority += sum(1 for lang in need.languages if lang.casefold() not in languages[e])
        places += max(0, need.ambassadors - added[AMBASSADOR][e]) + max(
            0, need.recruiters - added[RECRUITER][e]
        )
        priority_needed += sum(n.min_count for n in event.network_needs) + len(
            {lang.casefold() for lang in event.wanted_languages}
        )
        places_needed += event.ambassadors_needed + event.recruiters_needed
    places_filled = places_needed - places
    fairness = worst = worst_network = 0
    network_gaps: dict[int, int] = {}
    for component in instance.components:
        for group in fairness_groups(instance, component):
            loads = [load[(p, group.month)] for p in group.people]
            gap = max(loads) - min(loads)
            fairness += gap
            if group.network is None:
                worst = max(worst, gap)
            else:
                worst_network = max(worst_network, gap)
                network_gaps[group.network] = max(network_gaps.get(group.network, 0), gap)
    return Figures(
        priority=priority,
        places=places,
        fairness=fairness,
        travel=travel,
        priority_needed=priority_needed,
        places_needed=places_needed,
        places_filled=places_filled,
        proposed=len(choices),
        worst_gap=worst,
        worst_network_gap=worst_network,
        network_gaps=network_gaps,
    )


def assess_loads(instance: Instance, choices: list[Choice]) -> dict[tuple[int, str], int]:
    """Each (person, month)'s load with the plan's choices added to the pinned duties."""
    load = dict(instance.pinned)
    for index, _ in choices:
        pair = instance.pairs[index]
        load[(pair.person, instance.months[pair.event])] += 1
    return load


def loads_of(instance: Instance, choices: list[Choice]) -> list[Load]:
    """Each person who could take a place, or holds one: duties in the plan's months, before and proposed."""
    proposed: dict[int, int] = defaultdict(int)
    for index, _ in choices:
        proposed[instance.pairs[index].person] += 1
    result = []
    months = instance.periods
    for p, person in enumerate(instance.people):
        before = sum(instance.pinned.get((p, m), 0) for m in months)
        if not instance.pairs_of_person[p] and not before:
            continue
        result.append(Load(person.person_id, person.name, before, proposed[p], person.schedule.monthly_limit))
    return result


def states_after(instance: Instance, choices: list[Choice]) -> dict[int, StaffingState]:
    """Each event's staffing state with the proposal added, in the words the event page uses."""
    extra: dict[int, list[TeamMember]] = defaultdict(list)
    for index, role in choices:
        pair = instance.pairs[index]
        person = instance.people[pair.person]
        extra[pair.event].append(
            TeamMember(person.person_id, role, "proposed", person.networks, person.languages)
        )
    return {
        event.event_id: staffing_state(
            ambassadors_needed=event.ambassadors_needed,
            recruiters_needed=event.recruiters_needed,
            network_needs=event.network_needs,
            wanted_languages=event.wanted_languages,
            team=[*event.team, *extra[e]],
        )
        for e, event in enumerate(instance.events)
    }


def to_proposals(instance: Instance, choices: list[Choice]) -> list[Proposal]:
    ordered = sorted(choices, key=lambda c: (instance.pairs[c[0]].event, c[1], instance.pairs[c[0]].person))
    return [
        Proposal(
            instance.events[instance.pairs[i].event].event_id,
            instance.people[instance.pairs[i].person].person_id,
            role,
        )
        for i, role in ordered
    ]


# --- the CP-SAT model of one component -------------------------------------------------------


class ComponentModel:
    """One component as a CP-SAT model; ``tiers`` are the four figures as expressions."""

    def __init__(
        self, instance: Instance, events: list[int], pairs: set[int], *, priority_only: bool = False
    ) -> None:
        self.instance = instance
        self.events = events
        self.event_set = set(events)
        model = self.model = cp_model.CpModel()
        kept: dict[int, list[int]] = {
            e: [i for i in instance.pairs_of_event[e] if i in pairs] for e in events
        }
        self.lits: dict[Choice, cp_model.IntVar] = {}
        recruit_events: dict[tuple[int, str], int] = defaultdict(int)
        # Auxiliary variables whose value follows from the choices, to complete a hint.
        self.aux: list[tuple[cp_model.IntVar, Callable[[set[Choice]], int]]] = []
        by_person: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
        for e in events:
            for index in kept[e]:
                pair = instance.pairs[index]
                for role in pair.roles:
                    lit = model.new_bool_var(f"x{index}{role[0]}")
                    self.lits[(index, role)] = lit
                    by_person[pair.person][e].append(lit)
                if RECRUITER in pair.roles:
                    recruit_events[(pair.person, instance.months[e])] += 1

        priority_terms: list[cp_model.LinearExprT] = []
        places_terms: list[cp_model.LinearExprT] = []
        self.priority_floor = 0  # units nobody in this component can meet
        # What any plan of this model must cover, and who could, for the fairness floors.
        counts = self.counts = LoadCounts()
        reachable_units: dict[tuple[str, int | str], int] = defaultdict(int)
        who_could: dict[tuple[str, int | str], set[int]] = defaultdict(set)
        for e in events:
            need, month = instance.residual[e], instance.months[e]
            indices = kept[e]
            by_role = {
                role: [(i, role) for i in indices if (i, role) in self.lits]
                for role in (AMBASSADOR, RECRUITER)
            }
            for role, seats, wanted in (
                (AMBASSADOR, need.ambassador_seats, need.ambassadors),
                (RECRUITER, need.recruiters, need.recruiters),
            ):
                keys = by_role[role]
                counts.wanted[(month, role)] += wanted
                counts.seats[(month, role)] += min(seats, len(keys))
                total = cp_model.LinearExpr.sum([self.lits[k] for k in keys])
                if len(keys) > seats:
                    model.add(total <= seats)
                if wanted:
                    short = model.new_int_var(max(0, wanted - len(keys)), wanted, f"short{e}{role[0]}")
                    model.add(short + total >= wanted)
                    places_terms.append(short)
                    self.aux.append((short, _shortfall(wanted, keys)))
            wanted_groups: list[tuple[int | str, int, list[Choice]]] = []
            for network, lacking in sorted(need.networks.items()):
                keys = [
                    (i, r)
                    for i in indices
                    for r in instance.pairs[i].roles
                    if network in instance.people[instance.pairs[i].person].networks
                ]
                wanted_groups.append((network, lacking, keys))
            for language in need.languages:
                key = language.casefold()
                keys = [
                    (i, r)
                    for i in indices
                    for r in instance.pairs[i].roles
                    if key in instance.people[instance.pairs[i].person].languages
                ]
                wanted_groups.append((key, 1, keys))
            for label, lacking, keys in wanted_groups:
                name = f"net{e}_{label}" if isinstance(label, int) else f"lang{e}_{label}"
                # One person meets at most one unit of a need, whichever role they take.
                reachable = min(lacking, len({i for i, _ in keys}))
                self.priority_floor += lacking - reachable
                reachable_units[(month, label)] += reachable
                who_could[(month, label)].update(instance.pairs[i].person for i, _ in keys)
                priority_terms.append(lacking - reachable)
                if reachable:
                    met = model.new_int_var(0, reachable, name)
                    model.add(met <= cp_model.LinearExpr.sum([self.lits[k] for k in keys]))
                    priority_terms.append(reachable - met)
                    self.aux.append((met, _capped(reachable, keys)))

        # At most one of any set of mutually conflicting events (a pair's roles included).
        cliques_of_event: dict[int, list[int]] = defaultdict(list)
        for c, clique in enumerate(instance.cliques):
            for e in clique:
                cliques_of_event[e].append(c)
        loads: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
        open_events: dict[tuple[int, str], int] = defaultdict(int)
        for p, per_event in by_person.items():
            for e, lits in per_event.items():
                loads[(p, instance.months[e])].extend(lits)
                open_events[(p, instance.months[e])] += 1
            covered: set[int] = set()
            seen: set[tuple[int, ...]] = set()
            for c in sorted({c for e in per_event for c in cliques_of_event[e]}):
                mine = tuple(e for e in instance.cliques[c] if e in per_event)
                if len(mine) >= 2 and mine not in seen:
                    seen.add(mine)
                    covered.update(mine)
                    model.add_at_most_one([lit for e in mine for lit in per_event[e]])
            for e, lits in per_event.items():
                if len(lits) > 1 and e not in covered:
                    model.add_at_most_one(lits)

        # One load variable per person and month; its domain carries the monthly limit (and
        # one duty per event at most).
        self.load_vars: dict[tuple[int, str], cp_model.IntVar] = {}
        for (p, month), lits in sorted(loads.items()):
            pinned = instance.pinned[(p, month)]
            top = pinned + min(instance.capacity[(p, month)], open_events[(p, month)])
            var = model.new_int_var(pinned, top, f"load{p}_{month}")
            model.add(var == pinned + cp_model.LinearExpr.sum(lits))
            self.load_vars[(p, month)] = var
            counts.ranges[(p, month)] = (pinned, top)
            counts.can_recruit[(p, month)] = recruit_events[(p, month)]
        counts.priority_floor = self.priority_floor
        counts.needs = [
            Need(
                month, label if isinstance(label, int) else None, frozenset(who_could[(month, label)]), units
            )
            for (month, label), units in sorted(reachable_units.items(), key=lambda kv: str(kv[0]))
        ]

        # Fairness: for each group, gap = highest load − lowest load.
        self.groups = [] if priority_only else fairness_groups(instance, events)
        self.highs: list[cp_model.IntVar] = []
        self.lows: list[cp_model.IntVar] = []
        fairness_terms: list[cp_model.LinearExprT] = []
        for g, group in enumerate(self.groups):
            # Someone with no candidate place here still counts, at the load they already have.
            members = [
                self.load_vars.get((p, group.month), instance.pinned[(p, group.month)]) for p in group.people
            ]
            domains = [
                counts.range_of((p, group.month), instance.pinned[(p, group.month)]) for p in group.people
            ]
            high = model.new_int_var(max(d[0] for d in domains), max(d[1] for d in domains), f"hi{g}")
            low = model.new_int_var(min(d[0] for d in domains), min(d[1] for d in domains), f"lo{g}")
            for member in members:
                model.add(high >= member)
                model.add(low <= member)
            fairness_terms.append(high - low)
            self.highs.append(high)
            self.lows.append(low)

        travel = [
            (self.lits[key], instance.pairs[key[0]].km) for key in self.lits if instance.pairs[key[0]].km
        ]
        self.tiers: list[cp_model.LinearExprT] = [
            cp_model.LinearExpr.sum(priority_terms),
            cp_model.LinearExpr.sum(places_terms),
            cp_model.LinearExpr.sum(fairness_terms),
            cp_model.LinearExpr.weighted_sum([v for v, _ in travel], [k for _, k in travel]),
        ]
        self.floors = [self.priority_floor, 0, 0, 0]
        self.group_floor = [0] * len(self.groups)  # proven lower bound on each group's gap
        self.joint_floor = 0  # proven lower bound on the sum of gaps (CountingModel.joint_floor)
        # Tuples of load windows no plan of this model reaches (found by reach_windows),
        # excluded from every counting model made from now on.
        self.refuted: list[Windows] = []

    @property
    def large(self) -> bool:
        """Solved by a portfolio where a worker is spare; travel keeps each group's gap on it."""
        return len(self.lits) > LARGE_MODEL_VARIABLES

    def group_floors(self, priority: int, places: int) -> list[int]:
        """A lower bound on each group's gap in any plan of this model with at most
        ``priority`` and ``places`` unmet (``bounds.group_floors``)."""
        return group_floors(
            self.counts, self._group_specs(), self.instance.pinned, priority=priority, places=places
        )

    def add_fairness_floor(self, priority: int, places: int) -> int:
        """Add each group's floor (``group_floors``) as a redundant constraint; the fairness floor."""
        return self.raise_group_floors(self.group_floors(priority, places))

    def raise_group_floors(self, floors: list[int]) -> int:
        """Record proven lower bounds on each group's gap, as redundant constraints; the
        fairness floor (their sum, or the joint floor if higher)."""
        for g, (floor, high, low) in enumerate(zip(floors, self.highs, self.lows, strict=True)):
            if floor > self.group_floor[g]:
                self.model.add(high - low >= floor)
                self.group_floor[g] = floor
        return self._fairness_floor()

    def add_joint_floor(
        self, priority: int, places: int, plan: list[Choice], *, seconds: float, seed: int
    ) -> int:
        """Raise the fairness floor to ``CountingModel.joint_floor`` (all groups at once,
        started from ``plan``), as a redundant constraint on the sum of gaps; the floor."""
        loads = assess_loads(self.instance, plan)
        recruiting: dict[tuple[int, str], int] = defaultdict(int)
        for index, role in plan:
            if role == RECRUITER:
                pair = self.instance.pairs[index]
                recruiting[(pair.person, self.instance.months[pair.event])] += 1
        counting = self.counting(priority, places)
        counting.start_from({key: (loads[key], recruiting[key]) for key in self.counts.ranges})
        return self.raise_joint_floor(counting.joint_floor(seconds=seconds, seed=seed))

    def raise_joint_floor(self, floor: int) -> int:
        """Record a proven lower bound on the sum of gaps, as a redundant constraint; the
        fairness floor."""
        if floor > self.joint_floor:
            self.model.add(self.tiers[TIERS.index("fairness")] >= floor)
            self.joint_floor = floor
        return self._fairness_floor()

    def counting(self, priority: int, places: int) -> CountingModel:
        """The counting model of this model's plans with at most ``priority`` and ``places`` unmet."""
        return CountingModel(
            self.counts,
            self._group_specs(),
            self.instance.pinned,
            priority=priority,
            places=places,
            floors=self.group_floor,
            refuted=self.refuted,
        )

    def _fairness_floor(self) -> int:
        fairness = TIERS.index("fairness")
        self.floors[fairness] = max(sum(self.group_floor), self.joint_floor)
        return self.floors[fairness]

    def _group_specs(self) -> list[tuple[str, int | None, list[int]]]:
        return [(g.month, g.network, g.people) for g in self.groups]

    def chosen(self, solver: cp_model.CpSolver) -> list[Choice]:
        """The plan in a solver's solution of this model (or of a copy of it)."""
        solution = solver.response_proto.solution
        return [key for key, lit in self.lits.items() if solution[lit.index]]

    def group_gaps(self, choices: list[Choice]) -> list[int]:
        """Each fairness group's gap (most − least loaded) in a plan."""
        return [most - least for least, most in self.windows_of(choices)]

    def windows_of(self, choices: list[Choice]) -> Windows:
        """Each fairness group's least and most load in a plan."""
        loads = assess_loads(self.instance, choices)
        windows = []
        for group in self.groups:
            levels = [loads[(p, group.month)] for p in group.people]
            windows.append((min(levels), max(levels)))
        return windows

    def within(self, windows: Windows) -> cp_model.CpModel:
        """A copy of the model whose every group's loads lie in its window (least, most)."""
        copy = self.model.clone()
        for (least, most), high, low in zip(windows, self.highs, self.lows, strict=True):
            copy.add(low >= least)
            copy.add(high <= most)
        return copy

    def hint(self, choices: list[Choice]) -> None:
        """Give the solver a complete starting plan (every variable), so it is used as is."""
        chosen = {c for c in choices if c in self.lits}
        model = self.model
        model.clear_hints()
        for key, lit in self.lits.items():
            model.add_hint(lit, key in chosen)
        for var, value_of in self.aux:
            model.add_hint(var, value_of(chosen))
        loads = {key: self.instance.pinned[key] for key in self.load_vars}
        for index, _ in chosen:
            pair = self.instance.pairs[index]
            loads[(pair.person, self.instance.months[pair.event])] += 1
        for key, var in self.load_vars.items():
            model.add_hint(var, loads[key])
        for group, high, low in zip(self.groups, self.highs, self.lows, strict=True):
            values = [
                loads.get((p, group.month), self.instance.pinned[(p, group.month)]) for p in group.people
            ]
            model.add_hint(high, max(values))
            model.add_hint(low, min(values))

    def values(self, choices: list[Choice]) -> tuple[int, int, int, int]:
        """The four figures of given choices in this component, computed directly."""
        mine = [c for c in choices if self.instance.pairs[c[0]].event in self.event_set]
        return assess(_restricted(self.instance, self.events), mine).tiers


def candidate_pairs(
    instance: Instance, events: list[int], *, per_place: int, per_person: int, keep: set[int]
) -> set[int]:
    """The pairs the main model considers: for every place, and every network or language
    need, the nearest few people who could meet it; for every person their nearest few
    events each month (so anyone can still be given work); and the plan it starts from."""
    chosen = set(keep)
    by_person_month: dict[tuple[int, str], list[int]] = defaultdict(list)
    people, pairs = instance.people, instance.pairs

    def nearest(indices: list[int], count: int) -> list[int]:
        return sorted(indices, key=lambda i: (pairs[i].km, people[pairs[i].person].person_id))[:count]

    for e in events:
        need = instance.residual[e]
        indices = instance.pairs_of_event[e]
        for index in indices:
            by_person_month[(pairs[index].person, instance.months[e])].append(index)
        for role, places in ((AMBASSADOR, need.ambassador_seats), (RECRUITER, need.recruiters)):
            fitting = [i for i in indices if role in pairs[i].roles]
            chosen.update(nearest(fitting, per_place * max(1, places)))
        for network, lacking in need.networks.items():
            members = [i for i in indices if network in people[pairs[i].person].networks]
            chosen.update(nearest(members, per_place * lacking))
        for language in need.languages:
            speakers = [i for i in indices if language.casefold() in people[pairs[i].person].languages]
            chosen.update(nearest(speakers, per_place))
    for indices in by_person_month.values():
        indices.sort(key=lambda i: (pairs[i].km, instance.events[pairs[i].event].event_id))
        chosen.update(indices[:per_person])
    return chosen


def priority_candidates(instance: Instance, events: list[int], *, per_need: int, keep: set[int]) -> set[int]:
    """For each network or language need, the nearest few people who could meet it, and
    ``keep`` (pairs that already serve a need: the plan so far)."""
    people, pairs = instance.people, instance.pairs
    chosen = set(keep)

    def nearest(indices: list[int], count: int) -> list[int]:
        return sorted(indices, key=lambda i: (pairs[i].km, people[pairs[i].person].person_id))[:count]

    for e in events:
        need = instance.residual[e]
        indices = instance.pairs_of_event[e]
        for network, lacking in need.networks.items():
            chosen.update(
                nearest(
                    [i for i in indices if network in people[pairs[i].person].networks], per_need * lacking
                )
            )
        for language in need.languages:
            key = language.casefold()
            chosen.update(nearest([i for i in indices if key in people[pairs[i].person].languages], per_need))
    return chosen


def pairs_serving_priority(instance: Instance, events: list[int]) -> set[int]:
    """Every pair whose person could meet one of the event's network or language needs."""
    found: set[int] = set()
    for e in events:
        need = instance.residual[e]
        if not need.networks and not need.languages:
            continue
        networks = set(need.networks)
        languages = {lang.casefold() for lang in need.languages}
        for index in instance.pairs_of_event[e]:
            person = instance.people[instance.pairs[index].person]
            if not networks.isdisjoint(person.networks) or not languages.isdisjoint(person.languages):
                found.add(index)
    return found


def _shortfall(wanted: int, keys: list[Choice]) -> Callable[[set[Choice]], int]:
    return lambda chosen: max(0, wanted - sum(1 for k in keys if k in chosen))


def _capped(cap: int, keys: list[Choice]) -> Callable[[set[Choice]], int]:
    return lambda chosen: min(cap, sum(1 for k in keys if k in chosen))


def _restricted(instance: Instance, events: list[int]) -> Instance:
    """The same instance seen through one component (for assessing a component alone)."""
    keep = set(events)
    clone = Instance(**{**instance.__dict__})
    clone.components = [events]
    clone.residual = [r if e in keep else _NOTHING for e, r in enumerate(instance.residual)]
    return clone


_NOTHING = Residual(ambassadors=0, recruiters=0, networks={}, languages=[], ambassador_seats=0)


# --- solving ----------------------------------------------------------------------------------


@dataclass
class _TierResult:
    value: int
    bound: int
    proven: bool


@dataclass
class _ComponentResult:
    choices: list[Choice]
    tiers: list[_TierResult]
    variables: int
    pairs_considered: int
    cut_by_clock: bool
    parallel: bool = False


def _solver(seconds: float, seed: int, workers: int = 1) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = seed
    # The full LP (at-most-one cliques included) proves the bounds. One worker's search is
    # independent of thread timing: equal input and seed give an equal plan whenever a solve
    # ends by proof or by its deterministic work budget rather than by the wall clock.
    params.num_workers = workers
    params.linearization_level = 2
    # The hint is a complete feasible plan, taken as the first solution as it is; the main
    # search need not re-walk it decision by decision (measured: that took most of the time).
    params.hint_conflict_limit = 0
    params.max_time_in_seconds = seconds
    if workers == 1:
        params.max_deterministic_time = seconds
    else:
        # A portfolio for a large model: one worker keeps the full LP and proves the bound,
        # the others search neighbourhoods of the best plan (LNS, local search). Measured on
        # the benchmark's months: the tight month's places proven in 3.1 s against 4.4 s
        # alone; the loose month's sum of gaps from 16 to 7 in 3.4 s (one worker: 15 after
        # 20 s); a tight quarter's places 141 unmet, proven, against 189. The default
        # portfolio's full worker has the weaker LP, and proved nothing in 10 s.
        params.subsolvers.append("max_lp")
    return solver


def _cp_solve(
    model: ComponentModel, tier: int, hint: list[Choice], *, seconds: float, seed: int, workers: int = 1
) -> tuple[list[Choice] | None, int, bool, bool]:
    """Minimise one figure from a starting plan: (plan or None, bound, optimal, cut by the clock)."""
    model.model.minimize(model.tiers[tier])
    model.hint(hint)
    solver = _solver(seconds, seed, workers)
    if tier == TIERS.index("priority"):
        # The needs model is wide and easy (every pair that could meet a need, one constraint
        # each): its presolve's probing took most of its time. Measured on the tight
        # quarter's months: proven in 2.2, 1.9 and 0.7 s without, 3.0, 2.9 and 1.4 s with.
        # The places model's proof needs it (the tight month's: 4.7 s with, 12.9 s without).
        solver.parameters.cp_model_probing_level = 0
    status = _solve(solver, model.model, seconds)
    log.debug(
        "%s: %s value %s bound %s in %.2f s, %.2f deterministic (limit %.2f; %d variables)",
        TIERS[tier],
        solver.status_name(status),
        solver.objective_value,
        solver.best_objective_bound,
        solver.wall_time,
        solver.deterministic_time,
        seconds,
        len(model.lits),
    )
    optimal = status == cp_model.OPTIMAL
    cut = not optimal and (workers > 1 or solver.deterministic_time < seconds * 0.99)
    bound = (
        math.ceil(solver.best_objective_bound - 1e-6)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        else 0
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, bound, False, cut
    return model.chosen(solver), bound, optimal, cut


class _Progress(cp_model.CpSolverSolutionCallback):
    """Notes when the search last found a better plan."""

    def __init__(self) -> None:
        super().__init__()
        self.last = time.perf_counter()

    def on_solution_callback(self) -> None:
        self.last = time.perf_counter()


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel, seconds: float) -> cp_model.CpSolverStatus:
    """Solve; a portfolio stops once no better plan has come for a while (``STALL_SHARE`` of
    the limit): its neighbourhood search finds plans early or not at all (measured: the
    loose month's sum of gaps fell from 16 to 7 within 3.4 s; the tight month's 3, already
    optimal, never moved), and the figures ranked after this one need the time."""
    if solver.parameters.num_workers == 1:
        return solver.solve(model)
    progress = _Progress()
    done = threading.Event()
    patience = max(STALL_MIN_SECONDS, seconds * STALL_SHARE)

    def watch() -> None:
        while not done.wait(0.05):
            if time.perf_counter() - progress.last > patience:
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return solver.solve(model, progress)
    finally:
        done.set()
        watcher.join()


def prove_group_gaps(
    model: ComponentModel, plan: list[Choice], *, seconds: float, seed: int, threads: int
) -> list[Choice]:
    """Raise each fairness group's proven floor to its gap in ``plan`` where CP-SAT can show
    that no plan (keeping the figures before fairness) has that group's gap any lower.

    The least possible sum of gaps is at least the sum of each group's least possible gap,
    so these one-group proofs bound the fairness figure where the model of all groups at
    once cannot (measured on the tight month: its bound stays at 1 for a minute, while the
    one-group proofs reach 3, the value, in a few seconds). Checks run ``threads`` at a time
    on copies of the model. A check that finds a plan instead keeps the floor where it was;
    the plan is taken if it is better on the whole. Returns the plan.
    """
    gaps = model.group_gaps(plan)
    todo = [g for g, gap in enumerate(gaps) if gap > model.group_floor[g]]
    if not todo or seconds < 0.1 or sum(gaps) <= model.floors[TIERS.index("fairness")]:
        return plan
    rounds = math.ceil(len(todo) / max(1, threads))
    budget = seconds / rounds
    if budget < GROUP_PROOF_MIN_SECONDS:
        # Measured: a check given less rarely ends either way, and travel needs the time.
        return plan
    model.hint(plan)

    def check(g: int) -> tuple[int, list[Choice] | None]:
        trial = model.model.clone()
        trial.clear_objective()
        trial.add(model.highs[g] - model.lows[g] <= gaps[g] - 1)
        solver = _solver(budget, seed)
        status = solver.solve(trial)
        log.debug(
            "group %d gap below %d: %s in %.2f s", g, gaps[g], solver.status_name(status), solver.wall_time
        )
        if status == cp_model.INFEASIBLE:
            return gaps[g], None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return model.group_floor[g], model.chosen(solver)
        return model.group_floor[g], None

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        results = list(pool.map(check, todo))
    floors = list(model.group_floor)
    for g, (floor, found) in zip(todo, results, strict=True):
        floors[g] = floor
        if found is not None and model.values(found)[:3] < model.values(plan)[:3]:
            plan = found
    model.raise_group_floors(floors)
    return plan


def reach_windows(
    model: ComponentModel,
    plan: list[Choice],
    priority: int,
    places: int,
    *,
    seconds: float,
    seed: int,
    workers: int,
) -> list[Choice]:
    """Look for a plan (keeping ``priority`` and ``places``) whose every group's loads lie
    in the windows of a counting solution whose gaps add up to the fairness floor, and on
    below the plan's own sum; each attempt gets half the time left. Returns the best plan.

    Windows proven out of reach are refuted: no counting model allows them again. When
    the counting model has no windows left at the floor, the floor rises by one. So,
    given the time, the search ends at a plan in the floor's windows, which proves it the
    fairest (measured on a month of the loose quarter: its first windows at the floor of
    2 refuted in 4.6 s, and the floor of 3 then met).

    A search for the least sum of gaps from a poor start is slow; a search for loads in
    given windows is quick when they can be reached (measured: on the loose month the
    floor, 4, in 0.5 s, where minimising the sum had reached 7 in 4 s). The counting
    model ignores clashes and how needs share an event's seats, so some windows are out
    of reach.
    """
    fairness = TIERS.index("fairness")
    deadline = time.perf_counter() + seconds
    target = model.floors[fairness]
    while target < model.values(plan)[fairness] and _left(deadline) > 0.1:
        windows, none = model.counting(priority, places).windows_at(
            target, seconds=_left(deadline) / 4, seed=seed
        )
        if windows is None:
            if none and target == model.floors[fairness]:
                model.raise_joint_floor(target + 1)
            target += 1
            continue
        found, refuted = _within_windows(
            model, plan, windows, seconds=_left(deadline) / 2, seed=seed, workers=workers
        )
        if refuted:
            model.refuted.append(windows)  # and the next windows at this sum
        elif found is not None and model.values(found)[: fairness + 1] < model.values(plan)[: fairness + 1]:
            plan = found
        else:
            target += 1
    return plan


def _within_windows(
    model: ComponentModel,
    plan: list[Choice],
    windows: Windows,
    *,
    seconds: float,
    seed: int,
    workers: int,
) -> tuple[list[Choice] | None, bool]:
    """A plan whose every group's loads lie in its window (least, most), if found in time
    (keeping the figures before fairness), else None; and whether there is none."""
    model.hint(plan)
    trial = model.within(windows)
    trial.clear_objective()
    solver = _solver(seconds, seed, workers)
    status = solver.solve(trial)
    log.debug("load windows %s: %s in %.2f s", windows, solver.status_name(status), solver.wall_time)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return model.chosen(solver), False
    return None, status == cp_model.INFEASIBLE


def travel_by_windows(
    model: ComponentModel,
    plan: list[Choice],
    priority: int,
    places: int,
    *,
    seconds: float,
    seed: int,
    threads: int,
) -> tuple[list[Choice], int, bool]:
    """The plan of least travel keeping the figures before it, by load windows: the
    counting model lists every tuple of the groups' windows that a plan of this sum of gaps
    could have (``CountingModel.every_window``), and CP-SAT finds the least travel within
    each tuple's windows, below the best found so far, ``threads`` tuples at a time. The
    plan's own windows go first, from the plan, while the others are listed. Returns the
    best plan, a lower bound on travel over every plan of the model (proven once every
    tuple is done; 0 if the tuples could not be listed: too many, or not in time), and
    whether tuples were solved side by side (which of equally short plans is kept then
    depends on timing).

    Fairness must be proven: every plan then has this sum of gaps exactly. Within fixed
    windows travel's linear relaxation is nearly exact, where across windows it lets loads
    be fractional (a network's loads all 4.5): measured on a candidate model of the loose
    month, the model keeping only the sum of gaps was bounded at 5,550 km after 10 s, the
    linear relaxations of its 13 tuples of windows at 5,724 at the least, and the tuples
    proved 5,730 km optimal in about 4 s on two cores.
    """
    fairness, travel = TIERS.index("fairness"), TIERS.index("travel")
    deadline = time.perf_counter() + seconds
    reached = model.values(plan)
    model.hint(plan)
    lock = threading.Lock()
    best = [plan]

    def solve(windows: Windows, hinted: bool) -> int:
        """A lower bound on travel within ``windows`` (its least if proven); keeps the best plan."""
        with lock:
            cutoff = model.values(best[0])[travel] - 1
        left = _left(deadline)
        if left < 0.05:
            return 0
        trial = model.within(windows)
        if not hinted:
            trial.clear_hints()
        trial.add(model.tiers[travel] <= cutoff)
        trial.minimize(model.tiers[travel])
        solver = _solver(left, seed)
        # Measured: presolve took 0.4 s of 1 s per tuple and gained nothing here.
        solver.parameters.cp_model_presolve = False
        status = solver.solve(trial)
        log.debug(
            "travel within %s below %d: %s in %.2f s",
            windows,
            cutoff + 1,
            solver.status_name(status),
            solver.wall_time,
        )
        if status == cp_model.INFEASIBLE:
            return cutoff + 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = model.chosen(solver)
            with lock:
                if model.values(found) < model.values(best[0]):
                    best[0] = found
        return max(0, math.ceil(solver.best_objective_bound - 1e-6))

    own = model.windows_of(plan)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        first = pool.submit(solve, own, True)
        listed = model.counting(priority, places).every_window(
            reached[fairness], most=WINDOW_TUPLES_MOST, seconds=seconds * WINDOW_LIST_SHARE
        )
        # Nearest the plan's own windows first: likeliest to lower the cutoff for the rest.
        others = sorted(
            (w for w in listed or [] if w != own),
            key=lambda w: sum(abs(a - b) + abs(c - d) for (a, c), (b, d) in zip(w, own, strict=True)),
        )
        bounds = [first] + [pool.submit(solve, windows, False) for windows in others]
    value = model.values(best[0])[travel]
    bound = 0 if listed is None else min([value, *(future.result() for future in bounds)])
    log.debug(
        "travel by %s tuples of load windows: %d → %d, bound %d, %.2f s to spare",
        "?" if listed is None else len(listed),
        reached[travel],
        value,
        bound,
        _left(deadline),
    )
    return best[0], bound, threads > 1 and bool(others)


class _ComponentRun:
    """One component's solve in three phases — needs, places, then the rest (polish,
    fairness, travel) — each to its own deadline, so that a plan of several components can
    run a phase of every component before the next phase of any (see ``plan``).

    Each phase's steps take shares of the time left to that phase's deadline; a step that
    ends early leaves its time to the next.
    """

    def __init__(self, instance: Instance, events: list[int], start: list[Choice], *, seed: int) -> None:
        self.instance = instance
        self.events = events
        self.seed = seed
        self.start = start
        self.current = start
        self.tiers: list[_TierResult] = []
        self.cut = False
        self.parallel: list[bool] = []  # whether a portfolio (timing-dependent) search ran
        self.variables = 0
        self.pairs_considered = 0
        self.weight = sum(len(instance.pairs_of_event[e]) for e in events) + 1
        self.priority_model: ComponentModel | None = None

    def result(self) -> _ComponentResult:
        return _ComponentResult(
            self.current, self.tiers, self.variables, self.pairs_considered, self.cut, any(self.parallel)
        )

    @property
    def places_unmet(self) -> int:
        """Places the plan so far leaves unmet (after the needs phase)."""
        assert self.priority_model is not None
        return self.priority_model.values(self.current)[TIERS.index("places")]

    @property
    def large(self) -> bool:
        """Whether its candidate models will be large (solved by a portfolio if workers allow),
        estimated from the nearest few candidates for each place (measured: two thirds of the
        size, as it leaves out the nearest events of each person)."""
        estimate = 0
        for e in self.events:
            need = self.instance.residual[e]
            places = need.ambassador_seats + need.recruiters
            estimate += min(len(self.instance.pairs_of_event[e]), CANDIDATES_PER_PLACE * places)
        return estimate > LARGE_MODEL_VARIABLES

    def whole(self, deadline: float, *, threads: int) -> None:
        self.needs(deadline)
        self.places(deadline, threads=threads)
        self.rest(deadline, threads=threads)

    def needs(self, deadline: float) -> None:
        """Network and language needs: only the people who could meet one matter, so a model
        of just them is exact for the whole component. A smaller model of the nearest few
        for each need finds a good plan fast (measured: the optimum, in a tenth of the time);
        the exact model then starts from it and proves it or does better."""
        instance, events, seed = self.instance, self.events, self.seed
        current = self.current
        priority_pairs = pairs_serving_priority(instance, events)
        priority_model = self.priority_model = ComponentModel(
            instance, events, priority_pairs, priority_only=True
        )
        value = priority_model.values(current)[0]
        floor = priority_model.floors[0]
        if value <= floor:
            self.tiers.append(_TierResult(value, value, True))
            return
        budget = _left(deadline) * QUICK_PRIORITY_SHARE
        best = [c for c in current if c[0] in priority_pairs]
        nearest = priority_candidates(
            instance, events, per_need=PRIORITY_CANDIDATES, keep={i for i, _ in best}
        )
        if len(nearest) < len(priority_pairs) and budget > 0.1:
            small = ComponentModel(instance, events, nearest, priority_only=True)
            found, _, _, was_cut = _cp_solve(small, 0, best, seconds=budget, seed=seed)
            self.cut = self.cut or was_cut
            if found is not None and small.values(found)[0] < priority_model.values(best)[0]:
                best = found
        found, bound, optimal, was_cut = None, floor, False, True
        seconds = _left(deadline) * STAGE_SHARES[0] if budget > 0.1 else 0.0
        if seconds > 0.05:
            found, bound, optimal, was_cut = _cp_solve(priority_model, 0, best, seconds=seconds, seed=seed)
        self.cut = self.cut or was_cut
        if found is not None and priority_model.values(found)[0] < priority_model.values(best)[0]:
            best = found
        if priority_model.values(best)[0] < value:
            current = greedy_choices(instance, start=best, priority=False, events=events)
            value = priority_model.values(current)[0]
        bound = max(min(bound, value), floor)
        self.tiers.append(_TierResult(value, bound, optimal or bound == value))
        self.current = current

    def places(self, deadline: float, *, threads: int, share: float = STAGE_SHARES[1]) -> None:
        """Ambassador and recruiter places on the candidate model, keeping the needs met."""
        places = TIERS.index("places")
        if self.places_unmet > 0:
            model = self._candidate_model(self.current, keep_up_to=places)
            self.current, result, was_cut = self._stage(model, places, self.current, deadline, share, threads)
        else:
            result, was_cut = _TierResult(0, 0, True), False
        self.tiers.append(result)
        self.cut = self.cut or was_cut

    def rest(self, deadline: float, *, threads: int) -> None:
        """Where the search for load windows will not have the time, the local search
        hands places to less loaded or nearer people first; the model for fairness and
        travel is built around the plan; the joint floor and the windows, or the one-group
        proofs, bound fairness; then fairness, and travel keeping it."""
        instance, events = self.instance, self.events
        current = self.current
        if _left(deadline) < WINDOWS_ALONE_SECONDS:
            groups = [(g.month, g.people) for g in fairness_groups(instance, events)]
            polish_deadline = time.perf_counter() + _left(deadline) * POLISH_SHARE
            current = polish(instance, current, events=events, groups=groups, deadline=polish_deadline)
            log.debug("polished, %.2f s to the deadline", _left(deadline))
        places = TIERS.index("places")
        model = self._candidate_model(current, keep_up_to=places + 1)
        log.debug("candidate model built, %.2f s to the deadline", _left(deadline))
        values = model.values(current)
        floor = model.add_joint_floor(
            values[0], values[places], current, seconds=_left(deadline) * JOINT_FLOOR_SHARE, seed=self.seed
        )
        log.debug("fairness floor %d (plan %d), %.2f s to the deadline", floor, values[2], _left(deadline))
        if _left(deadline) >= WINDOWS_MIN_SECONDS and values[TIERS.index("fairness")] > floor:
            workers = self._workers(model, threads)
            current = reach_windows(
                model,
                current,
                values[0],
                values[places],
                seconds=_left(deadline) * WINDOWS_SHARE,
                seed=self.seed,
                workers=workers,
            )
            self.parallel.append(workers > 1)
        current = prove_group_gaps(
            model, current, seconds=_left(deadline) * GROUP_PROOF_SHARE, seed=self.seed, threads=threads
        )
        fairness, travel = TIERS.index("fairness"), TIERS.index("travel")
        # A portfolio search stops when it stalls, and travel may end early (proven in about
        # 1 s on the loose month, leaving 2.5 s unused), so while time is left fairness goes
        # again from travel's plan, on the model as it was before travel's constraints, and
        # travel after it if fairness improved.
        before_travel = model.model.clone()
        fair: _TierResult | None = None
        trip: _TierResult | None = None
        while True:
            reached = model.values(current)[fairness]
            current, result, was_cut = self._stage(
                model, fairness, current, deadline, STAGE_SHARES[fairness], threads
            )
            self.cut = self.cut or was_cut
            if fair is not None:
                result.bound = max(result.bound, fair.bound)
                result.proven = result.proven or result.bound == result.value
                if result.value >= reached:
                    fair = result
                    break
            fair = result
            model.model.add(model.tiers[fairness] <= result.value)
            if fair.proven:
                # Fairness is settled (no search for it follows): travel by load windows,
                # proven when every tuple of windows is done (the travel stage is then
                # skipped, its figure at its floor); else the travel stage goes on from there.
                by_windows = travel_by_windows(
                    model,
                    current,
                    values[0],
                    values[places],
                    seconds=_left(deadline),
                    seed=self.seed,
                    threads=threads,
                )
                current, model.floors[travel], side_by_side = by_windows
                self.parallel.append(side_by_side)
            # On a large model whose sum of gaps is not proven, travel keeps each group's gap,
            # not only their sum: the search is far quicker (measured on the tight month,
            # before the joint floor: proven in 2 s, against 74% from its bound without); its
            # bound then holds given each group's gap, and travel is reported unproven. With
            # the sum proven (its floor a constraint) travel keeps only the sum, as on a small
            # model, and its proof holds (the tight month: proven in 1.5 s, 1.9 s capped).
            capped = model.large and not fair.proven
            if capped:
                for g, gap in enumerate(model.group_gaps(current)):
                    model.model.add(model.highs[g] - model.lows[g] <= gap)
            current, trip, was_cut = self._stage(
                model, travel, current, deadline, STAGE_SHARES[travel], threads
            )
            self.cut = self.cut or was_cut
            if capped:
                trip.proven = False
            # The travel search may also have lowered a gap (never raised one): report the plan's.
            fair.value = model.values(current)[fairness]
            fair.bound = min(fair.bound, fair.value)
            fair.proven = fair.proven or fair.bound == fair.value
            if (
                fair.proven
                or self._workers(model, threads) == 1
                or _left(deadline) < FAIRNESS_AGAIN_MIN_SECONDS
            ):
                break
            model.model = before_travel.clone()
        assert trip is not None
        self.tiers += [fair, trip]
        self.current = current

    def _workers(self, model: ComponentModel, threads: int) -> int:
        """A large model is solved by a portfolio of ``threads`` workers, a small one by one."""
        return threads if model.large else 1

    def _candidate_model(self, plan: list[Choice], keep_up_to: int) -> ComponentModel:
        pairs = candidate_pairs(
            self.instance,
            self.events,
            per_place=CANDIDATES_PER_PLACE,
            per_person=CANDIDATES_PER_PERSON,
            keep={i for i, _ in plan},
        )
        built = ComponentModel(self.instance, self.events, pairs)
        reached = built.values(plan)
        for t in range(keep_up_to):
            built.model.add(built.tiers[t] <= reached[t])
        if keep_up_to > TIERS.index("places"):
            built.add_fairness_floor(reached[0], reached[TIERS.index("places")])
        self.variables, self.pairs_considered = len(built.lits), len(pairs)
        return built

    def _stage(
        self,
        model: ComponentModel,
        tier: int,
        plan: list[Choice],
        deadline: float,
        share: float,
        threads: int,
    ) -> tuple[list[Choice], _TierResult, bool]:
        """Improve one figure, keeping the ones before it, from ``plan``; it and its bound."""
        values = model.values(plan)
        floor = model.floors[tier]
        seconds = _left(deadline) * share
        if values[tier] <= floor:
            return plan, _TierResult(values[tier], values[tier], True), False
        if seconds <= 0.05:
            return plan, _TierResult(values[tier], floor, False), True
        workers = self._workers(model, threads)
        self.parallel.append(workers > 1)
        if tier == TIERS.index("fairness") and model.large and workers == 1:
            # One worker's search rarely improves the sum of gaps at this size (measured; a
            # portfolio does), so the time goes to travel; the bound is what the one-group
            # proofs reached.
            return plan, _TierResult(values[tier], floor, False), False
        found, bound, optimal, was_cut = _cp_solve(
            model, tier, plan, seconds=seconds, seed=self.seed, workers=workers
        )
        if found is not None:
            found_values = model.values(found)
            if found_values[: tier + 1] < values[: tier + 1]:
                plan, values = found, found_values
        bound = max(min(bound, values[tier]), floor)
        return plan, _TierResult(values[tier], bound, optimal or bound == values[tier]), was_cut


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.perf_counter())


def _schedule(weights: list[int], *, workers: int, start: float, deadline: float) -> list[float]:
    """Each component's deadline: the time split in proportion to size, largest first, on the
    worker that frees up first (components run side by side, ``workers`` at a time)."""
    finish = [0.0] * workers
    ends = []
    for weight in weights:
        w = finish.index(min(finish))
        finish[w] += weight
        ends.append(finish[w])
    scale = (deadline - start) / max(max(finish), 1)
    return [start + end * scale for end in ends]


def _run_side_by_side(
    runs: list[_ComponentRun], *, workers: int, deadline: float, step: Callable[[_ComponentRun, float], None]
) -> None:
    """One step of every component, ``workers`` at a time, the time split by size."""
    deadlines = _schedule(
        [r.weight for r in runs], workers=workers, start=time.perf_counter(), deadline=deadline
    )
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda k: step(runs[k], deadlines[k]), range(len(runs))))


def _run_by_phase(runs: list[_ComponentRun], *, workers: int, deadline: float) -> None:
    """Several components, some large (a quarter's months): the needs of all side by side,
    one worker each; then each component's places in turn, and then each one's fairness and
    travel in turn, on every worker, so that a large model is solved by a portfolio.

    Measured on the tight quarter: its months' places alone, as a portfolio on two cores,
    are proven in 4.2, 8.9 and 2.1 s; one worker each, side by side, left the second month
    at 123 unmet against its optimum 75 after 7.6 s, and running each month whole in turn
    spent a third of the time on each month's needs and left places 72% from the bound.
    In each turn the component with the fewest places unmet goes first: a proof or a
    stalled search ends its turn early and leaves the time to the ones after it.
    """
    _run_side_by_side(runs, workers=workers, deadline=deadline, step=lambda r, d: r.needs(d))
    log.debug("needs of every component done, %.2f s to the deadline", _left(deadline))
    places_end = time.perf_counter() + _left(deadline) * PHASED_PLACES_SHARE
    _run_in_turn(
        sorted(runs, key=lambda r: (r.places_unmet, r.weight)),
        end=places_end,
        step=lambda r, d: r.places(d, threads=workers, share=1.0),
    )
    _run_in_turn(
        sorted(runs, key=lambda r: r.weight), end=deadline, step=lambda r, d: r.rest(d, threads=workers)
    )


def _run_in_turn(
    runs: list[_ComponentRun], *, end: float, step: Callable[[_ComponentRun, float], None]
) -> None:
    """One step of each component in turn, each to a deadline that shares the time left
    until ``end`` in proportion to size among those still to go."""
    for k, run in enumerate(runs):
        still = sum(r.weight for r in runs[k:])
        step(run, time.perf_counter() + _left(end) * run.weight / still)


def plan(instance: Instance, *, time_limit: float, seed: int = 0, workers: int = 2) -> Outcome:
    """Staff the instance's events: greedy first, then CP-SAT per component within ``time_limit``,
    on ``workers`` cores (see ``_run_side_by_side`` and ``_run_by_phase``)."""
    started = time.perf_counter()
    deadline = started + time_limit
    baseline = greedy_choices(instance)
    greedy_figures = assess(instance, baseline)
    by_event: dict[int, list[Choice]] = defaultdict(list)
    for choice in baseline:
        by_event[instance.pairs[choice[0]].event].append(choice)

    components = sorted(instance.components, key=lambda c: (-len(c), c[0]))
    runs = [
        _ComponentRun(instance, c, [choice for e in c for choice in by_event[e]], seed=seed)
        for c in components
    ]
    log.debug("greedy plan made, %.2f s to the deadline", _left(deadline))
    workers = max(1, workers)
    if workers > 1 and len(runs) > 1 and any(r.large for r in runs):
        _run_by_phase(runs, workers=workers, deadline=deadline)
    else:
        # A worker no component needs (one month planned alone) serves its large models as
        # a portfolio, and the one-group fairness proofs.
        threads = max(1, workers // max(1, len(runs)))
        _run_side_by_side(
            runs, workers=workers, deadline=deadline, step=lambda r, d: r.whole(d, threads=threads)
        )
    results = [r.result() for r in runs]

    chosen = [c for result in results for c in result.choices]
    figures = assess(instance, chosen)
    tiers = []
    for t, name in enumerate(TIERS):
        parts = [r.tiers[t] for r in results]
        # Events nobody could staff are outside every component: their unmet needs are
        # certain, so they add to the value and the bound alike.
        outside = figures.tiers[t] - sum(p.value for p in parts)
        tiers.append(
            Tier(name, figures.tiers[t], sum(p.bound for p in parts) + outside, all(p.proven for p in parts))
        )
    status = "optimal" if all(t.proven for t in tiers) else "feasible"
    states = states_after(instance, chosen)
    solver_seconds = time.perf_counter() - started
    notes = []
    if any(r.cut_by_clock for r in results):
        notes.append(
            "the wall-clock limit ended a solve before its work budget: on a busy machine a rerun "
            "with the same seed may differ"
        )
    if any(r.parallel for r in results):
        notes.append(
            "a parallel search ran (a large model's portfolio, or load windows side by side): "
            "a rerun reaches the same proven figures but may choose other people among equally "
            "good plans"
        )
    return Outcome(
        proposals=to_proposals(instance, chosen),
        figures=figures,
        greedy=greedy_figures,
        tiers=tiers,
        status=status,
        loads=loads_of(instance, chosen),
        unmet={eid: s for eid, s in states.items() if not s.filled},
        components=len(components),
        periods=instance.periods,
        variables=sum(r.variables for r in results),
        pairs_considered=sum(r.pairs_considered for r in results),
        pairs_total=len(instance.pairs),
        seconds=solver_seconds + instance.eligibility_seconds,
        solver_seconds=solver_seconds,
        seed=seed,
        time_limit=time_limit,
        notes=notes,
    )
