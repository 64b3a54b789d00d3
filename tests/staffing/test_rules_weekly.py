"""The weekly limit: a person with ``max_duties_per_week`` is never given more duties in one
London week (Monday to Sunday), duties held already included — by greedy, by the CP-SAT
plan or by the local search — and the bounds and figures count it as the plans do."""

import random
from collections import Counter
from datetime import datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.clock import from_london
from app.staffing import engine
from app.staffing.figures import assess
from app.staffing.greedy import greedy_choices
from app.staffing.instance import Instance, PlanEvent, PlanPerson, Proposal, build_instance
from app.staffing.objectives import FAIRNESS
from app.staffing.polish import polish
from app.staffing.rules import Choice, week_of
from tests.staffing.forces import force
from tests.staffing.test_engine import BUFFER, BURNLEY, event, person
from tests.staffing.test_properties import (
    assert_figures_agree,
    every_plan,
    options_of,
    random_plan,
    solved_plan,
)


def day(month: int, d: int, hour: int = 10) -> datetime:
    return from_london(datetime(2027, month, d, hour))


def weekly(p: PlanPerson, limit: int | None) -> PlanPerson:
    p.max_duties_per_week = limit
    return p


def duties_per_week(instance: Instance, proposals: list[Proposal]) -> Counter[tuple[int, str]]:
    starts = {e.event_id: e.slot.starts_at for e in instance.events}
    return Counter((p.person_id, week_of(starts[p.event_id])) for p in proposals)


def to_proposals(instance: Instance, choices: list[Choice]) -> list[Proposal]:
    pairs = instance.pairs
    return [
        Proposal(instance.events[pairs[i].event].event_id, instance.people[pairs[i].person].person_id, role)
        for i, role in choices
    ]


def fortnight() -> tuple[list[PlanEvent], list[PlanPerson]]:
    # Monday 7 June 2027 to Sunday 20 June: three events each week. Person 1 lives next to
    # every venue but may do one duty a week; person 2 lives in Burnley with no weekly limit.
    events = [event(i, day(6, d)) for i, d in enumerate((7, 9, 11, 14, 16, 18), start=1)]
    people = [weekly(person(1, limit=6), 1), person(2, base=BURNLEY, limit=6)]
    return events, people


def test_week_of_runs_monday_to_sunday_in_london() -> None:
    assert week_of(day(6, 13, 23)) == week_of(day(6, 7, 0)) == "2027-W23"  # Sunday night, Monday
    assert week_of(day(6, 14, 0)) == "2027-W24"
    # 00:30 on Monday in London is 23:30 on Sunday in UTC: the London week counts.
    assert week_of(from_london(datetime(2027, 6, 28, 0, 30))) == "2027-W26"


def test_greedy_never_gives_a_weekly_limit_of_one_two_duties_in_a_week() -> None:
    events, people = fortnight()
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    proposals = to_proposals(instance, greedy_choices(instance))
    assert max(n for (pid, _), n in duties_per_week(instance, proposals).items() if pid == 1) == 1
    assert len(proposals) == 6  # person 2 takes the rest


def test_plan_never_gives_a_weekly_limit_of_one_two_duties_in_a_week() -> None:
    events, people = fortnight()
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    outcome = engine.plan(instance, time_limit=10, seed=0, workers=1)
    mine = [p for p in outcome.proposals if p.person_id == 1]
    assert sorted(week_of(instance.events[p.event_id - 1].slot.starts_at) for p in mine) == [
        "2027-W23",
        "2027-W24",
    ]
    assert outcome.figures.places == 0 and outcome.status == "optimal"
    # Without the weekly limit the same plan would split the six events 3/3.
    unlimited = build_instance(
        events=fortnight()[0],
        people=[person(1, limit=6), person(2, base=BURNLEY, limit=6)],
        travel_buffer=BUFFER,
    )
    assert Counter(p.person_id for p in engine.plan(unlimited, time_limit=10, workers=1).proposals) == {
        1: 3,
        2: 3,
    }


