"""The CP-SAT searches the strategy runs on a component's model, each to a time budget.

``improve`` lowers one figure keeping those before it; ``prove_group_gaps``,
``reach_windows`` and ``travel_by_windows`` are the searches by load windows that prove
fairness and travel where CP-SAT's own bound on a max − min gap is weak (see ``bounds``).
Every solve runs through the plan's ``control.Control``, which can stop it.
"""

import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from app.staffing.bounds import Windows
from app.staffing.control import IDLE, Control, Improvements
from app.staffing.model import ComponentModel
from app.staffing.objectives import Tier
from app.staffing.rules import Choice

log = logging.getLogger("muster.staffing")

# A portfolio search stops once no better plan has come for this share of its time limit,
# or this many seconds if more: its neighbourhood search finds plans early or not at all.
STALL_SHARE = 0.5
STALL_MIN_SECONDS = 1.0
# Share of the windows search's time left that one attempt may take: windows at the floor are
# usually reached, and an attempt cut short gives up the floor for the next sum.
WINDOW_ATTEMPT_SHARE = 0.75
# A one-group proof given less than this rarely ends either way; the time goes to travel.
GROUP_PROOF_MIN_SECONDS = 1.0
# Travel by load windows lists at most this many tuples of windows, within this share of its time.
WINDOW_TUPLES_MOST = 24
WINDOW_LIST_SHARE = 0.5


@dataclass
class TierResult:
    """One figure of a component after a step: its value, a proven bound, whether proven."""

    value: int
    bound: int
    proven: bool


