"""The time-budgeted search: how a plan is made within its time limit.

A plan is ranked lexicographically (``objectives.Tier``): network and language needs
unmet, places unmet, fairness, travel. How it is made:

- The events are split into components (``instance.components_of``): every limit and
  fairness group lives inside one, so solving them apart and adding up loses nothing.
  Small components are solved side by side, one CP-SAT worker each; several large ones by
  phase (``_run_by_phase``).
- The greedy baseline (``greedy``) gives the first plan.
- Needs are solved exactly by CP-SAT on a model of only the people who could meet one
  (nobody else affects that figure); greedy fills the remaining places.
- Places, fairness and travel are then improved in turn on a candidate model
  (``candidates.for_places``), each keeping the figures before it, each started from the
  plan so far, each proving a bound; a figure already at its floor is skipped.
- Fairness is bounded by counting loads (``bounds``) and reached by searching load windows
  (``search.reach_windows``); once it is proven, travel is proven by load windows
  (``search.travel_by_windows``).
- A large model, when a worker is spare, is solved by a CP-SAT portfolio; otherwise one
  worker, whose plan repeats exactly whenever its solve ends by proof or by its work
  budget. Every step starts from the best plan so far and hands back one no worse
  (``component``), so a plan's fairness never falls back once found, and time spent on
  travel never costs fairness.

The steps of one component are in ``component``, the searches in ``search``; this module
decides only how the time and the workers are shared among components.

Bounds: the needs bound holds for the whole problem; the later bounds hold for the
candidate model (the report says so), each given the figures before it.
"""

import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from app.events.staffing import StaffingState
from app.staffing.component import ComponentRun
from app.staffing.control import Control
from app.staffing.figures import Figures, Load, assess, loads_of, states_after, to_proposals
from app.staffing.greedy import greedy_choices
from app.staffing.instance import Instance, Proposal
from app.staffing.objectives import Tier
from app.staffing.progress import Watch
from app.staffing.rules import Choice

log = logging.getLogger("muster.staffing")

# Share of the time left after every component's needs that their places take in turn
# (``_run_by_phase``): places are ranked before fairness and travel, and need most of it.
PHASED_PLACES_SHARE = 0.9
# The default time limit by the number of events (interpolated between the points): a few
# seconds for small plans, a month's 10 s, a quarter's 120 s, which proves one.
TIME_LIMIT_POINTS = ((0, 3.0), (300, 10.0), (1000, 120.0))


@dataclass
class TierOutcome:
    name: str
    value: int
    bound: int
    proven: bool

    @property
    def gap(self) -> float:
        return 0.0 if self.proven else (self.value - self.bound) / max(abs(self.value), 1)


@dataclass
class Outcome:
    """A finished plan: proposals, figures, the solver's account of itself, baseline figures."""

    proposals: list[Proposal]
    figures: Figures
    greedy: Figures
    tiers: list[TierOutcome]
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
    stopped: bool = False  # a stop was asked for: the best plan found by then

    @property
    def gap(self) -> float:
        """Relative gap on the first figure not proven optimal (0 when all are)."""
        for tier in self.tiers:
            if not tier.proven:
                return tier.gap
        return 0.0


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
    runs: list[ComponentRun], *, workers: int, deadline: float, step: Callable[[ComponentRun, float], None]
) -> None:
    """One step of every component, ``workers`` at a time, the time split by size."""
    deadlines = _schedule(
        [r.weight for r in runs], workers=workers, start=time.perf_counter(), deadline=deadline
    )
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda k: step(runs[k], deadlines[k]), range(len(runs))))


