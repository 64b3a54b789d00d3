"""Fairness floors (proven by hand on small cases, never above the true optimum), and the
searches that reach them or then shorten travel."""

import random

import pytest
from ortools.sat.python import cp_model

from app.events.staffing import NetworkNeed
from app.staffing.engine import (
    TIERS,
    Choice,
    ComponentModel,
    assess,
    fairness_groups,
    reach_windows,
    to_proposals,
    travel_at_fixed_loads,
)
from app.staffing.instance import AMBASSADOR, RECRUITER, Instance, PlanEvent, PlanPerson, build_instance
from app.staffing.polish import shorten
from tests.staffing.test_engine import BACUP, BLACKBURN, BPA, BUFFER, BURNLEY, at, event, loads, person, solve

FAIRNESS = TIERS.index("fairness")


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
    # Loads between 2 and 4 make a sum of gaps of 2: the 4/2/2 plan itself.
    assert model.counting(0, 0).windows_at(2, seconds=5, seed=0) == [(2, 4)]
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


def random_month(rng: random.Random) -> tuple[list[PlanEvent], list[PlanPerson]]:
    second = NetworkNeed(2, "Second network", 1)
    events = []
    for i in range(1, rng.randint(4, 8)):
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
        for p in range(1, rng.randint(3, 6))
    ]
    return events, people


def lexicographic_optimum(model: ComponentModel) -> tuple[int, int, int]:
    """Needs, places and fairness solved in turn by CP-SAT alone, without any floor."""
    reached = []
    for tier in range(3):
        model.model.minimize(model.tiers[tier])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model.model) == cp_model.OPTIMAL
        value = round(solver.objective_value)
        model.model.add(model.tiers[tier] <= value)
        reached.append(value)
    return reached[0], reached[1], reached[2]


@pytest.mark.parametrize("seed", range(30))
def test_fairness_floors_never_exceed_the_least_possible_gaps(seed: int) -> None:
    events, people = random_month(random.Random(seed))
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    for component in instance.components:
        pairs = {i for e in component for i in instance.pairs_of_event[e]}
        needs, places, fairness = lexicographic_optimum(ComponentModel(instance, component, pairs))
        model = ComponentModel(instance, component, pairs)
        model.add_fairness_floor(needs, places)
        model.add_joint_floor(needs, places, [], seconds=5, seed=0)
        assert model.floors[FAIRNESS] <= fairness


def crossed_trips(*, network_needed: bool) -> tuple[Instance, list[Choice]]:
    # Person 1 lives in Blackburn but is placed in Burnley; person 2 the other way round.
    # Swapping their places saves both trips and changes nobody's load.
    needs = (BPA,) if network_needed else ()
    events = [event(1, at(1, 10), place=BURNLEY, networks=needs), event(2, at(2, 10), place=BLACKBURN)]
    people = [person(1, networks=frozenset({1})), person(2, base=BURNLEY)]
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    return instance, choices(instance, {(1, 1): AMBASSADOR, (2, 2): AMBASSADOR})


def test_shorten_swaps_crossed_trips_keeping_every_load() -> None:
    instance, crossed = crossed_trips(network_needed=False)
    (component,) = instance.components
    groups = [(g.month, g.people) for g in fairness_groups(instance, component)]
    everything = set(range(len(instance.pairs)))
    assert assess(instance, crossed).travel == 2 * 17

    shorter = shorten(instance, crossed, events=component, groups=groups, allowed=everything)

    assert shorter == sorted(choices(instance, {(1, 2): AMBASSADOR, (2, 1): AMBASSADOR}))
    assert assess(instance, shorter).travel == 0


def test_shorten_keeps_a_network_need_met_rather_than_save_travel() -> None:
    # The Burnley event needs a member of the network, and only person 1 is one.
    instance, crossed = crossed_trips(network_needed=True)
    (component,) = instance.components
    groups = [(g.month, g.people) for g in fairness_groups(instance, component)]
    everything = set(range(len(instance.pairs)))

    assert shorten(instance, crossed, events=component, groups=groups, allowed=everything) == sorted(crossed)


def test_travel_at_fixed_loads_reseats_people_without_changing_any_load() -> None:
    instance, crossed = crossed_trips(network_needed=False)
    model = whole_model(instance)

    shorter = travel_at_fixed_loads(model, crossed, seconds=5, seed=0, workers=1)

    assert sorted(shorter) == sorted(choices(instance, {(1, 2): AMBASSADOR, (2, 1): AMBASSADOR}))
    assert model.values(shorter)[3] == 0
    assert loads(to_proposals(instance, shorter)) == loads(to_proposals(instance, crossed)) == {1: 1, 2: 1}
