"""What a plan achieves, measured from its choices alone (never from a solver): the four
figures, each person's load, and each event's staffing state in the event page's words.

Every figure is taken from the unit that defines it (``rules.Needs``, ``rules.Seats``,
``objectives.Fairness``, ``objectives.Travel``) over a ``tally.Tally`` of the plan.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.events.staffing import StaffingState, TeamMember, staffing_state
from app.staffing.instance import Instance, Proposal
from app.staffing.objectives import FAIRNESS, TRAVEL
from app.staffing.rules import NEEDS, SEATS, Choice
from app.staffing.tally import Tally


@dataclass
class Figures:
    """What a plan achieves, in the objective's terms and in the words of the report."""

    priority: int
    places: int
    fairness: int
    travel: int
    priority_needed: int
    places_needed: int
    places_filled: int
    proposed: int
    worst_gap: int
    worst_network_gap: int
    network_gaps: dict[int, int]

    @property
    def tiers(self) -> tuple[int, int, int, int]:
        return (self.priority, self.places, self.fairness, self.travel)


@dataclass
class Load:
    person_id: int
    name: str
    before: int
    proposed: int
    monthly_limit: int

    @property
    def after(self) -> int:
        return self.before + self.proposed


def assess(instance: Instance, choices: Iterable[Choice]) -> Figures:
    """The figures of a plan, computed directly from its choices."""
    tally = Tally(instance, choices)
    events = range(len(instance.events))
    places = SEATS.measure(tally, events)
    priority_needed = places_needed = 0
    for event in instance.events:
        priority_needed += sum(n.min_count for n in event.network_needs) + len(
            {lang.casefold() for lang in event.wanted_languages}
        )
        places_needed += event.ambassadors_needed + event.recruiters_needed
    gaps = FAIRNESS.measure(tally, instance.components)
    return Figures(
        priority=NEEDS.measure(tally, events),
        places=places,
        fairness=gaps.total,
        travel=TRAVEL.measure(tally),
        priority_needed=priority_needed,
        places_needed=places_needed,
        places_filled=places_needed - places,
        proposed=len(tally.chosen),
        worst_gap=gaps.worst,
        worst_network_gap=gaps.worst_network,
        network_gaps=gaps.by_network,
    )


def assess_component(
    instance: Instance, events: Sequence[int], choices: Iterable[Choice]
) -> tuple[int, int, int, int]:
    """The four figures of a plan within one component (its events and fairness groups)."""
    mine = set(events)
    tally = Tally(instance, (c for c in choices if instance.pairs[c[0]].event in mine))
    return (
        NEEDS.measure(tally, events),
        SEATS.measure(tally, events),
        FAIRNESS.measure(tally, [events]).total,
        TRAVEL.measure(tally),
    )


def loads_of(instance: Instance, choices: Iterable[Choice]) -> list[Load]:
    """Each person who could take a place, or holds one: duties in the plan's months, before and proposed."""
    proposed: dict[int, int] = defaultdict(int)
    for index, _ in choices:
        proposed[instance.pairs[index].person] += 1
    result = []
    months = instance.periods
    for p, person in enumerate(instance.people):
        before = sum(instance.pinned.get((p, m), 0) for m in months)
        if not instance.pairs_of_person[p] and not before:
            continue
        result.append(Load(person.person_id, person.name, before, proposed[p], person.schedule.monthly_limit))
    return result


def states_after(instance: Instance, choices: Iterable[Choice]) -> dict[int, StaffingState]:
    """Each event's staffing state with the proposal added, in the words the event page uses."""
    extra: dict[int, list[TeamMember]] = defaultdict(list)
    for index, role in choices:
        pair = instance.pairs[index]
        person = instance.people[pair.person]
        extra[pair.event].append(
            TeamMember(person.person_id, role, "proposed", person.networks, person.languages)
        )
    return {
        event.event_id: staffing_state(
            ambassadors_needed=event.ambassadors_needed,
            recruiters_needed=event.recruiters_needed,
            network_needs=event.network_needs,
            wanted_languages=event.wanted_languages,
            team=[*event.team, *extra[e]],
        )
        for e, event in enumerate(instance.events)
    }


def to_proposals(instance: Instance, choices: Iterable[Choice]) -> list[Proposal]:
    pairs = instance.pairs
    ordered = sorted(choices, key=lambda c: (pairs[c[0]].event, c[1], pairs[c[0]].person))
    return [
        Proposal(
            instance.events[pairs[i].event].event_id,
            instance.people[pairs[i].person].person_id,
            role,
        )
        for i, role in ordered
    ]
