"""One plan's clock, stop and progress, shared by every step of the search.

Every CP-SAT solve runs through ``Control.solve``, so a stop ends the solves running at that
moment (``stop_search``) and every later step finds no time left: ``plan`` then returns the
best plan so far. Progress — the phase, and the figures of the best whole plan so far with
the bounds proven so far, summed over components — goes out at each phase change, and after
a better plan at most a few times a second, from one watcher thread.
"""

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from app.staffing.objectives import Tier
from app.staffing.progress import PHASES, Progress, TierProgress, Watch

# Seconds between reports of a better plan: often enough for a page, rare enough to be cheap.
REPORT_INTERVAL = 0.25
# How often the watcher looks at the stop and at pending reports: a stop ends solves this soon.
POLL_SECONDS = 0.05


@dataclass
class _Part:
    """What one component has reached: its figures, and the bounds proven so far."""

    values: list[int]
    bounds: list[int]
    proven: list[bool]
    phase: int = -1


class Control:
    """Handed to every step of one plan; thread-safe."""

    def __init__(self, watch: Watch | None, *, time_limit: float) -> None:
        self.watch = watch
        self.time_limit = time_limit
        self.started = time.perf_counter()
        self._stop = watch.stop if watch is not None else threading.Event()
        self._lock = threading.RLock()
        self._solvers: set[cp_model.CpSolver] = set()
        self._parts: dict[int, _Part] = {}
        self._outside = [0, 0, 0, 0]
        self._phase = -1  # none reported yet
        self._dirty = False
        self._last_report = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the clock and the stop ---------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def left(self, deadline: float) -> float:
        """Seconds to ``deadline``; none once a stop is asked for."""
        if self._stop.is_set():
            return 0.0
        return max(0.0, deadline - time.perf_counter())

    def solve(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> Any:
        """``solver.solve(model)``, ended at once by a stop (registered while it runs)."""
        with self._lock:
            self._solvers.add(solver)
        try:
            if self._stop.is_set():
                # Nothing is searched: the solve ends at its first check.
                solver.parameters.max_time_in_seconds = 0.0
            return solver.solve(model, callback) if callback is not None else solver.solve(model)
        finally:
            with self._lock:
                self._solvers.discard(solver)

    # --- progress -------------------------------------------------------------------------------

    def begin(self, parts: Sequence[int], outside: Sequence[int], start: Sequence[Sequence[int]]) -> None:
        """The components (by id), the figures of events outside every component (certain),
        and each component's figures in the first plan; starts the watcher."""
        with self._lock:
            self._outside = list(outside)
            for part, values in zip(parts, start, strict=True):
                self._parts[part] = _Part(list(values), [0, 0, 0, 0], [False] * 4)
        if self._thread is None and self.watch is not None:  # without a watch, nothing to hear or stop
            self._thread = threading.Thread(target=self._watch, name="staffing-control", daemon=True)
            self._thread.start()

    def enter(self, part: int | None, phase: str) -> None:
        """A component (or, with None, the whole plan) reaches a phase; the plan's phase is the
        one its slowest component is in, reported as soon as it changes."""
        index = PHASES.index(phase)
        with self._lock:
            if part is None:
                for state in self._parts.values():
                    state.phase = max(state.phase, index)
                reached = max(self._phase, index)
            elif part in self._parts:
                state = self._parts[part]
                state.phase = max(state.phase, index)
                reached = min(s.phase for s in self._parts.values())
            else:
                return
            if reached > self._phase:
                self._phase = reached
                self._emit()

    def found(self, part: int, values: Sequence[int], *, exact: bool = False) -> None:
        """A better plan of one component (its four figures), reported within a moment.
        Figures read during a solve may be partly stale (a needs model knows only the needs),
        so they are taken only if better; a step's own account (``exact``) always."""
        with self._lock:
            state = self._parts.get(part)
            if state is not None and (exact or tuple(values) < tuple(state.values)):
                self._dirty = self._dirty or list(values) != state.values
                state.values = list(values)

    def settle(self, part: int, tier: Tier, bound: int, proven: bool) -> None:
        """One component's figure after its step: the bound proven, and whether it is reached."""
        with self._lock:
            state = self._parts.get(part)
            if state is not None:
                state.bounds[tier] = max(state.bounds[tier], bound)
                state.proven[tier] = proven
                self._dirty = True

    def close(self, tiers: Sequence[tuple[int, int, bool]]) -> None:
        """The plan is done: its figures, bounds and proofs reported as ``done``."""
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._phase = PHASES.index("done")
            self._emit(final=tiers)

    def _emit(self, final: Sequence[tuple[int, int, bool]] | None = None) -> None:
        if self.watch is None or self.watch.report is None:
            return
        if final is None:
            parts = list(self._parts.values())
            rows = []
            for tier in Tier:
                value = self._outside[tier] + sum(p.values[tier] for p in parts)
                bound = self._outside[tier] + sum(p.bounds[tier] for p in parts)
                rows.append((value, min(bound, value), all(p.proven[tier] for p in parts)))
            final = rows
        progress = Progress(
            phase=PHASES[self._phase],
            seconds=round(time.perf_counter() - self.started, 3),
            time_limit=self.time_limit,
            tiers=tuple(
                TierProgress(tier.word, value, bound, proven)
                for tier, (value, bound, proven) in zip(Tier, final, strict=True)
            ),
        )
        self._dirty = False
        self._last_report = time.perf_counter()
        self.watch.report(progress)

    def _watch(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            with self._lock:
                if self._stop.is_set():
                    # Repeated while stopped: a solve registered just before its search
                    # began ignores a stop asked for before then.
                    for solver in self._solvers:
                        solver.stop_search()
                if self._dirty and time.perf_counter() - self._last_report >= REPORT_INTERVAL:
                    self._emit()


class Improvements(cp_model.CpSolverSolutionCallback):
    """Notes when the search last found a better plan (for stall checks), and hands the
    solver to ``found`` at most every ``REPORT_INTERVAL`` to read that plan's figures."""

    def __init__(self, found: Callable[["Improvements"], None] | None = None) -> None:
        super().__init__()
        self._found = found
        self.last = time.perf_counter()
        self._read = 0.0

    def on_solution_callback(self) -> None:
        self.last = now = time.perf_counter()
        if self._found is not None and now - self._read >= REPORT_INTERVAL:
            self._read = now
            self._found(self)


# For search steps called on their own (tests, tools): never stopped, reports nothing.
IDLE = Control(None, time_limit=0.0)
