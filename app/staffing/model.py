"""One component of the problem as a CP-SAT model, built from the rules and objectives.

``ModelBuild`` holds a choice variable for each candidate pair and role; each rule
(``rules.RULES``) and objective (``objectives``) then adds itself. ``ComponentModel`` is
the result: the four figures as expressions (``tiers``), the loads, the fairness groups,
and the fairness floors proven for it (by ``bounds``). The search (``search``,
``strategy``) solves it; nothing here knows about time.
"""

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from app.staffing.bounds import CountingModel, LoadCounts, Solve, Windows, group_floors
from app.staffing.figures import assess_component
from app.staffing.instance import Instance
from app.staffing.objectives import FAIRNESS, TRAVEL, FairnessGroup, Tier
from app.staffing.rules import RECRUITER, RULES, Choice
from app.staffing.tally import Tally

# A model with more variables than this is large: the strategy solves it by a portfolio when
# a worker is spare, and keeps each group's gap when improving travel on it.
LARGE_MODEL_VARIABLES = 5000


def is_large(variables: int) -> bool:
    return variables > LARGE_MODEL_VARIABLES


class ModelBuild:
    """A component's model while the rules and objectives add themselves to it."""

    def __init__(self, instance: Instance, events: list[int], pairs: set[int]) -> None:
        self.instance = instance
        self.events = events
        self.event_set = set(events)
        self.model = cp_model.CpModel()
        self.kept: dict[int, list[int]] = {
            e: [i for i in instance.pairs_of_event[e] if i in pairs] for e in events
        }
        self.lits: dict[Choice, cp_model.IntVar] = {}
        # person → event → their choice variables (one per role)
        self.by_person: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
        for e in events:
            for index in self.kept[e]:
                pair = instance.pairs[index]
                for role in pair.roles:
                    lit = self.model.new_bool_var(f"x{index}{role[0]}")
                    self.lits[(index, role)] = lit
                    self.by_person[pair.person][e].append(lit)
        self.counts = LoadCounts()  # what the fairness bounds may count on
        self.terms: dict[Tier, list[cp_model.LinearExprT]] = {tier: [] for tier in Tier}
        self.floors = [0, 0, 0, 0]  # per tier: what no plan of this model can go below
        # Auxiliary variables whose value follows from the choices, to complete a hint.
        self.aux: list[tuple[cp_model.IntVar, Callable[[set[Choice]], int]]] = []
        self.load_vars: dict[tuple[int, str], cp_model.IntVar] = {}
        self.groups: list[FairnessGroup] = []
        self.highs: list[cp_model.IntVar] = []
        self.lows: list[cp_model.IntVar] = []

    def keys(self, event: int, role: str) -> list[Choice]:
        """The choices of this role on the event."""
        return [(i, role) for i in self.kept[event] if (i, role) in self.lits]

    def follow(self, var: cp_model.IntVar, value_of: Callable[[set[Choice]], int]) -> None:
        """``var`` takes ``value_of(chosen)`` in a plan: how to complete a hint."""
        self.aux.append((var, value_of))

    def load_of(self, person: int, month: str) -> cp_model.LinearExprT:
        """The person's load that month: a variable, or what they hold if they could take nothing."""
        return self.load_vars.get((person, month), self.instance.pinned[(person, month)])

    def add_loads(self) -> None:
        """One load variable per person and month; its domain is what the rules left open."""
        instance, counts = self.instance, self.counts
        loads: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
        open_events: dict[tuple[int, str], int] = defaultdict(int)
        for p, per_event in self.by_person.items():
            for e, lits in per_event.items():
                loads[(p, instance.months[e])].extend(lits)
                open_events[(p, instance.months[e])] += 1
        for key, lits in sorted(loads.items()):
            pinned = instance.pinned[key]
            top = pinned + min(open_events[key], counts.added_most.get(key, open_events[key]))
            var = self.model.new_int_var(pinned, top, f"load{key[0]}_{key[1]}")
            self.model.add(var == pinned + cp_model.LinearExpr.sum(lits))
            self.load_vars[key] = var
            counts.ranges[key] = (pinned, top)
            counts.can_recruit.setdefault(key, 0)


