"""Lower bounds on the fairness figure that hold for every plan, from counting loads alone.

CP-SAT's own bound on a sum of max − min gaps is weak (its linear relaxation can spread
fractional duties evenly), so the engine proves fairness floors here instead, from what any
plan must do: fill the places it fills, meet the network and language needs it meets, and
give each recruiting place to someone who can recruit. Two floors:

- ``group_floors``: per group, the least gap of loads within their ranges that add up to
  what the month must cover (``least_gap``);
- ``CountingModel.joint_floor``: all groups at once, on a small integer model of loads
  alone (two numbers per person and month instead of one boolean per place and role),
  coupling the groups through the people who alone can recruit or meet a need (the few
  who can recruit must carry the recruiting places, which no group alone sees). Its
  solutions also give each group a load window to aim a real plan at
  (``windows_at``, used by ``search.reach_windows``; windows that no plan reaches are
  then refuted, excluded from every counting model after), and, listed in full
  (``every_window``), split the proof of least travel by windows
  (``search.travel_by_windows``).

What the counting model knows comes from the rules (``rules.Rule.constrain`` fills in
``LoadCounts``). Every constraint is implied by the plan model (``ComponentModel``), so
every plan of that model is a solution here, and the optimum here is at most the plan's:
the floor is valid, not a guess.
"""

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from app.staffing.objectives import FairnessGroup
from app.staffing.rules import AMBASSADOR, RECRUITER

Key = tuple[int, str]  # (person, month)
Windows = list[tuple[int, int]]  # each group's least and most load
# How a solve is run: the plan's control registers it, so that a stop ends it.
Solve = Callable[[cp_model.CpSolver, cp_model.CpModel], Any]
ROLES = (AMBASSADOR, RECRUITER)


@dataclass
class Need:
    """Network or language units of one month that only ``members`` can meet."""

    month: str
    network: int | None  # None for a language
    members: frozenset[int]
    reachable: int  # units the month's events lack that some candidate could meet


@dataclass
class LoadCounts:
    """What a component model allows of each person's load, and what its plans must cover:
    filled in by the rules as they add themselves to the model (``rules.Rule.constrain``)."""

    ranges: dict[Key, tuple[int, int]] = field(default_factory=dict)  # pinned .. most possible
    added_most: dict[Key, int] = field(default_factory=dict)  # duties a limit lets them add
    can_recruit: dict[Key, int] = field(
        default_factory=lambda: defaultdict(int)
    )  # events they could recruit at
    wanted: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (month, role)
    seats: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (month, role)
    needs: list[Need] = field(default_factory=list)
    priority_floor: int = 0  # need units nobody could meet

    def range_of(self, key: Key, pinned: int) -> tuple[int, int]:
        return self.ranges.get(key, (pinned, pinned))

    def cap_added(self, key: Key, most: int) -> None:
        """A limit lets the person add at most ``most`` duties that month."""
        self.added_most[key] = min(most, self.added_most.get(key, most))

    def add_needs(
        self, reachable: dict[tuple[str, int | str], int], who_could: dict[tuple[str, int | str], set[int]]
    ) -> None:
        """Each month's need units some candidate could meet, by network or language, and who could."""
        self.needs = [
            Need(month, key if isinstance(key, int) else None, frozenset(who_could[(month, key)]), units)
            for (month, key), units in sorted(reachable.items(), key=lambda kv: str(kv[0]))
        ]


def least_gap(ranges: list[tuple[int, int]], least: int, most: int) -> int:
    """The smallest max − min of integer loads, each within its (low, high) range, whose sum
    lies between ``least`` and ``most`` (0 if there are none: no constraint to add).

    Loads with minimum L and gap g exist exactly when every range meets [L, L + g] and the
    sums of the clipped ranges reach [least, most]; L runs over the ranges' values.
    """
    if not ranges:
        return 0
    bottom = min(lo for lo, _ in ranges)
    top = max(hi for _, hi in ranges)
    for gap in range(top - bottom + 1):
        for low in range(bottom, top + 1):
            clipped = [(max(lo, low), min(hi, low + gap)) for lo, hi in ranges]
            if (
                all(a <= b for a, b in clipped)
                and sum(a for a, _ in clipped) <= most
                and sum(b for _, b in clipped) >= least
            ):
                return gap
    return 0


