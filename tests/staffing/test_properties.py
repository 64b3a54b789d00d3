"""The rules stay in step: over many random months, every way of counting a plan agrees, and
the bounds never exceed the true optimum.

For any plan — greedy's, the CP-SAT model's, a random one the rules allow — the figures
computed by the model's solution, by ``assess``, by the event pages' staffing state and by
the plan's own bookkeeping agree, and a coordinator could book it by hand. On months small
enough to try every plan, the engine's bounds never exceed the best plan there is, and its
proven figures are that plan's.
"""

import random
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from app.events.staffing import StaffingState
from app.staffing import engine
from app.staffing.figures import assess, states_after, to_proposals
from app.staffing.greedy import greedy_tally
from app.staffing.instance import Instance, build_instance
from app.staffing.model import ComponentModel
from app.staffing.objectives import FAIRNESS, Tier
from app.staffing.polish import polish
from app.staffing.rules import Choice
from app.staffing.tally import Tally
from tests.staffing.forces import force, refusals

BUFFER = timedelta(minutes=30)
# Derandomized: the same months every run, so the suite's time and verdict are steady.
MONTHS = settings(
    max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def month(seed: int, *, events: int, people: int, days: int = 6) -> tuple[Any, Any, Instance]:
    """A random month of up to ``events`` events and ``people`` people (sizes drawn from
    the seed too, so every seed is a typical month, not only small ones)."""
    rng = random.Random(seed)
    plan_events, plan_people = force(
        rng, events=rng.randint(1, events), people=rng.randint(1, people), days=rng.randint(1, days)
    )
    instance = build_instance(events=plan_events, people=plan_people, travel_buffer=BUFFER)
    return plan_events, plan_people, instance


def random_plan(instance: Instance, rng: random.Random) -> list[Choice]:
    """Any plan the rules allow: choices tried in a random order, each kept at random if it fits."""
    options = [(i, role) for i, pair in enumerate(instance.pairs) for role in pair.roles]
    rng.shuffle(options)
    tally = Tally(instance)
    for index, role in options:
        if rng.random() < 0.7 and index not in tally.chosen and tally.fits(index, role):
            tally.add(index, role)
    return tally.choices()


def solved_plan(instance: Instance) -> list[Choice]:
    """The CP-SAT model's own plan: each component's least needs, then places, unmet."""
    chosen: list[Choice] = []
    for component in instance.components:
        pairs = {i for e in component for i in instance.pairs_of_event[e]}
        model = ComponentModel(instance, component, pairs)
        for tier in (Tier.PRIORITY, Tier.PLACES):
            model.model.minimize(model.tiers[tier])
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            assert solver.solve(model.model) == cp_model.OPTIMAL
            model.model.add(model.tiers[tier] <= round(solver.objective_value))
        chosen += model.chosen(solver)
    return chosen


def model_figures(instance: Instance, choices: list[Choice]) -> tuple[int, ...]:
    """The four figures as each component's CP-SAT model counts them, with its choice
    variables fixed to the plan (which the model must accept), plus the events nobody could
    staff."""
    totals = [0, 0, 0, 0]
    staffed: set[int] = set()
    for component in instance.components:
        staffed.update(component)
        pairs = {i for e in component for i in instance.pairs_of_event[e]}
        model = ComponentModel(instance, component, pairs)
        mine = {c for c in choices if instance.pairs[c[0]].event in set(component)}
        for key, lit in model.lits.items():
            model.model.add(lit == int(key in mine))
        # With the choices fixed, each figure's auxiliary variables take their least values.
        model.model.minimize(sum(model.tiers[t] for t in Tier))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model.model) == cp_model.OPTIMAL, "the model refuses a plan the rules allow"
        for t in Tier:
            expression = model.tiers[t]
            totals[t] += expression if isinstance(expression, int) else solver.value(expression)
    for e, lacking in enumerate(instance.shortfall):
        if e not in staffed:
            totals[Tier.PRIORITY] += lacking.needs
            totals[Tier.PLACES] += lacking.places
    return tuple(totals)


def state_figures(states: dict[int, StaffingState]) -> tuple[int, int]:
    """Needs and places unmet, counted from what the event page shows of each event."""
    needs = places = 0
    for state in states.values():
        needs += sum(max(0, int(str(n["needed"])) - int(str(n["have"]))) for n in state.networks)
        needs += len({str(lang["language"]).casefold() for lang in state.languages if not lang["have"]})
        places += max(0, state.ambassadors_needed - state.ambassadors)
        places += max(0, state.recruiters_needed - state.recruiters)
    return needs, places