def _run_by_phase(runs: list[ComponentRun], *, workers: int, deadline: float) -> None:
    """Several components, some large (a quarter's months): the needs of all side by side,
    then their places side by side, one worker each; then each one's fairness and travel in
    turn, on every worker, so that a large model is solved by a portfolio. In that turn the
    smallest goes first: a proof or a stalled search ends its turn early and leaves the
    time to the ones after it; what is left at the end goes back to those whose travel is
    not proven.
    """
    _run_side_by_side(runs, workers=workers, deadline=deadline, step=lambda r, d: r.needs(d))
    log.debug("needs of every component done, %.2f s to the deadline", _left(deadline))
    places_end = time.perf_counter() + _left(deadline) * PHASED_PLACES_SHARE
    _run_side_by_side(
        runs, workers=workers, deadline=places_end, step=lambda r, d: r.places(d, threads=1, share=1.0)
    )
    log.debug("places of every component done, %.2f s to the deadline", _left(deadline))
    ordered = sorted(runs, key=lambda r: r.weight)
    _run_in_turn(ordered, end=deadline, step=lambda r, d: r.fairness_and_travel(d, threads=workers))
    # A turn that ended early left its time to the turns after it, not to those before.
    open_ = [r for r in ordered if r.travel_open]
    _run_in_turn(open_, end=deadline, step=lambda r, d: r.more_travel(d, threads=workers))


def _run_in_turn(
    runs: list[ComponentRun], *, end: float, step: Callable[[ComponentRun, float], None]
) -> None:
    """One step of each component in turn, each to a deadline that shares the time left
    until ``end`` in proportion to size among those still to go."""
    for k, run in enumerate(runs):
        still = sum(r.weight for r in runs[k:])
        step(run, time.perf_counter() + _left(end) * run.weight / still)


def default_time_limit(instance: Instance) -> float:
    """A time limit that grows with the plan: a few seconds for a handful of events, about
    10 s for a month of 300, 120 s for a quarter of 1,000 (enough to prove it), no more."""
    events = len(instance.events)
    spans = list(itertools.pairwise(TIME_LIMIT_POINTS))
    (x0, y0), (x1, y1) = next((span for span in spans if events <= span[1][0]), spans[-1])
    return min(y1, y0 + (y1 - y0) * (events - x0) / (x1 - x0))


def plan(
    instance: Instance,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    watch: Watch | None = None,
) -> Outcome:
    """Staff the instance's events: greedy first, then CP-SAT per component within ``time_limit``,
    on ``workers`` cores (see ``_run_side_by_side`` and ``_run_by_phase``). ``watch`` hears of
    each phase and better plan, and may ask for the best plan so far (``Watch.stop``)."""
    started = time.perf_counter()
    deadline = started + time_limit
    control = Control(watch, time_limit=time_limit)
    baseline = greedy_choices(instance)
    greedy_figures = assess(instance, baseline)
    by_event: dict[int, list[Choice]] = defaultdict(list)
    for choice in baseline:
        by_event[instance.pairs[choice[0]].event].append(choice)

    components = sorted(instance.components, key=lambda c: (-len(c), c[0]))
    runs = [
        ComponentRun(
            instance, c, [choice for e in c for choice in by_event[e]], seed=seed, control=control, part=k
        )
        for k, c in enumerate(components)
    ]
    # Events nobody could staff are outside every component: their unmet needs are certain.
    certain = [g - sum(r.reached[t] for r in runs) for t, g in enumerate(greedy_figures.tiers)]
    control.begin(range(len(runs)), certain, [r.reached for r in runs])
    control.enter(None, "greedy")
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
    for t in Tier:
        parts = [r.tiers[t] for r in results]
        # Events nobody could staff are outside every component: their unmet needs are
        # certain, so they add to the value and the bound alike.
        outside = figures.tiers[t] - sum(p.value for p in parts)
        tiers.append(
            TierOutcome(
                t.word, figures.tiers[t], sum(p.bound for p in parts) + outside, all(p.proven for p in parts)
            )
        )
    status = "optimal" if all(t.proven for t in tiers) else "feasible"
    control.close([(t.value, t.bound, t.proven) for t in tiers])
    states = states_after(instance, chosen)
    solver_seconds = time.perf_counter() - started
    notes = []
    if control.stopped:
        notes.append("stopped on request: the best plan found so far")
    elif any(r.cut_by_clock for r in results):
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
        stopped=control.stopped,
    )
