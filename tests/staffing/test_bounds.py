"""Fairness floors (proven by hand on small cases, never above the true optimum), the
search that reaches them, and travel proven by load windows."""

import random
from collections.abc import Iterator

import pytest
from ortools.sat.python import cp_model

from app.events.staffing import NetworkNeed
from app.staffing.figures import to_proposals
from app.staffing.instance import Instance, PlanEvent, PlanPerson, build_instance
from app.staffing.model import ComponentModel
from app.staffing.objectives import Tier
from app.staffing.rules import AMBASSADOR, RECRUITER, Choice
from app.staffing.search import reach_windows, travel_by_windows
from tests.staffing.test_engine import BACUP, BLACKBURN, BPA, BUFFER, BURNLEY, at, event, loads, person, solve

FAIRNESS = Tier.FAIRNESS


def whole_model(instance: Instance) -> ComponentModel:
    (component,) = instance.components
    return ComponentModel(instance, component, set(range(len(instance.pairs))))


def choices(instance: Instance, wanted: dict[tuple[int, int], str]) -> list[Choice]:
    """(person id, event id) → role, as the model's choices."""
    found = []
    for index, pair in enumerate(instance.pairs):
        key = (instance.people[pair.person].person_id, instance.events[pair.event].event_id)
        if key in wanted:
            found.append((index, wanted[key]))
    assert len(found) == len(wanted)
    return found


def recruiting_month() -> tuple[list[PlanEvent], list[PlanPerson]]:
    # Four events on four days, each wanting a recruiter and an ambassador. Only person 1
    # can recruit, so every plan that fills the places has them recruit at all four;
    # persons 2 and 3 share the four ambassador places, 2/2 at best: loads 4, 2, 2, a gap
    # of 2 (by hand). Counting each load alone allows 3, 3, 2 (a gap of 1).
    events = [event(i, at(i, 10), ambassadors=1, recruiters=1) for i in (1, 2, 3, 4)]
    people = [person(1, recruits=True), person(2, base=BURNLEY), person(3, base=BACUP)]
    return events, people


def test_joint_floor_counts_that_only_recruiters_can_recruit() -> None:
    events, people = recruiting_month()
    instance, outcome = solve(events, people)
    model = whole_model(instance)
    model.model.add(model.tiers[1] <= 0)
    assert model.group_floors(0, 0) == [1]

    plan = choices(instance, {(1, e): RECRUITER for e in (1, 2, 3, 4)}) + choices(
        instance, {(2, 1): AMBASSADOR, (2, 2): AMBASSADOR, (3, 3): AMBASSADOR, (3, 4): AMBASSADOR}
    )
    assert model.add_joint_floor(0, 0, plan, seconds=5, seed=0) == 2
    assert model.joint_floor == 2 and model.floors[FAIRNESS] == 2
    # Loads between 2 and 4 make a sum of gaps of 2: the 4/2/2 plan itself, and no other.
    assert model.counting(0, 0).windows_at(2, seconds=5, seed=0) == ([(2, 4)], False)
    assert model.counting(0, 0).every_window(2, most=10, seconds=5) == [[(2, 4)]]
    assert loads(outcome.proposals) == {1: 4, 2: 2, 3: 2}
    fairness = outcome.tiers[FAIRNESS]
    assert (fairness.value, fairness.bound, fairness.proven) == (2, 2, True)


def test_a_plan_in_the_floor_windows_is_found_from_an_unfair_one() -> None:
    events, people = recruiting_month()
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    model = whole_model(instance)
    model.model.add(model.tiers[1] <= 0)
    unfair = choices(instance, {(1, e): RECRUITER for e in (1, 2, 3, 4)}) + choices(
        instance, {(2, 1): AMBASSADOR, (2, 2): AMBASSADOR, (2, 3): AMBASSADOR, (3, 4): AMBASSADOR}
    )
    assert model.group_gaps(unfair) == [3]  # 4, 3, 1
    assert model.add_joint_floor(0, 0, unfair, seconds=5, seed=0) == 2

    fair = reach_windows(model, unfair, 0, 0, seconds=5, seed=0, workers=1)

    assert model.group_gaps(fair) == [2]
    assert model.values(fair)[:2] == (0, 0)  # every place still filled