def bookkeeping(tally: Tally) -> dict[str, Any]:
    """What a tally keeps, with empty entries left out, to compare two tallies."""
    return {
        "chosen": dict(tally.chosen),
        "load": tally.load,
        "added": tally.added,
        "members": [+counter for counter in tally.members],
        "speakers": [+counter for counter in tally.speakers],
        "busy": {p: events for p, events in tally.busy.items() if events},
        "held": {name: +counter for name, counter in tally._held.items()},
    }


def assert_figures_agree(
    instance: Instance, plan_events: Any, plan_people: Any, choices: list[Choice]
) -> None:
    figures = assess(instance, choices)
    assert model_figures(instance, choices) == figures.tiers
    assert state_figures(states_after(instance, choices)) == figures.tiers[:2]
    assert bookkeeping(Tally(instance, choices)) == bookkeeping(Tally(instance, reversed(choices)))
    assert refusals(plan_events, plan_people, to_proposals(instance, choices), buffer=BUFFER) == []


@MONTHS
@given(seed=st.integers(0, 2**32))
def test_greedys_plan_is_counted_alike_everywhere(seed: int) -> None:
    plan_events, plan_people, instance = month(seed, events=24, people=14)
    tally = greedy_tally(instance)
    choices = list(tally.chosen.items())
    # Greedy's own bookkeeping, kept as it went, is the plan's.
    assert bookkeeping(tally) == bookkeeping(Tally(instance, choices))
    assert_figures_agree(instance, plan_events, plan_people, choices)


@MONTHS
@given(seed=st.integers(0, 2**32))
def test_a_random_plan_the_rules_allow_is_counted_alike_everywhere(seed: int) -> None:
    plan_events, plan_people, instance = month(seed, events=24, people=14)
    assert_figures_agree(instance, plan_events, plan_people, random_plan(instance, random.Random(seed)))


@settings(MONTHS, max_examples=10)
@given(seed=st.integers(0, 2**32))
def test_the_models_plan_is_counted_alike_everywhere(seed: int) -> None:
    plan_events, plan_people, instance = month(seed, events=16, people=10)
    assert_figures_agree(instance, plan_events, plan_people, solved_plan(instance))


@MONTHS
@given(seed=st.integers(0, 2**32))
def test_the_local_search_keeps_its_bookkeeping_and_the_rules(seed: int) -> None:
    plan_events, plan_people, instance = month(seed, events=24, people=14)
    start = random_plan(instance, random.Random(seed))
    before = assess(instance, start)
    moved: list[Choice] = []
    for component in instance.components:
        mine = [c for c in start if instance.pairs[c[0]].event in set(component)]
        moved += polish(instance, mine, events=component, groups=FAIRNESS.groups(instance, component))
    after = assess(instance, moved)
    # Every need met stays met, no place is lost, and the plan is no less fair.
    assert (after.priority, after.places) <= (before.priority, before.places)
    assert after.fairness <= before.fairness
    assert_figures_agree(instance, plan_events, plan_people, moved)


# --- bounds against every plan there is ------------------------------------------------------


def options_of(instance: Instance) -> list[Choice]:
    return [(i, role) for i, pair in enumerate(instance.pairs) for role in pair.roles]


def every_plan(instance: Instance) -> list[list[Choice]]:
    """Every plan the rules allow (for months small enough to try them all)."""
    options = options_of(instance)
    found: list[list[Choice]] = []
    tally = Tally(instance)

    def walk(k: int) -> None:
        if k == len(options):
            found.append(tally.choices())
            return
        walk(k + 1)
        index, role = options[k]
        if index not in tally.chosen and tally.fits(index, role):
            tally.add(index, role)
            walk(k + 1)
            tally.remove(index)

    walk(0)
    return found


@settings(MONTHS, max_examples=30)
@given(seed=st.integers(0, 2**32))
def test_bounds_never_exceed_the_best_plan_there_is(seed: int) -> None:
    _, _, instance = month(seed, events=4, people=3, days=2)
    assume(len(options_of(instance)) <= 14)  # at most 2¹⁴ plans to try
    best = min(assess(instance, plan).tiers for plan in every_plan(instance))
    outcome = engine.plan(instance, time_limit=10, seed=0, workers=1)
    for tier, optimum in zip(outcome.tiers, best, strict=True):
        assert tier.bound <= optimum
    assert all(t.proven for t in outcome.tiers)
    assert outcome.figures.tiers == best
