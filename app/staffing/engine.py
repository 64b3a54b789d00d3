"""The matching engine's public entry: a fair staffing proposal for many events.

Dataclasses in (``instance``), a proposal and its figures out; nothing in the engine knows
about the database or the web, so the API, the pages, the tests and the benchmark all run
the same code. Where things live:

- ``rules``: each rule of staffing, declared once (seats and roles, network and language
  needs, clashes and the travel buffer, unavailability, monthly limits);
- ``objectives``: what a plan is ranked by (``Tier``), fairness and travel;
- ``figures``: what a plan achieves (``assess``), loads, staffing states;
- ``greedy``, ``polish``: the baseline and the local search;
- ``model``, ``bounds``: a component as a CP-SAT model, and fairness floors by counting;
- ``search``, ``strategy``: the searches, and how the time limit is spent (``plan``);
- ``control``, ``progress``: stopping a plan and reporting on it.
"""

from app.staffing.figures import Figures, Load, assess
from app.staffing.objectives import TIER_WORDS, Tier
from app.staffing.strategy import Outcome, TierOutcome, default_time_limit, plan

__all__ = [
    "TIER_WORDS",
    "Figures",
    "Load",
    "Outcome",
    "Tier",
    "TierOutcome",
    "assess",
    "default_time_limit",
    "plan",
]