def group_floors(
    counts: LoadCounts,
    groups: list[FairnessGroup],
    pinned: dict[Key, int],
    *,
    priority: int,
    places: int,
) -> list[int]:
    """A lower bound on each group's gap in any plan with at most ``priority`` need units and
    ``places`` places unmet.

    Each member's load lies in its range (pinned, pinned + what it may still take). The
    members' loads add up to at least the pinned duties plus what the month must cover: its
    wanted places less ``places`` for everyone; for a network's members, the units of its
    needs they alone could meet, less those the plan may leave unmet. They add up to at most
    the pinned duties plus the seats the month's events offer (or the sum of the ranges, if
    less). ``least_gap`` of such loads bounds every plan's gap (its own loads are such loads).
    """
    slack = max(0, priority - counts.priority_floor)
    reachable = {
        (need.month, need.network): need.reachable for need in counts.needs if need.network is not None
    }
    floors = []
    for group in groups:
        month, network = group.month, group.network
        ranges = [counts.range_of((p, month), pinned[(p, month)]) for p in group.people]
        held = sum(lo for lo, _ in ranges)
        seats = sum(counts.seats[(month, role)] for role in ROLES)
        if network is None:
            least = held + max(0, sum(counts.wanted[(month, role)] for role in ROLES) - places)
            most = held + seats
        else:
            least = held + max(0, reachable.get((month, network), 0) - slack)
            most = min(sum(hi for _, hi in ranges), held + seats)
        floors.append(least_gap(ranges, least, most))
    return floors