def test_windows_out_of_reach_are_refuted_and_the_floor_rises_to_the_optimum() -> None:
    # Four events wanting one ambassador each; events 1 and 2 overlap. Person 1 may take
    # only those two (excluded from 3 and 4), so one at most; person 2 the rest: loads 1
    # and 3, a gap of 2 (by hand). Counting loads alone (ignoring the clash) allows 2 and 2.
    events = [event(1, at(1, 10)), event(2, at(1, 10)), event(3, at(2, 10), excluded=frozenset({1}))]
    events.append(event(4, at(3, 10), excluded=frozenset({1})))
    instance = build_instance(events=events, people=[person(1), person(2)], travel_buffer=BUFFER)
    model = whole_model(instance)
    model.model.add(model.tiers[1] <= 0)
    only_plan = choices(
        instance, {(1, 1): AMBASSADOR, (2, 2): AMBASSADOR, (2, 3): AMBASSADOR, (2, 4): AMBASSADOR}
    )
    assert model.add_joint_floor(0, 0, only_plan, seconds=5, seed=0) == 0

    fair = reach_windows(model, only_plan, 0, 0, seconds=5, seed=0, workers=1)

    assert model.group_gaps(fair) == [2]
    # Loads within (2, 2), a gap of 0; then within (1, 2) or (2, 3), a gap of 1: none of them.
    assert model.refuted == [[(2, 2)], [(1, 2)], [(2, 3)]]
    assert model.floors[FAIRNESS] == 2  # proven
    assert model.counting(0, 0).windows_at(0, seconds=5, seed=0) == (None, True)


def random_month(
    rng: random.Random, *, events_up_to: int = 8, people_up_to: int = 6
) -> tuple[list[PlanEvent], list[PlanPerson]]:
    second = NetworkNeed(2, "Second network", 1)
    events = []
    for i in range(1, rng.randint(4, events_up_to)):
        events.append(
            event(
                i,
                at(rng.randint(1, 4), rng.choice((9, 10, 11, 14))),
                hours=rng.choice((1, 2, 3)),
                place=rng.choice((BLACKBURN, BURNLEY, BACUP)),
                ambassadors=rng.randint(0, 2),
                recruiters=rng.randint(0, 1),
                networks=tuple(n for n in (BPA, second) if rng.random() < 0.3),
                languages=("Urdu",) if rng.random() < 0.3 else (),
            )
        )
    people = [
        person(
            p,
            base=rng.choice((BLACKBURN, BURNLEY, BACUP)),
            networks=frozenset(n for n in (1, 2) if rng.random() < 0.4),
            languages=frozenset({"urdu"}) if rng.random() < 0.3 else frozenset(),
            limit=rng.randint(1, 3),
            recruits=rng.random() < 0.4,
        )
        for p in range(1, rng.randint(3, people_up_to))
    ]
    return events, people


def lexicographic_optimum(model: ComponentModel, tiers: int = 3) -> list[int]:
    """The first ``tiers`` figures solved in turn by CP-SAT alone, without any floor."""
    reached = []
    for tier in range(tiers):
        model.model.minimize(model.tiers[tier])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model.model) == cp_model.OPTIMAL
        value = round(solver.objective_value)
        model.model.add(model.tiers[tier] <= value)
        reached.append(value)
    return reached


