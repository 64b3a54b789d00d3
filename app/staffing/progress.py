"""What a caller sees and controls while a plan is being made: progress out, a stop in.

The engine reports the best plan so far (its figures and the bounds proven so far) at each
phase and whenever a better plan is found, and returns the best plan so far soon after
``stop`` is set. A background job stores each report; a person watching the planner page
sees it, and may ask the job to stop.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

# The phases a plan goes through, in order.
PHASES = ("greedy", "needs", "places", "fairness", "travel", "done")


@dataclass(frozen=True)
class TierProgress:
    name: str
    value: int
    bound: int
    proven: bool


@dataclass(frozen=True)
class Progress:
    phase: str
    seconds: float
    time_limit: float
    tiers: tuple[TierProgress, ...]


@dataclass
class Watch:
    """Handed to ``plan``: ``report`` is called from the engine's threads (keep it quick)."""

    stop: threading.Event = field(default_factory=threading.Event)
    report: Callable[[Progress], None] | None = None

    def stopped(self) -> bool:
        return self.stop.is_set()