class CountingModel:
    """The integer model of loads alone: every plan of the component model, counted per
    person and month, is a solution (see the module's docstring)."""

    def __init__(
        self,
        counts: LoadCounts,
        groups: list[FairnessGroup],
        pinned: dict[Key, int],
        *,
        priority: int,
        places: int,
        floors: list[int],
        refuted: Sequence[Windows] = (),
        solve: Solve | None = None,
    ) -> None:
        self.solve: Solve = solve or (lambda solver, model: solver.solve(model))
        self.groups = groups
        self.floors = floors
        model = self.model = cp_model.CpModel()
        self.ranges = counts.ranges
        load: dict[Key, cp_model.LinearExprT] = {}
        self.added: dict[Key, cp_model.IntVar] = {}
        self.recruiting: dict[Key, cp_model.IntVar] = {}
        for key, (lo, hi) in counts.ranges.items():
            extra = model.new_int_var(0, hi - lo, "")
            recruit = model.new_int_var(0, min(hi - lo, counts.can_recruit.get(key, 0)), "")
            model.add(recruit <= extra)
            self.added[key], self.recruiting[key], load[key] = extra, recruit, lo + extra

        months = sorted({month for month, _ in counts.wanted} | {month for month, _ in counts.seats})
        unmet_places: list[cp_model.LinearExprT] = []
        for month in months:
            mine = [key for key in self.added if key[1] == month]
            recruiters = cp_model.LinearExpr.sum([self.recruiting[k] for k in mine])
            ambassadors = cp_model.LinearExpr.sum([self.added[k] for k in mine]) - recruiters
            for role, taken in ((RECRUITER, recruiters), (AMBASSADOR, ambassadors)):
                model.add(taken <= counts.seats[(month, role)])
                wanted = counts.wanted[(month, role)]
                short = model.new_int_var(0, wanted, "")
                model.add(short + taken >= wanted)
                unmet_places.append(short)
        model.add(cp_model.LinearExpr.sum(unmet_places) <= places)

        unmet_needs: list[cp_model.LinearExprT] = []
        for need in counts.needs:
            met = model.new_int_var(0, need.reachable, "")
            members = [self.added[k] for k in self.added if k[1] == need.month and k[0] in need.members]
            model.add(met <= cp_model.LinearExpr.sum(members))
            unmet_needs.append(need.reachable - met)
        model.add(cp_model.LinearExpr.sum(unmet_needs) <= max(0, priority - counts.priority_floor))

        self.gaps: list[cp_model.LinearExprT] = []
        self.windows: list[tuple[cp_model.IntVar, cp_model.IntVar]] = []
        self.levels: list[list[cp_model.LinearExprT]] = []
        for group, floor in zip(groups, floors, strict=True):
            month = group.month
            levels = [load.get((p, month), pinned[(p, month)]) for p in group.people]
            ranges = [counts.range_of((p, month), pinned[(p, month)]) for p in group.people]
            high = model.new_int_var(max(lo for lo, _ in ranges), max(hi for _, hi in ranges), "")
            low = model.new_int_var(min(lo for lo, _ in ranges), min(hi for _, hi in ranges), "")
            for level in levels:
                model.add(high >= level)
                model.add(low <= level)
            model.add(high - low >= floor)
            self.gaps.append(high - low)
            self.windows.append((low, high))
            self.levels.append(levels)
        self.total = cp_model.LinearExpr.sum(self.gaps)
        for windows in refuted:
            self._exclude(windows)

    def _exclude(self, windows: Windows) -> None:
        """No solution has every group's loads within ``windows``: some group's least load
        lies below its window, or its most load above it. (The loads of a plan that keeps
        out of them satisfy this with the window variables at their exact values.)"""
        model = self.model
        outside = []
        for (least, most), (low, high) in zip(windows, self.windows, strict=True):
            below, above = model.new_bool_var(""), model.new_bool_var("")
            model.add(low <= least - 1).only_enforce_if(below)
            model.add(high >= most + 1).only_enforce_if(above)
            outside += [below, above]
        model.add_bool_or(outside)

    def start_from(self, plan_loads: dict[Key, tuple[int, int]]) -> None:
        """Hint a known plan's counts (each key's load and recruiting duties)."""
        for key, (lo, _) in self.ranges.items():
            if key in plan_loads:
                self.model.add_hint(self.added[key], plan_loads[key][0] - lo)
                self.model.add_hint(self.recruiting[key], plan_loads[key][1])

    def least(
        self, objective: cp_model.LinearExprT, *, seconds: float, seed: int
    ) -> tuple[int, cp_model.CpSolver | None, bool]:
        """A lower bound on ``objective`` (its least value if proven in ``seconds``), the
        solver if it found a solution (to read it) else None, and whether there is none."""
        self.model.minimize(objective)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        status = self.solve(solver, self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return 0, None, status == cp_model.INFEASIBLE
        return math.ceil(solver.best_objective_bound - 1e-6), solver, False

    def joint_floor(self, *, seconds: float, seed: int) -> int:
        """A lower bound on the sum of the groups' gaps over every plan (at least the sum of
        each group's floor), within ``seconds``."""
        least = sum(self.floors)
        if seconds <= 0.05 or not self.groups:
            return least
        floor, _, _ = self.least(self.total, seconds=seconds, seed=seed)
        return max(least, floor)

    def windows_at(self, total: int, *, seconds: float, seed: int) -> tuple[Windows | None, bool]:
        """Each group's load window (least, most) in a counting solution whose gaps add up
        to ``total``: a target for a real plan (see ``search.reach_windows``); None if no
        solution is found in time, and whether there is none at all. Of such solutions, one
        whose windows for everyone (the groups of all people) start lowest: room for those
        who can take little, which real plans reach far sooner."""
        self.model.add(self.total == total)
        everyone = [
            low for (low, _), group in zip(self.windows, self.groups, strict=True) if group.network is None
        ]
        _, solver, none = self.least(cp_model.LinearExpr.sum(everyone), seconds=seconds, seed=seed)
        if solver is None:
            return None, none
        return [(solver.value(low), solver.value(high)) for low, high in self.windows], False

    def every_window(self, total: int, *, most: int, seconds: float) -> list[Windows] | None:
        """Every distinct tuple of the groups' load windows (least, most load) among counting
        solutions whose gaps add up to ``total``; None if there are more than ``most`` or the
        list is not proven complete within ``seconds``.

        Every plan whose sum of gaps is ``total`` has its windows in this list (its loads are
        a counting solution), so a figure's least value over plans is the least, over these
        tuples, of its least value over plans within each tuple's windows (see
        ``search.travel_by_windows``).
        """
        model = self.model
        model.clear_hints()
        model.clear_objective()
        model.add(self.total == total)
        for (low, high), levels in zip(self.windows, self.levels, strict=True):
            # Exact windows: each tuple once, not again with room to spare.
            model.add_max_equality(high, levels)
            model.add_min_equality(low, levels)
        deadline = time.perf_counter() + seconds
        found: list[Windows] = []
        while len(found) <= most:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = left
            solver.parameters.num_workers = 1
            solver.parameters.cp_model_presolve = False  # slower than the small model's search
            status = self.solve(solver, model)
            if status == cp_model.INFEASIBLE:
                return found
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return None
            windows = [(solver.value(low), solver.value(high)) for low, high in self.windows]
            found.append(windows)
            # Exclude this tuple: some group's least or most load differs.
            differs = []
            for (least, most_load), (low, high) in zip(windows, self.windows, strict=True):
                for var, value in ((low, least), (high, most_load)):
                    other = model.new_bool_var("")
                    model.add(var != value).only_enforce_if(other)
                    differs.append(other)
            model.add_bool_or(differs)
        return None