class ComponentModel:
    """One component as a CP-SAT model; ``tiers`` are the four figures as expressions.
    ``needs_only`` leaves out fairness (a model for the needs alone)."""

    def __init__(
        self, instance: Instance, events: list[int], pairs: set[int], *, needs_only: bool = False
    ) -> None:
        self.instance = instance
        self.events = events
        self.event_set = set(events)
        self.needs_only = needs_only
        build = ModelBuild(instance, events, pairs)
        for rule in RULES:
            rule.constrain(build)
        build.add_loads()
        if not needs_only:
            FAIRNESS.express(build)
        TRAVEL.express(build)
        self.model = build.model
        self.lits = build.lits
        self.aux = build.aux
        self.load_vars = build.load_vars
        self.counts = build.counts
        self.groups, self.highs, self.lows = build.groups, build.highs, build.lows
        self.tiers: list[cp_model.LinearExprT] = [cp_model.LinearExpr.sum(build.terms[t]) for t in Tier]
        self.floors = list(build.floors)
        self.group_floor = [0] * len(self.groups)  # proven lower bound on each group's gap
        self.joint_floor = 0  # proven lower bound on the sum of gaps (CountingModel.joint_floor)
        # Tuples of load windows no plan of this model reaches (found by the windows search),
        # excluded from every counting model made from now on.
        self.refuted: list[Windows] = []

    @property
    def large(self) -> bool:
        return is_large(len(self.lits))

    # --- fairness floors ---------------------------------------------------------------------

    def group_floors(self, priority: int, places: int) -> list[int]:
        """A lower bound on each group's gap in any plan of this model with at most
        ``priority`` and ``places`` unmet (``bounds.group_floors``)."""
        return group_floors(self.counts, self.groups, self.instance.pinned, priority=priority, places=places)

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
        self,
        priority: int,
        places: int,
        plan: list[Choice],
        *,
        seconds: float,
        seed: int,
        solve: Solve | None = None,
    ) -> int:
        """Raise the fairness floor to ``CountingModel.joint_floor`` (all groups at once,
        started from ``plan``), as a redundant constraint on the sum of gaps; the floor."""
        tally = Tally(self.instance, plan)
        recruiting: dict[tuple[int, str], int] = defaultdict(int)
        for index, role in plan:
            if role == RECRUITER:
                pair = self.instance.pairs[index]
                recruiting[(pair.person, self.instance.months[pair.event])] += 1
        counting = self.counting(priority, places, solve=solve)
        counting.start_from({key: (tally.load[key], recruiting[key]) for key in self.counts.ranges})
        return self.raise_joint_floor(counting.joint_floor(seconds=seconds, seed=seed))

    def raise_joint_floor(self, floor: int) -> int:
        """Record a proven lower bound on the sum of gaps, as a redundant constraint; the
        fairness floor."""
        if floor > self.joint_floor:
            self.model.add(self.tiers[Tier.FAIRNESS] >= floor)
            self.joint_floor = floor
        return self._fairness_floor()

    def counting(self, priority: int, places: int, *, solve: Solve | None = None) -> CountingModel:
        """The counting model of this model's plans with at most ``priority`` and ``places`` unmet."""
        return CountingModel(
            self.counts,
            self.groups,
            self.instance.pinned,
            priority=priority,
            places=places,
            floors=self.group_floor,
            refuted=self.refuted,
            solve=solve,
        )

    def _fairness_floor(self) -> int:
        self.floors[Tier.FAIRNESS] = max(sum(self.group_floor), self.joint_floor)
        return self.floors[Tier.FAIRNESS]

    # --- plans in and out --------------------------------------------------------------------

    def chosen(self, solver: cp_model.CpSolver) -> list[Choice]:
        """The plan in a solver's solution of this model (or of a copy of it)."""
        solution = solver.response_proto.solution
        return [key for key, lit in self.lits.items() if solution[lit.index]]

    def group_gaps(self, choices: list[Choice]) -> list[int]:
        """Each fairness group's gap (most − least loaded) in a plan."""
        return [most - least for least, most in self.windows_of(choices)]

    def windows_of(self, choices: list[Choice]) -> Windows:
        """Each fairness group's least and most load in a plan."""
        tally = Tally(self.instance, choices)
        windows = []
        for group in self.groups:
            levels = [tally.load[(p, group.month)] for p in group.people]
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
        tally = Tally(self.instance, chosen)
        for key, var in self.load_vars.items():
            model.add_hint(var, tally.load[key])
        for group, high, low in zip(self.groups, self.highs, self.lows, strict=True):
            values = [tally.load[(p, group.month)] for p in group.people]
            model.add_hint(high, max(values))
            model.add_hint(low, min(values))

    def values(self, choices: list[Choice]) -> tuple[int, int, int, int]:
        """The four figures of given choices in this component, computed directly."""
        return assess_component(self.instance, self.events, choices)