def _solver(seconds: float, seed: int, workers: int = 1, *, eager_lp: bool = False) -> cp_model.CpSolver:
    """A solver for one step; ``eager_lp`` puts every constraint in the LP from the start
    (where the bound is the LP's, its proof is then steady)."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = seed
    params.num_workers = workers
    # The full LP (at-most-one cliques included) proves the bounds.
    params.linearization_level = 2
    # The hint is a complete feasible plan, taken as the first solution as it is: re-walking
    # it decision by decision took most of the time.
    params.hint_conflict_limit = 0
    params.max_time_in_seconds = seconds
    if workers == 1:
        # One worker's search is independent of thread timing: equal input and seed give an
        # equal plan whenever a solve ends by proof or by this work budget.
        params.max_deterministic_time = seconds
        params.add_lp_constraints_lazily = not eager_lp
    elif eager_lp:
        # A portfolio whose full worker keeps the whole LP from the start.
        prover = type(params)()
        prover.name = "max_lp_eager"
        prover.linearization_level = 2
        prover.add_lp_constraints_lazily = False
        params.subsolver_params.append(prover)
        params.subsolvers.append("max_lp_eager")
    else:
        # A portfolio: one worker keeps the full LP and proves the bound (the default full
        # worker's LP is weaker), the others search neighbourhoods of the best plan.
        params.subsolvers.append("max_lp")
    return solver


def improve(
    model: ComponentModel,
    tier: int,
    hint: list[Choice],
    *,
    seconds: float,
    seed: int,
    workers: int = 1,
    control: Control = IDLE,
    found: Callable[[Improvements], None] | None = None,
) -> tuple[list[Choice] | None, int, bool, bool]:
    """Minimise one figure from a starting plan: (plan or None, bound, optimal, cut by the clock).
    ``found`` is told of each better plan (read from the solver) as it comes."""
    model.model.minimize(model.tiers[tier])
    model.hint(hint)
    solver = _solver(seconds, seed, workers, eager_lp=tier == Tier.PLACES)
    if tier == Tier.PRIORITY:
        # The needs model is wide and easy: probing took most of its time (the places
        # model's proof needs it).
        solver.parameters.cp_model_probing_level = 0
    status = _solve(solver, model.model, seconds, control=control, found=found)
    log.debug(
        "%s: %s value %s bound %s in %.2f s, %.2f deterministic (limit %.2f; %d variables)",
        Tier(tier).word,
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


def _solve(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    seconds: float,
    *,
    control: Control,
    found: Callable[[Improvements], None] | None,
) -> cp_model.CpSolverStatus:
    """Solve; a portfolio stops once no better plan has come for a while (``STALL_SHARE`` of
    the limit): its neighbourhood search finds plans early or not at all, and the figures
    ranked after this one need the time."""
    progress = Improvements(found)
    if solver.parameters.num_workers == 1:
        return control.solve(solver, model, progress if found is not None else None)
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
        return control.solve(solver, model, progress)
    finally:
        done.set()
        watcher.join()


def prove_group_gaps(
    model: ComponentModel,
    plan: list[Choice],
    *,
    seconds: float,
    seed: int,
    threads: int,
    control: Control = IDLE,
) -> list[Choice]:
    """Raise each fairness group's proven floor to its gap in ``plan`` where CP-SAT can show
    that no plan (keeping the figures before fairness) has that group's gap any lower.

    The least possible sum of gaps is at least the sum of each group's least possible gap,
    so these one-group proofs bound the fairness figure where the model of all groups at
    once cannot (its bound stays low for a long time). Checks run ``threads`` at a time on
    copies of the model. A check that finds a plan instead keeps the floor where it was;
    the plan is taken if it is better on the whole. Returns the plan.
    """
    gaps = model.group_gaps(plan)
    todo = [g for g, gap in enumerate(gaps) if gap > model.group_floor[g]]
    if not todo or seconds < 0.1 or sum(gaps) <= model.floors[Tier.FAIRNESS]:
        return plan
    rounds = math.ceil(len(todo) / max(1, threads))
    budget = seconds / rounds
    if budget < GROUP_PROOF_MIN_SECONDS:
        return plan
    model.hint(plan)

    def check(g: int) -> tuple[int, list[Choice] | None]:
        trial = model.model.clone()
        trial.clear_objective()
        trial.add(model.highs[g] - model.lows[g] <= gaps[g] - 1)
        solver = _solver(budget, seed)
        status = control.solve(solver, trial)
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
    control: Control = IDLE,
) -> list[Choice]:
    """Look for a plan (keeping ``priority`` and ``places``) whose every group's loads lie
    in the windows of a counting solution whose gaps add up to the fairness floor, and on
    below the plan's own sum; each attempt gets most of the time left. Returns the best plan.

    Windows proven out of reach are refuted: no counting model allows them again. When
    the counting model has no windows left at the floor, the floor rises by one. So,
    given the time, the search ends at a plan in the floor's windows, which proves it the
    fairest.

    A search for the least sum of gaps from a poor start is slow; a search for loads in
    given windows is quick when they can be reached. The counting model ignores clashes
    and how needs share an event's seats, so some windows are out of reach.
    """
    fairness = Tier.FAIRNESS
    deadline = time.perf_counter() + seconds
    target = model.floors[fairness]
    while target < model.values(plan)[fairness] and control.left(deadline) > 0.1:
        windows, none = model.counting(priority, places, solve=control.solve).windows_at(
            target, seconds=control.left(deadline) / 4, seed=seed
        )
        if windows is None:
            if none and target == model.floors[fairness]:
                model.raise_joint_floor(target + 1)
            target += 1
            continue
        found, refuted = _within_windows(
            model,
            plan,
            windows,
            seconds=control.left(deadline) * WINDOW_ATTEMPT_SHARE,
            seed=seed,
            workers=workers,
            control=control,
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
    control: Control,
) -> tuple[list[Choice] | None, bool]:
    """A plan whose every group's loads lie in its window (least, most), if found in time
    (keeping the figures before fairness), else None; and whether there is none."""
    model.hint(plan)
    trial = model.within(windows)
    trial.clear_objective()
    solver = _solver(seconds, seed, workers)
    status = control.solve(solver, trial)
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
    control: Control = IDLE,
) -> tuple[list[Choice], int, bool]:
    """The plan of least travel keeping the figures before it, by load windows: the
    counting model lists every tuple of the groups' windows that a plan of this sum of gaps
    could have (``CountingModel.every_window``), and CP-SAT finds the least travel within
    each tuple's windows, below the best found so far. The plan's own windows go first, on
    every thread, from the plan, while the others are listed; then the others, nearest the
    plan's first, ``threads`` at a time, each only below the best so far (most are then
    refuted at once). Returns the best plan, a lower bound on travel over every plan of the
    model (proven once every tuple is done; 0 if the tuples could not be listed: too many,
    or not in time), and whether tuples were solved side by side (which of equally short
    plans is kept then depends on timing).

    Fairness must be proven: every plan then has this sum of gaps exactly. Within fixed
    windows travel's linear relaxation is nearly exact, where across windows it lets loads
    be fractional, and the bound of the model keeping only the sum of gaps stays far below.
    """
    fairness, travel = Tier.FAIRNESS, Tier.TRAVEL
    deadline = time.perf_counter() + seconds
    reached = model.values(plan)
    model.hint(plan)
    lock = threading.Lock()
    best = [plan]

    def solve(windows: Windows, hinted: bool, workers: int = 1) -> int:
        """A lower bound on travel within ``windows`` (its least if proven); keeps the best plan."""
        with lock:
            cutoff = model.values(best[0])[travel] - 1
        left = control.left(deadline)
        if left < 0.05:
            return 0
        trial = model.within(windows)
        if not hinted:
            trial.clear_hints()
        trial.add(model.tiers[travel] <= cutoff)
        trial.minimize(model.tiers[travel])
        # Every constraint in the LP from the start: most tuples are refuted by its first bound.
        solver = _solver(left, seed, workers, eager_lp=True)
        solver.parameters.cp_model_presolve = False  # it took a large part of each tuple's time
        status = control.solve(solver, trial)
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
    with ThreadPoolExecutor(max_workers=1) as alone:
        first = alone.submit(solve, own, True, max(1, threads))
        listed = model.counting(priority, places, solve=control.solve).every_window(
            reached[fairness], most=WINDOW_TUPLES_MOST, seconds=seconds * WINDOW_LIST_SHARE
        )
        bounds = [first.result()]
    # Nearest the plan's own windows first: likeliest to lower the cutoff for the rest.
    others = sorted(
        (w for w in listed or [] if w != own),
        key=lambda w: (sum(abs(a - b) + abs(c - d) for (a, c), (b, d) in zip(w, own, strict=True)), w),
    )
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        bounds += list(pool.map(lambda windows: solve(windows, False), others))
    value = model.values(best[0])[travel]
    bound = 0 if listed is None else min([value, *bounds])
    log.debug(
        "travel by %s tuples of load windows: %d → %d, bound %d, %.2f s to spare",
        "?" if listed is None else len(listed),
        reached[travel],
        value,
        bound,
        control.left(deadline),
    )
    return best[0], bound, threads > 1