def any_plan_keeping(model: ComponentModel, figures: list[int]) -> tuple[ComponentModel, list[Choice]]:
    """The model, its first figures held at these values, and any plan of it."""
    for tier, value in enumerate(figures):
        model.model.add(model.tiers[tier] <= value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return model, model.chosen(solver)


def random_components(seed: int) -> Iterator[tuple[Instance, list[int], set[int]]]:
    """Each component of a random month, with every pair of it."""
    events, people = random_month(random.Random(seed))
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    for component in instance.components:
        yield instance, component, {i for e in component for i in instance.pairs_of_event[e]}


@pytest.mark.parametrize("seed", range(30))
def test_fairness_floors_never_exceed_the_least_possible_gaps(seed: int) -> None:
    for instance, component, pairs in random_components(seed):
        needs, places, fairness = lexicographic_optimum(ComponentModel(instance, component, pairs))
        model = ComponentModel(instance, component, pairs)
        model.add_fairness_floor(needs, places)
        model.add_joint_floor(needs, places, [], seconds=5, seed=0)
        assert model.floors[FAIRNESS] <= fairness


@pytest.mark.parametrize("seed", range(30))
def test_reach_windows_finds_and_proves_the_least_sum_of_gaps(seed: int) -> None:
    for instance, component, pairs in random_components(seed):
        optimum = lexicographic_optimum(ComponentModel(instance, component, pairs))
        # Any plan keeping the needs and places, however unfair.
        model, start = any_plan_keeping(ComponentModel(instance, component, pairs), optimum[:2])
        model.add_fairness_floor(optimum[0], optimum[1])
        model.add_joint_floor(optimum[0], optimum[1], start, seconds=5, seed=0)

        fair = reach_windows(model, start, optimum[0], optimum[1], seconds=10, seed=0, workers=1)

        assert list(model.values(fair)[:3]) == optimum
        assert model.floors[FAIRNESS] == optimum[FAIRNESS]


@pytest.mark.parametrize("seed", range(30))
def test_travel_by_windows_finds_and_proves_the_least_travel(seed: int) -> None:
    for instance, component, pairs in random_components(seed):
        optimum = lexicographic_optimum(ComponentModel(instance, component, pairs), tiers=4)
        # Any plan as fair as can be, as the engine hands over once fairness is proven.
        model, fair = any_plan_keeping(ComponentModel(instance, component, pairs), optimum[:3])

        shortest, bound, _ = travel_by_windows(
            model, fair, optimum[0], optimum[1], seconds=10, seed=0, threads=1
        )

        assert list(model.values(shortest)) == optimum
        assert bound == optimum[3]


def test_travel_by_windows_finds_the_short_trips_in_other_windows_than_the_plans() -> None:
    # Six events on six days, four in Blackburn and two in Burnley. Two members of a network
    # live in Blackburn, two others in Burnley. The fairest plans give two people two duties
    # and two people one, the members alike (both two, or both one): a sum of gaps of 1
    # either way. With the members on one duty each, the Burnley pair must travel to
    # Blackburn twice (2 × 17 km); with the members on two, nobody travels.
    events = [event(i, at(i, 10), place=BLACKBURN if i <= 4 else BURNLEY) for i in range(1, 7)]
    members = frozenset({1})
    people = [
        person(1, networks=members),
        person(2, networks=members),
        person(3, base=BURNLEY),
        person(4, base=BURNLEY),
    ]
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    model = whole_model(instance)
    members_on_one = choices(
        instance,
        {(1, 1): AMBASSADOR, (2, 2): AMBASSADOR, (3, 3): AMBASSADOR, (3, 5): AMBASSADOR}
        | {(4, 4): AMBASSADOR, (4, 6): AMBASSADOR},
    )
    assert model.values(members_on_one)[FAIRNESS:] == (1, 34)
    windows = model.counting(0, 0).every_window(1, most=10, seconds=5)
    assert windows is not None
    assert sorted(windows) == [[(1, 2), (1, 1)], [(1, 2), (2, 2)]]
    model.model.add(model.tiers[FAIRNESS] <= 1)

    shortest, bound, _ = travel_by_windows(model, members_on_one, 0, 0, seconds=10, seed=0, threads=1)

    assert model.values(shortest) == (0, 0, 1, 0) and bound == 0
    assert loads(to_proposals(instance, shortest)) == {1: 2, 2: 2, 3: 1, 4: 1}
