"""A plan reports its progress as it goes, and a stop ends it at once with the best plan so far."""

import random
import threading
import time
from datetime import timedelta

from app.staffing import engine
from app.staffing.instance import build_instance
from app.staffing.progress import PHASES, Progress, Watch
from tests.staffing.forces import force, refusals

BUFFER = timedelta(minutes=30)


def test_plan_stopped_on_request_returns_promptly_with_a_bookable_plan() -> None:
    events, people = force(random.Random(11), events=220, people=120, days=20)
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    reports: list[Progress] = []
    watch = Watch(report=reports.append)
    asked = threading.Timer(2.0, watch.stop.set)
    started = time.perf_counter()
    asked.start()
    outcome = engine.plan(instance, time_limit=60, seed=0, workers=2, watch=watch)
    seconds = time.perf_counter() - started

    assert seconds < 2.0 + 1.5
    assert outcome.stopped
    assert "stopped on request: the best plan found so far" in outcome.notes
    assert refusals(events, people, outcome.proposals, buffer=BUFFER) == []
    # Never worse than greedy's plan on what is ranked first.
    assert outcome.figures.tiers[:2] <= outcome.greedy.tiers[:2]
    assert reports[-1].phase == "done"
    assert [(t.name, t.value, t.bound, t.proven) for t in reports[-1].tiers] == [
        (t.name, t.value, t.bound, t.proven) for t in outcome.tiers
    ]


def test_plan_reports_arrive_in_phase_order_with_the_figures_of_the_best_plan_so_far() -> None:
    events, people = force(random.Random(3), events=60, people=30, days=8)
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    reports: list[Progress] = []
    outcome = engine.plan(instance, time_limit=20, seed=0, workers=2, watch=Watch(report=reports.append))

    phases = [r.phase for r in reports]
    assert phases[0] == "greedy" and phases[-1] == "done"
    assert [PHASES.index(p) for p in phases] == sorted(PHASES.index(p) for p in phases)
    assert {"needs", "places", "fairness", "travel"} <= set(phases)
    first = reports[0]
    assert [t.value for t in first.tiers] == list(outcome.greedy.tiers)
    assert [t.name for t in first.tiers] == ["priority", "places", "fairness", "travel"]
    # Each report's figures are at least as good as the one before, in the ranking's order.
    values = [tuple(t.value for t in r.tiers) for r in reports]
    assert values == sorted(values, reverse=True)
    assert values[-1] == outcome.figures.tiers
    assert not outcome.stopped


def test_plan_stopped_before_it_starts_returns_greedys_plan() -> None:
    events, people = force(random.Random(5), events=40, people=20, days=6)
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    watch = Watch()
    watch.stop.set()
    started = time.perf_counter()
    outcome = engine.plan(instance, time_limit=30, seed=0, workers=2, watch=watch)
    assert time.perf_counter() - started < 1.5
    assert outcome.stopped
    assert outcome.figures.tiers == outcome.greedy.tiers
    assert refusals(events, people, outcome.proposals, buffer=BUFFER) == []


def test_default_time_limit_grows_with_the_plan() -> None:
    def limit(events: int) -> float:
        found, people = force(random.Random(1), events=events, people=5, days=28)
        return engine.default_time_limit(build_instance(events=found, people=people, travel_buffer=BUFFER))

    assert 2.0 <= limit(5) <= 4.0
    assert limit(300) == 10.0
    assert 100.0 <= limit(1000) <= 120.0
    assert limit(1500) == 120.0
