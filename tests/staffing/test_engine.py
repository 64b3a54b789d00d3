"""The matching engine alone: small cases whose best plan is known by hand."""

from datetime import datetime, timedelta

import pytest

from app.assignments.rules import Away, Schedule, Slot
from app.clock import from_london
from app.events.staffing import NetworkNeed, TeamMember
from app.staffing import model as staffing_model
from app.staffing.bounds import least_gap
from app.staffing.engine import assess, plan
from app.staffing.greedy import greedy_choices
from app.staffing.instance import (
    UNKNOWN_TRAVEL_KM,
    Place,
    PlanEvent,
    PlanPerson,
    Proposal,
    build_instance,
    distance_km,
    travel_km,
)
from app.staffing.model import ComponentModel
from app.staffing.search import prove_group_gaps

BUFFER = timedelta(minutes=30)
BLACKBURN = Place("Blackburn", 53.7486, -2.4875)
BURNLEY = Place("Burnley", 53.7893, -2.2405)
BACUP = Place("Bacup", 53.7041, -2.2005)
NELSON = Place("Nelson", 53.8346, -2.2180)
BPA = NetworkNeed(1, "Black Police Association", 1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return from_london(datetime(2027, 6, day, hour, minute))


def event(
    event_id: int,
    start: datetime,
    hours: float = 2,
    *,
    place: Place = BLACKBURN,
    venue_id: int | None = None,
    ambassadors: int = 1,
    recruiters: int = 0,
    networks: tuple[NetworkNeed, ...] = (),
    languages: tuple[str, ...] = (),
    team: tuple[TeamMember, ...] = (),
    excluded: frozenset[int] = frozenset(),
) -> PlanEvent:
    venue = venue_id if venue_id is not None else 100 + event_id
    return PlanEvent(
        slot=Slot(
            event_id, f"Event {event_id}", venue, f"{place.town} venue", start, start + timedelta(hours=hours)
        ),
        place=place,
        ambassadors_needed=ambassadors,
        recruiters_needed=recruiters,
        network_needs=list(networks),
        wanted_languages=list(languages),
        team=list(team),
        excluded=excluded,
    )


def person(
    person_id: int,
    *,
    base: Place = BLACKBURN,
    networks: frozenset[int] = frozenset(),
    languages: frozenset[str] = frozenset(),
    limit: int = 4,
    recruits: bool = False,
    active: bool = True,
    duties: tuple[Slot, ...] = (),
    away: tuple[Away, ...] = (),
) -> PlanPerson:
    return PlanPerson(
        schedule=Schedule(person_id, f"Person {person_id}", active, limit, list(duties), list(away)),
        base=base,
        networks=networks,
        languages=languages,
        can_recruit=recruits,
    )


def solve(events: list[PlanEvent], people: list[PlanPerson], seed: int = 0, buffer: timedelta = BUFFER):  # type: ignore[no-untyped-def]
    instance = build_instance(events=events, people=people, travel_buffer=buffer)
    return instance, plan(instance, time_limit=10, seed=seed, workers=1)


def loads(proposals: list[Proposal]) -> dict[int, int]:
    result: dict[int, int] = {}
    for p in proposals:
        result[p.person_id] = result.get(p.person_id, 0) + 1
    return result


def test_distance_from_coordinates_is_great_circle() -> None:
    # 0.0407° of latitude (4.53 km) and 0.247° of longitude at 53.8° N (16.24 km).
    assert distance_km(BLACKBURN, BURNLEY) == pytest.approx(16.85, abs=0.01)
    assert travel_km(BLACKBURN, BURNLEY) == 17


def test_distance_same_town_without_coordinates_is_zero() -> None:
    assert distance_km(Place("Nelson"), Place("nelson ")) == 0.0


def test_distance_different_towns_without_coordinates_is_unknown_and_penalised() -> None:
    assert distance_km(Place("Nelson"), Place("Colne")) is None
    assert travel_km(Place("Nelson"), Place("Colne")) == UNKNOWN_TRAVEL_KM


def test_plan_network_of_two_splits_four_events_two_and_two() -> None:
    # Person 1 lives next to every venue, person 2 in Burnley: by travel alone person 1
    # would take all four; fairness ranks first, so they split 2/2.
    events = [event(i, at(i, 10), networks=(BPA,)) for i in (1, 2, 3, 4)]
    people = [
        person(1, networks=frozenset({1})),
        person(2, base=BURNLEY, networks=frozenset({1})),
    ]
    _, outcome = solve(events, people)
    assert loads(outcome.proposals) == {1: 2, 2: 2}
    assert outcome.status == "optimal"
    assert outcome.figures.worst_network_gap == 0


def test_plan_of_a_large_model_keeps_the_rules_and_the_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One month planned alone with two workers searches a large model on both (a CP-SAT
    # portfolio, or load windows side by side); here every model counts as large, so the
    # same hand-solved cases run that way: the network of two still splits its four events
    # 2/2, and nobody is given the Bacup → Nelson hop in ten minutes.
    monkeypatch.setattr(staffing_model, "LARGE_MODEL_VARIABLES", 0)
    events = [event(i, at(i, 10), networks=(BPA,)) for i in (1, 2, 3, 4)]
    events += [event(5, at(9, 10), place=BACUP), event(6, at(9, 12, 10), place=NELSON)]
    people = [
        person(1, networks=frozenset({1})),
        person(2, base=BURNLEY, networks=frozenset({1})),
    ]
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    assert len(instance.components) == 1
    outcome = plan(instance, time_limit=10, seed=0, workers=2)
    network_events = loads([p for p in outcome.proposals if p.event_id <= 4])
    assert network_events == {1: 2, 2: 2}
    hop = {p.person_id: p.event_id for p in outcome.proposals if p.event_id in (5, 6)}
    assert sorted(hop.values()) == [5, 6]
    assert outcome.status == "optimal"


def month_with_a_trap_for_greedy(month: int, first_id: int) -> list[PlanEvent]:
    """Four Black Police Association events (days 1–4), then two places on day 20 that
    greedy staffs one of: the nearest free person takes the morning, and the only other one
    is on shift in the afternoon."""

    def day(d: int, hour: int) -> datetime:
        return from_london(datetime(2027, month, d, hour))

    events = [event(first_id + i, day(1 + i, 10), networks=(BPA,)) for i in range(4)]
    events += [event(first_id + 4, day(20, 10)), event(first_id + 5, day(20, 14), place=BURNLEY)]
    return events


def test_plan_of_several_large_months_by_phase_fills_every_place_and_keeps_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Several months with large models, on two workers, are planned by phase: every month's
    # needs side by side, then each month's places in turn and its fairness and travel in
    # turn, each by the portfolio. Every model counts as large here, so two hand-solved
    # months run that way: in each the network of two splits 2/2, and the place greedy
    # leaves empty is filled by moving the nearest person to the afternoon.
    monkeypatch.setattr(staffing_model, "LARGE_MODEL_VARIABLES", 0)
    leave = (Away(from_london(datetime(2027, 6, 15)), from_london(datetime(2027, 6, 25)), "annual_leave"),)
    leave += (Away(from_london(datetime(2027, 7, 15)), from_london(datetime(2027, 7, 25)), "annual_leave"),)
    shifts = tuple(
        Away(from_london(datetime(2027, m, 20, 13)), from_london(datetime(2027, m, 20, 18)), "shift")
        for m in (6, 7)
    )
    events = month_with_a_trap_for_greedy(6, 1) + month_with_a_trap_for_greedy(7, 11)
    people = [
        person(1, networks=frozenset({1}), away=leave),
        person(2, base=BURNLEY, networks=frozenset({1}), away=leave),
        person(3, limit=1),
        person(4, base=BURNLEY, away=shifts),
    ]
    instance = build_instance(events=events, people=people, travel_buffer=BUFFER)
    assert len(instance.components) == 2
    assert assess(instance, greedy_choices(instance)).places == 2
    outcome = plan(instance, time_limit=20, seed=0, workers=2)
    for first in (1, 11):
        network_events = loads([p for p in outcome.proposals if first <= p.event_id < first + 4])
        assert network_events == {1: 2, 2: 2}
        trap = {p.event_id: p.person_id for p in outcome.proposals if p.event_id in (first + 4, first + 5)}
        assert trap == {first + 4: 4, first + 5: 3}
    assert outcome.figures.places == 0
    assert any("parallel search" in note for note in outcome.notes)
    assert [(t.name, t.proven) for t in outcome.tiers][:3] == [
        ("priority", True),
        ("places", True),
        ("fairness", True),
    ]


def test_plan_travel_buffer_prevents_bacup_to_nelson_in_ten_minutes() -> None:
    bacup = event(1, at(9, 10), place=BACUP)
    nelson = event(2, at(9, 12, 10), place=NELSON)
    _, outcome = solve([bacup, nelson], [person(1, base=BACUP)])
    assert outcome.proposals == [Proposal(1, 1, "ambassador")]
    assert outcome.unmet[2].unmet == ["needs 1 more ambassador"]


def test_plan_without_travel_buffer_takes_both_bacup_and_nelson() -> None:
    bacup = event(1, at(9, 10), place=BACUP)
    nelson = event(2, at(9, 12, 10), place=NELSON)
    _, outcome = solve([bacup, nelson], [person(1, base=BACUP)], buffer=timedelta(0))
    assert [p.event_id for p in outcome.proposals] == [1, 2]


def test_plan_same_venue_back_to_back_needs_no_travel_time() -> None:
    morning = event(1, at(9, 10), venue_id=7)
    afternoon = event(2, at(9, 12), venue_id=7)
    _, outcome = solve([morning, afternoon], [person(1)])
    assert [p.event_id for p in outcome.proposals] == [1, 2]


def test_plan_pinned_team_member_counts_and_is_not_proposed_again() -> None:
    pinned = TeamMember(1, "ambassador", "confirmed", frozenset({1}), frozenset())
    slot_event = event(1, at(3, 10), ambassadors=2, networks=(BPA,), team=(pinned,))
    holder = person(1, networks=frozenset({1}), duties=(slot_event.slot,))
    _, outcome = solve([slot_event], [holder, person(2)])
    assert outcome.proposals == [Proposal(1, 2, "ambassador")]
    assert outcome.unmet == {}


def test_plan_reports_needs_nobody_can_meet_in_words() -> None:
    wanting = event(1, at(3, 10), ambassadors=3, languages=("Urdu",), networks=(BPA,))
    _, outcome = solve([wanting], [person(1)])
    assert outcome.proposals == [Proposal(1, 1, "ambassador")]
    assert outcome.unmet[1].unmet == [
        "needs 2 more ambassadors",
        "needs 1 more ambassador from the Black Police Association",
        "needs an Urdu speaker",
    ]
    assert outcome.status == "optimal"


def test_plan_with_nobody_free_proposes_nothing() -> None:
    leave = Away(at(1, 0), at(20, 0), "annual_leave")
    _, outcome = solve([event(1, at(3, 10))], [person(1, away=(leave,)), person(2, active=False)])
    assert outcome.proposals == []
    assert outcome.figures.places == 1


def test_plan_respects_monthly_limit_including_existing_duties() -> None:
    elsewhere = Slot(99, "Careers fair", 999, "Elsewhere", at(1, 18), at(1, 20))
    events = [event(i, at(i + 1, 10)) for i in (1, 2, 3)]
    _, outcome = solve(events, [person(1, limit=2, duties=(elsewhere,))])
    assert loads(outcome.proposals) == {1: 1}


def test_plan_recruiter_places_go_to_recruitment_staff() -> None:
    stand = event(1, at(3, 10), ambassadors=1, recruiters=1)
    _, outcome = solve([stand], [person(1), person(2, recruits=True)])
    assert outcome.proposals == [Proposal(1, 1, "ambassador"), Proposal(1, 2, "recruiter")]


def test_plan_never_proposes_someone_who_declined() -> None:
    _, outcome = solve([event(1, at(3, 10), excluded=frozenset({1}))], [person(1), person(2)])
    assert outcome.proposals == [Proposal(1, 2, "ambassador")]


def test_plan_beats_greedy_when_one_person_meets_two_needs() -> None:
    # One place, wanting a BPA member and an Urdu speaker. Greedy meets the Urdu need first
    # with the lowest id (person 1, Urdu only) and has no place left for the BPA; the best
    # plan sends person 3, who is both.
    stand = event(1, at(3, 10), ambassadors=1, networks=(BPA,), languages=("Urdu",))
    people = [
        person(1, languages=frozenset({"urdu"})),
        person(2, networks=frozenset({1})),
        person(3, networks=frozenset({1}), languages=frozenset({"urdu"})),
    ]
    instance, outcome = solve([stand], people)
    assert assess(instance, greedy_choices(instance)).priority == 1
    assert outcome.figures.priority == 0
    assert outcome.greedy.priority == 1
    assert outcome.proposals == [Proposal(1, 3, "ambassador")]


def test_plan_same_input_and_seed_gives_same_plan() -> None:
    events = [
        event(
            i,
            at(1 + i % 9, 9 + i % 5),
            place=(BACUP, NELSON, BURNLEY)[i % 3],
            networks=(BPA,) if i % 4 == 0 else (),
        )
        for i in range(1, 30)
    ]
    people = [
        person(
            100 + j,
            base=(BLACKBURN, BACUP, NELSON)[j % 3],
            networks=frozenset({1}) if j % 3 == 0 else frozenset(),
        )
        for j in range(12)
    ]
    first = solve(events, people, seed=7)[1]
    second = solve(events, people, seed=7)[1]
    assert first.proposals == second.proposals
    assert first.figures.tiers == second.figures.tiers


def test_plan_splits_independent_groups_into_components() -> None:
    leave_late = Away(at(10, 0), at(30, 0), "annual_leave")
    leave_early = Away(at(1, 0), at(10, 0), "annual_leave")
    events = [event(1, at(3, 10)), event(2, at(20, 10))]
    people = [person(1, away=(leave_late,)), person(2, away=(leave_early,))]
    instance, outcome = solve(events, people)
    assert instance.components == [[0], [1]]
    assert outcome.components == 2
    assert outcome.proposals == [Proposal(1, 1, "ambassador"), Proposal(2, 2, "ambassador")]


def test_plan_report_objective_bounds_for_optimal_plan() -> None:
    events = [event(i, at(i, 10), networks=(BPA,)) for i in (1, 2, 3, 4)]
    people = [person(1, networks=frozenset({1})), person(2, base=BURNLEY, networks=frozenset({1}))]
    _, outcome = solve(events, people)
    assert [(t.name, t.value == t.bound, t.proven) for t in outcome.tiers] == [
        ("priority", True, True),
        ("places", True, True),
        ("fairness", True, True),
        ("travel", True, True),
    ]
    assert outcome.gap == 0.0
    assert {(load.person_id, load.before, load.proposed) for load in outcome.loads} == {(1, 0, 2), (2, 0, 2)}


def test_least_gap_of_loads_within_ranges_and_a_sum() -> None:
    # Two people, three places to share: 2/1 at best.
    assert least_gap([(0, 5), (0, 5)], 3, 3) == 1
    # Four places: 2/2.
    assert least_gap([(0, 5), (0, 5)], 4, 4) == 0
    # Someone already holds 3 duties and the other can take at most one more: 3 − 1.
    assert least_gap([(3, 3), (0, 1)], 0, 10) == 2
    # A sum that need not be reached exactly: 2/2 out of at least 3, at most 4.
    assert least_gap([(0, 5), (0, 5)], 3, 4) == 0
    # Three people, seven places, nobody above 2: 3 + 2 + 2 is forced.
    assert least_gap([(0, 3), (0, 2), (0, 2)], 7, 7) == 1
    assert least_gap([], 0, 0) == 0


def test_fairness_floor_two_people_three_events_is_one_and_proves_the_split() -> None:
    # Three separate events of one place each, two interchangeable people: whatever the
    # plan, one takes two and the other one, so the gap is at least 1 (by hand) and the
    # floor proves the 2/1 split optimal on its own.
    events = [event(i, at(i, 10)) for i in (1, 2, 3)]
    people = [person(1), person(2, base=BURNLEY)]
    instance, outcome = solve(events, people)
    (component,) = instance.components
    model = ComponentModel(instance, component, set(range(len(instance.pairs))))
    assert model.group_floors(0, 0) == [1]
    # With one place allowed unmet, two places could split 1/1: no floor.
    assert model.group_floors(0, 1) == [0]
    assert sorted(loads(outcome.proposals).values()) == [1, 2]
    fairness = outcome.tiers[2]
    assert (fairness.name, fairness.value, fairness.bound, fairness.proven) == ("fairness", 1, 1, True)


def test_fairness_floor_of_a_network_counts_its_needs() -> None:
    # Two members of a network, three events each lacking one member, nobody else: the
    # network's group (and the whole group) must carry three duties between two people.
    events = [event(i, at(i, 10), networks=(BPA,)) for i in (1, 2, 3)]
    people = [person(1, networks=frozenset({1})), person(2, base=BURNLEY, networks=frozenset({1}))]
    instance, outcome = solve(events, people)
    (component,) = instance.components
    model = ComponentModel(instance, component, set(range(len(instance.pairs))))
    assert [(g.network, f) for g, f in zip(model.groups, model.group_floors(0, 0), strict=True)] == [
        (None, 1),
        (1, 1),
    ]
    assert outcome.tiers[2].value == outcome.tiers[2].bound == 2


def test_one_group_proof_bounds_a_gap_counting_cannot() -> None:
    # Events 1 and 2 run at the same time; 3 and 4 on days person 2 is on leave. Counting
    # alone allows a 2/2 split (4 places, person 2 has two events open), but person 2 can do
    # only one of the clashing pair, so every full plan is 3/1: the least gap is 2 (by hand).
    leave = Away(at(3, 0), at(5, 0), "annual_leave")
    events = [event(1, at(2, 10)), event(2, at(2, 10)), event(3, at(3, 10)), event(4, at(4, 10))]
    people = [person(1), person(2, away=(leave,))]
    instance, outcome = solve(events, people)
    assert sorted(loads(outcome.proposals).values()) == [1, 3]
    (component,) = instance.components
    model = ComponentModel(instance, component, set(range(len(instance.pairs))))
    model.model.add(model.tiers[1] <= 0)  # every place filled, as the plan does
    model.add_fairness_floor(0, 0)
    assert model.group_floor == [0]  # counting proves nothing here

    wanted = {(0, 0), (0, 2), (0, 3), (1, 1)}  # (person, event) indices: 3/1
    chosen = [
        (i, "ambassador") for i, pair in enumerate(instance.pairs) if (pair.person, pair.event) in wanted
    ]
    assert model.group_gaps(chosen) == [2]
    prove_group_gaps(model, chosen, seconds=5, seed=0, threads=1)

    assert model.group_floor == [2] and model.floors[2] == 2
    fairness = outcome.tiers[2]
    assert (fairness.value, fairness.bound, fairness.proven) == (2, 2, True)
