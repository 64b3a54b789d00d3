"""One component's solve, in three phases — needs, places, then fairness and travel — each
to its own deadline, so that a plan of several components can run a phase of every
component before the next phase of any (``strategy``).

Each phase's steps take shares of the time left to that phase's deadline; a step that ends
early leaves its time to the next. The plan kept is always the best found so far, in the
ranking's order (``_offer``): no step hands back a plan worse than one it was given.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.staffing import candidates
from app.staffing.control import IDLE, Control, Improvements
from app.staffing.figures import assess_component
from app.staffing.greedy import greedy_choices
from app.staffing.instance import Instance
from app.staffing.model import ComponentModel, is_large
from app.staffing.objectives import FAIRNESS, Tier
from app.staffing.polish import polish
from app.staffing.rules import ROLES, SEATS, Choice
from app.staffing.search import TierResult, improve, prove_group_gaps, reach_windows, travel_by_windows

log = logging.getLogger("muster.staffing")

# Shares of the time left that each step may use, in the order they run (the figures ranked
# first get the time first; what a step leaves goes to the next).
QUICK_NEEDS_SHARE = 0.08  # the quick needs model: it finds the optimum, the exact one proves it
NEEDS_SHARE = 0.35
PLACES_SHARE = 0.75
POLISH_SHARE = 0.25  # the local search: cheap, and a far better start for one worker
JOINT_FLOOR_SHARE = 0.35  # the fairness floor by counting loads: usually proven at once
WINDOWS_SHARE = 0.6  # the search for a plan in the floor's load windows
GROUP_PROOF_SHARE = 0.3  # one-group proofs of gaps, where counting proves too little
FAIRNESS_SHARE = 0.6
# The windows search is tried only with this long left: a failed attempt costs its share.
WINDOWS_MIN_SECONDS = 1.0
# Fairness goes again after travel (portfolio only) if this much time is left.
FAIRNESS_AGAIN_MIN_SECONDS = 1.5
# The candidate model: this many nearest people for each place, and events for each person
# each month (a model of every pair is too large to search in the time).
CANDIDATES_PER_PLACE = 8
CANDIDATES_PER_PERSON = 4
# The quick needs model: this many nearest people for each unit of a need.
QUICK_NEEDS_CANDIDATES = 6


@dataclass
class ComponentResult:
    choices: list[Choice]
    tiers: list[TierResult]
    variables: int
    pairs_considered: int
    cut_by_clock: bool
    parallel: bool = False


class ComponentRun:
    def __init__(
        self,
        instance: Instance,
        events: list[int],
        start: list[Choice],
        *,
        seed: int,
        control: Control = IDLE,
        part: int = 0,
    ) -> None:
        self.instance = instance
        self.events = events
        self.seed = seed
        self.control = control
        self.part = part
        self.current = start
        self.reached = assess_component(instance, events, start)  # the current plan's figures
        self.tiers: list[TierResult] = []
        self.cut = False
        self.parallel: list[bool] = []  # whether a portfolio (timing-dependent) search ran
        self.variables = 0
        self.pairs_considered = 0
        self.weight = sum(len(instance.pairs_of_event[e]) for e in events) + 1
        self._travel_model: ComponentModel | None = None  # kept for ``more_travel``
        self._built: ComponentModel | None = None  # the last candidate model

    def result(self) -> ComponentResult:
        return ComponentResult(
            self.current, self.tiers, self.variables, self.pairs_considered, self.cut, any(self.parallel)
        )

    @property
    def places_unmet(self) -> int:
        return self.reached[Tier.PLACES]

    @property
    def large(self) -> bool:
        """Whether its candidate models will be large (solved by a portfolio if workers allow),
        estimated from the nearest few candidates for each place."""
        estimate = 0
        for e in self.events:
            places = sum(SEATS.seats(self.instance, e, role) for role in ROLES)
            estimate += min(len(self.instance.pairs_of_event[e]), CANDIDATES_PER_PLACE * places)
        return is_large(estimate)

    def whole(self, deadline: float, *, threads: int) -> None:
        self.needs(deadline)
        self.places(deadline, threads=threads)
        self.fairness_and_travel(deadline, threads=threads)

    # --- the phases ------------------------------------------------------------------------------

    def needs(self, deadline: float) -> None:
        """Network and language needs: only the people who could meet one matter, so a model
        of just them is exact for the whole component. A smaller model of the nearest few
        for each need finds a good plan fast; the exact model then starts from it and proves
        it or does better; greedy fills the places left."""
        instance, events = self.instance, self.events
        self.control.enter(self.part, "needs")
        serving = candidates.for_needs(instance, events)
        exact = ComponentModel(instance, events, serving, needs_only=True)
        value, floor = self.reached[Tier.PRIORITY], exact.floors[Tier.PRIORITY]
        if value <= floor:
            self._settle(Tier.PRIORITY, TierResult(value, value, True))
            return
        budget = self._left(deadline) * QUICK_NEEDS_SHARE
        best = [c for c in self.current if c[0] in serving]
        nearest = candidates.for_needs(
            instance, events, per_need=QUICK_NEEDS_CANDIDATES, keep={i for i, _ in best}
        )
        if len(nearest) < len(serving) and budget > 0.1:
            quick = ComponentModel(instance, events, nearest, needs_only=True)
            found, _, _, was_cut = self._search(quick, Tier.PRIORITY, best, seconds=budget)
            self.cut = self.cut or was_cut
            if found is not None and quick.values(found)[0] < exact.values(best)[0]:
                best = found
        found, bound, optimal, was_cut = None, floor, False, True
        seconds = self._left(deadline) * NEEDS_SHARE if budget > 0.1 else 0.0
        if seconds > 0.05:
            found, bound, optimal, was_cut = self._search(exact, Tier.PRIORITY, best, seconds=seconds)
        self.cut = self.cut or was_cut
        if found is not None and exact.values(found)[0] < exact.values(best)[0]:
            best = found
        if exact.values(best)[0] < value:
            self._offer(greedy_choices(instance, start=best, priority=False, events=events))
        value = self.reached[Tier.PRIORITY]
        bound = max(min(bound, value), floor)
        self._settle(Tier.PRIORITY, TierResult(value, bound, optimal or bound == value))

    def places(self, deadline: float, *, threads: int, share: float = PLACES_SHARE) -> None:
        """Ambassador and recruiter places on the candidate model, keeping the needs met (on
        one worker when several components' places run side by side)."""
        self.control.enter(self.part, "places")
        unmet = self.places_unmet
        if unmet == 0:
            result = TierResult(0, 0, True)
        elif self.control.stopped:
            result, self.cut = TierResult(unmet, 0, False), True
        else:
            model = self._candidate_model(keep_up_to=Tier.PLACES)
            result = self._improve(model, Tier.PLACES, deadline, share, threads)
        self._settle(Tier.PLACES, result)

    def fairness_and_travel(self, deadline: float, *, threads: int) -> None:
        """Where the windows search would run on one worker, the local search first hands
        places to less loaded or nearer people; the model for fairness and travel is built
        around the plan; the joint floor and the windows, or the one-group proofs, bound
        fairness; then fairness, and travel keeping it."""
        instance, events = self.instance, self.events
        self.control.enter(self.part, "fairness")
        if self.control.stopped:
            # Nothing more will be searched: the figures as they are, none proven here.
            self.tiers += [TierResult(self.reached[t], 0, False) for t in (Tier.FAIRNESS, Tier.TRAVEL)]
            self.cut = True
            return
        if not (self.large and threads > 1):
            # One worker's windows search from a poor plan rarely ends in time; polished, it does.
            until = time.perf_counter() + self._left(deadline) * POLISH_SHARE
            self._offer(
                polish(
                    instance,
                    self.current,
                    events=events,
                    groups=FAIRNESS.groups(instance, events),
                    deadline=until,
                )
            )
            log.debug("polished to %s, %.2f s to the deadline", self.reached, self._left(deadline))
        model = self._candidate_model(keep_up_to=Tier.FAIRNESS)
        log.debug("candidate model built, %.2f s to the deadline", self._left(deadline))
        priority, places = self.reached[Tier.PRIORITY], self.reached[Tier.PLACES]
        floor = model.add_joint_floor(
            priority,
            places,
            self.current,
            seconds=self._left(deadline) * JOINT_FLOOR_SHARE,
            seed=self.seed,
            solve=self.control.solve,
        )
        log.debug(
            "fairness floor %d (plan %d), %.2f s to the deadline",
            floor,
            self.reached[Tier.FAIRNESS],
            self._left(deadline),
        )
        if self._left(deadline) >= WINDOWS_MIN_SECONDS and self.reached[Tier.FAIRNESS] > floor:
            workers = self._workers(model, threads)
            self._offer(
                reach_windows(
                    model,
                    self.current,
                    priority,
                    places,
                    seconds=self._left(deadline) * WINDOWS_SHARE,
                    seed=self.seed,
                    workers=workers,
                    control=self.control,
                )
            )
            self.parallel.append(workers > 1)
        self._offer(
            prove_group_gaps(
                model,
                self.current,
                seconds=self._left(deadline) * GROUP_PROOF_SHARE,
                seed=self.seed,
                threads=threads,
                control=self.control,
            )
        )
        fair, trip = self._fairness_then_travel(model, deadline, threads)
        self._settle(Tier.FAIRNESS, fair)
        self._settle(Tier.TRAVEL, trip)
        self._travel_model = model

    @property
    def travel_open(self) -> bool:
        """Whether travel by load windows could go on: fairness proven, travel not."""
        return (
            self._travel_model is not None
            and self.tiers[Tier.FAIRNESS].proven
            and not self.tiers[Tier.TRAVEL].proven
        )

    def more_travel(self, deadline: float, *, threads: int) -> None:
        """With time the other components left over: travel by load windows again, from the
        plan so far, where fairness is proven and travel is not."""
        model, trip = self._travel_model, self.tiers[Tier.TRAVEL]
        if model is None or not self.travel_open or self._left(deadline) < 1:
            return
        shortest, bound, side_by_side = self._travel_by_windows(model, deadline, threads)
        self._offer(shortest)
        self.parallel.append(side_by_side)
        value = self.reached[Tier.TRAVEL]
        trip = TierResult(value, max(trip.bound, min(bound, value)), False)
        trip.proven = trip.bound == value
        self.tiers[Tier.TRAVEL] = trip
        self.control.settle(self.part, Tier.TRAVEL, trip.bound, trip.proven)

    def _fairness_then_travel(
        self, model: ComponentModel, deadline: float, threads: int
    ) -> tuple[TierResult, TierResult]:
        """Fairness, then travel keeping it. A portfolio search stops when it stalls, and
        travel may end early, so while time is left fairness goes again from travel's plan,
        on the model as it was before travel's constraints, and travel after it if fairness
        improved."""
        before_travel = model.model.clone()
        fair: TierResult | None = None
        trip = TierResult(self.reached[Tier.TRAVEL], 0, False)
        while True:
            reached = self.reached[Tier.FAIRNESS]
            result = self._improve(model, Tier.FAIRNESS, deadline, FAIRNESS_SHARE, threads)
            if fair is not None:
                result.bound = max(result.bound, fair.bound)
                result.proven = result.proven or result.bound == result.value
                if result.value >= reached:
                    fair = result
                    break
            fair = result
            self.control.settle(self.part, Tier.FAIRNESS, fair.bound, fair.proven)
            self.control.enter(self.part, "travel")
            model.model.add(model.tiers[Tier.FAIRNESS] <= fair.value)
            if fair.proven:
                # Fairness is settled: travel by load windows, proven when every tuple of
                # windows is done (the travel stage is then skipped, at its floor).
                shortest, model.floors[Tier.TRAVEL], side_by_side = self._travel_by_windows(
                    model, deadline, threads
                )
                self._offer(shortest)
                self.parallel.append(side_by_side)
            # On a large model whose sum of gaps is not proven, travel keeps each group's gap
            # (a far quicker search); its bound then holds given each group's gap, unproven.
            capped = model.large and not fair.proven
            if capped:
                for g, gap in enumerate(model.group_gaps(self.current)):
                    model.model.add(model.highs[g] - model.lows[g] <= gap)
            trip = self._improve(model, Tier.TRAVEL, deadline, 1.0, threads)
            if capped:
                trip.proven = False
            # The travel search may also have lowered a gap (never raised one): report the plan's.
            fair.value = self.reached[Tier.FAIRNESS]
            fair.bound = min(fair.bound, fair.value)
            fair.proven = fair.proven or fair.bound == fair.value
            if (
                fair.proven
                or self._workers(model, threads) == 1
                or self._left(deadline) < FAIRNESS_AGAIN_MIN_SECONDS
            ):
                break
            model.model = before_travel.clone()
        return fair, trip

    # --- steps -------------------------------------------------------------------------------

    def _improve(
        self, model: ComponentModel, tier: Tier, deadline: float, share: float, threads: int
    ) -> TierResult:
        """Improve one figure, keeping the ones before it, from the plan so far; it and its bound."""
        value, floor = self.reached[tier], model.floors[tier]
        seconds = self._left(deadline) * share
        if value <= floor:
            return TierResult(value, value, True)
        if seconds <= 0.05:
            self.cut = True
            return TierResult(value, floor, False)
        workers = self._workers(model, threads)
        if tier == Tier.FAIRNESS and model.large and workers == 1:
            # One worker's search rarely improves the sum of gaps at this size; the time goes
            # to travel, and the bound is what the proofs reached.
            return TierResult(value, floor, False)
        self.parallel.append(workers > 1)
        found, bound, optimal, was_cut = self._search(
            model, tier, self.current, seconds=seconds, workers=workers
        )
        self.cut = self.cut or was_cut
        if found is not None:
            self._offer(found)
        value = self.reached[tier]
        bound = max(min(bound, value), floor)
        return TierResult(value, bound, optimal or bound == value)

    def _search(
        self, model: ComponentModel, tier: Tier, start: list[Choice], *, seconds: float, workers: int = 1
    ) -> tuple[list[Choice] | None, int, bool, bool]:
        """One solve of ``model`` for ``tier`` from ``start``, each better plan reported as found."""
        return improve(
            model,
            tier,
            start,
            seconds=seconds,
            seed=self.seed,
            workers=workers,
            control=self.control,
            found=self._reporter(model),
        )

    def _travel_by_windows(
        self, model: ComponentModel, deadline: float, threads: int
    ) -> tuple[list[Choice], int, bool]:
        """Travel by load windows from the plan so far, keeping its needs and places."""
        return travel_by_windows(
            model,
            self.current,
            self.reached[Tier.PRIORITY],
            self.reached[Tier.PLACES],
            seconds=self._left(deadline),
            seed=self.seed,
            threads=threads,
            control=self.control,
        )

    def _offer(self, plan: list[Choice]) -> bool:
        """Keep ``plan`` if it is better, in the ranking's order, than the plan so far."""
        values = assess_component(self.instance, self.events, plan)
        if values >= self.reached:
            return False
        self.current, self.reached = plan, values
        self.control.found(self.part, values, exact=True)
        return True

    def _settle(self, tier: Tier, result: TierResult) -> None:
        self.tiers.append(result)
        self.control.settle(self.part, tier, result.bound, result.proven)

    def _left(self, deadline: float) -> float:
        return self.control.left(deadline)

    def _workers(self, model: ComponentModel, threads: int) -> int:
        """A large model is solved by a portfolio of ``threads`` workers, a small one by one."""
        return threads if model.large else 1

    def _candidate_model(self, *, keep_up_to: Tier) -> ComponentModel:
        """The model of the nearest candidates, keeping the figures ranked before ``keep_up_to``:
        the places step's model again if it holds the plan so far (its candidates are the
        same, and building it again costs time), else a new one."""
        built = self._built
        if built is None or not all(c in built.lits for c in self.current):
            pairs = candidates.for_places(
                self.instance,
                self.events,
                per_place=CANDIDATES_PER_PLACE,
                per_person=CANDIDATES_PER_PERSON,
                keep={i for i, _ in self.current},
            )
            built = self._built = ComponentModel(self.instance, self.events, pairs)
            self.variables, self.pairs_considered = len(built.lits), len(pairs)
        for t in range(keep_up_to):
            built.model.add(built.tiers[t] <= self.reached[t])
        if keep_up_to > Tier.PLACES:
            built.add_fairness_floor(self.reached[Tier.PRIORITY], self.reached[Tier.PLACES])
        return built

    def _reporter(self, model: ComponentModel) -> Callable[[Improvements], None]:
        """Tells the control of each better plan a solve of ``model`` finds: every figure of
        a candidate model's plan; a needs model's plan only improves the needs."""
        if not model.needs_only:

            def found(solver: Improvements) -> None:
                self.control.found(self.part, [solver.value(t) for t in model.tiers])

        else:
            known = self.reached

            def found(solver: Improvements) -> None:
                self.control.found(self.part, [solver.value(model.tiers[Tier.PRIORITY]), *known[1:]])

        return found