def test_local_search_never_hands_a_second_duty_in_a_week_to_a_weekly_limit_of_one() -> None:
    # Person 2 holds all six: the local search would hand person 1 (idle, and nearer) three
    # of them, but one a week is their limit.
    events, people = fortnight()
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    unfair = [
        (i, "ambassador")
        for i, pair in enumerate(instance.pairs)
        if instance.people[pair.person].person_id == 2
    ]
    assert len(unfair) == 6
    moved = polish(
        instance,
        unfair,
        events=instance.components[0],
        groups=FAIRNESS.groups(instance, instance.components[0]),
    )
    weeks = duties_per_week(instance, to_proposals(instance, moved))
    assert {week: n for (pid, week), n in weeks.items() if pid == 1} == {"2027-W23": 1, "2027-W24": 1}
    assert assess(instance, moved).fairness < assess(instance, unfair).fairness


def test_duties_held_already_count_toward_the_weekly_limit() -> None:
    held = event(99, day(6, 8)).slot  # Tuesday of the first week, elsewhere
    events, _ = fortnight()
    people = [weekly(person(1, limit=6, duties=(held,)), 1), person(2, base=BURNLEY, limit=6)]
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    outcome = engine.plan(instance, time_limit=10, workers=1)
    weeks = duties_per_week(instance, [p for p in outcome.proposals if p.person_id == 1])
    assert weeks == Counter({(1, "2027-W24"): 1})


def test_a_week_across_a_month_end_plans_its_events_together() -> None:
    # Tuesday 29 June and Thursday 1 July 2027 are in one week: person 1, next to both
    # venues, would take both (each month alone allows one) but may take only one; the two
    # months form one component.
    events = [event(1, day(6, 29)), event(2, day(7, 1))]
    people = [weekly(person(1, limit=4), 1), person(2, base=BURNLEY, limit=4)]
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    assert instance.components == [[0, 1]]
    outcome = engine.plan(instance, time_limit=10, workers=1)
    assert Counter(p.person_id for p in outcome.proposals) == {1: 1, 2: 1}


WEEKS = settings(
    max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def weekly_month(
    seed: int, *, events: int, people: int, days: int
) -> tuple[list[PlanEvent], list[PlanPerson], Instance]:
    rng = random.Random(seed)
    plan_events, plan_people = force(
        rng,
        events=rng.randint(1, events),
        people=rng.randint(1, people),
        days=rng.randint(1, days),
        weekly=True,
    )
    return (
        plan_events,
        plan_people,
        build_instance(events=plan_events, people=plan_people, travel_buffer=BUFFER),
    )


def assert_weeks_kept(instance: Instance, choices: list[Choice]) -> None:
    held = Counter((p.person_id, week_of(d.starts_at)) for p in instance.people for d in p.schedule.duties)
    limits = {p.person_id: p.max_duties_per_week for p in instance.people}
    for (pid, week), n in duties_per_week(instance, to_proposals(instance, choices)).items():
        limit = limits[pid]
        assert limit is None or n + held[(pid, week)] <= max(limit, held[(pid, week)])


@WEEKS
@given(seed=st.integers(0, 2**32))
def test_every_plan_keeps_weekly_limits_and_is_counted_alike(seed: int) -> None:
    plan_events, plan_people, instance = weekly_month(seed, events=24, people=12, days=20)
    for choices in (
        greedy_choices(instance),
        random_plan(instance, random.Random(seed)),
        solved_plan(instance),
    ):
        assert_weeks_kept(instance, choices)
        assert_figures_agree(instance, plan_events, plan_people, choices)


@settings(WEEKS, max_examples=30)
@given(seed=st.integers(0, 2**32))
def test_bounds_with_weekly_limits_never_exceed_the_best_plan_there_is(seed: int) -> None:
    _, _, instance = weekly_month(seed, events=4, people=3, days=9)
    assume(len(options_of(instance)) <= 14)
    best = min(assess(instance, plan).tiers for plan in every_plan(instance))
    outcome = engine.plan(instance, time_limit=10, seed=0, workers=1)
    for tier, optimum in zip(outcome.tiers, best, strict=True):
        assert tier.bound <= optimum
    assert outcome.figures.tiers == best
