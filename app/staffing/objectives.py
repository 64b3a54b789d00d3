"""What a plan is ranked by, in order, and the two objectives that are not also rules.

``Tier`` names the four figures. The first two are measured by rules (``rules.Needs``:
network and language needs unmet; ``rules.Seats``: places unmet), from the one definition
of what an event lacks (``app.events.staffing.Shortfall``). Fairness and travel are here:
each says how it enters the CP-SAT model (``express``) and how it measures a plan
(``measure``, from a ``tally.Tally``).
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from app.staffing.instance import Instance
    from app.staffing.model import ModelBuild
    from app.staffing.tally import Tally


class Tier(IntEnum):
    """The figures a plan is ranked by, lexicographically, first to last."""

    PRIORITY = 0  # network and language needs unmet
    PLACES = 1  # ambassador and recruiter places unmet
    FAIRNESS = 2  # load gaps, summed over groups
    TRAVEL = 3  # kilometres from base to venue

    @property
    def word(self) -> str:
        """The tier's name in reports and the API (``priority``, ``places``, …)."""
        return self.name.lower()

    @property
    def words(self) -> str:
        return TIER_WORDS[self.word]


TIER_WORDS = {
    "priority": "network and language needs unmet",
    "places": "ambassador and recruiter places unmet",
    "fairness": "load gap (most − least loaded, overall and per network, summed over months)",
    "travel": "travel (km from base to venue)",
}


@dataclass(frozen=True)
class FairnessGroup:
    """People whose loads in one month are compared: everyone who could take a place on a
    component's events that month, or (``network`` set) those of them in one network."""

    month: str
    network: int | None
    people: tuple[int, ...]  # indices into Instance.people


@dataclass
class Gaps:
    """A plan's fairness in detail: the figure, and its worst gaps."""

    total: int
    worst: int
    worst_network: int
    by_network: dict[int, int]


class Fairness:
    """For every month and group of people who could take the same places, the gap between
    the most and the least loaded (duties held before the plan included), summed."""

    name = "fairness"
    tier = Tier.FAIRNESS

    def groups(self, instance: "Instance", events: Sequence[int]) -> list[FairnessGroup]:
        """For each month of these events: everyone who could take one, and each network's."""
        key = ("groups", tuple(events))
        if key not in instance.cache:
            instance.cache[key] = self._groups(instance, events)
        return list(instance.cache[key])

    @staticmethod
    def _groups(instance: "Instance", events: Sequence[int]) -> list[FairnessGroup]:
        people_by_month: dict[str, set[int]] = defaultdict(set)
        for e in events:
            for index in instance.pairs_of_event[e]:
                people_by_month[instance.months[e]].add(instance.pairs[index].person)
        groups: list[FairnessGroup] = []
        for month in sorted(people_by_month):
            members = sorted(people_by_month[month])
            if len(members) >= 2:
                groups.append(FairnessGroup(month, None, tuple(members)))
            by_network: dict[int, list[int]] = defaultdict(list)
            for p in members:
                for network in instance.people[p].networks:
                    by_network[network].append(p)
            for network in sorted(by_network):
                if len(by_network[network]) >= 2:
                    groups.append(FairnessGroup(month, network, tuple(by_network[network])))
        return groups

    def links(self, instance: "Instance") -> Iterator[Sequence[int]]:
        """Events one person could take in one month share that person's place in a group."""
        for indices in instance.pairs_of_person:
            by_month: dict[str, list[int]] = defaultdict(list)
            for index in indices:
                e = instance.pairs[index].event
                by_month[instance.months[e]].append(e)
            yield from by_month.values()

    def express(self, build: "ModelBuild") -> None:
        """For each group, high ≥ every member's load ≥ low; the figure is Σ (high − low)."""
        instance, model = build.instance, build.model
        build.groups = self.groups(instance, build.events)
        for g, group in enumerate(build.groups):
            # Someone with no candidate place here still counts, at the load they already have.
            members = [build.load_of(p, group.month) for p in group.people]
            domains = [
                build.counts.range_of((p, group.month), instance.pinned[(p, group.month)])
                for p in group.people
            ]
            high = model.new_int_var(max(d[0] for d in domains), max(d[1] for d in domains), f"hi{g}")
            low = model.new_int_var(min(d[0] for d in domains), min(d[1] for d in domains), f"lo{g}")
            for member in members:
                model.add(high >= member)
                model.add(low <= member)
            build.terms[Tier.FAIRNESS].append(high - low)
            build.highs.append(high)
            build.lows.append(low)

    def gap(self, tally: "Tally", group: FairnessGroup) -> int:
        loads = [tally.load[(p, group.month)] for p in group.people]
        return max(loads) - min(loads)

    def measure(self, tally: "Tally", components: Sequence[Sequence[int]]) -> Gaps:
        gaps = Gaps(0, 0, 0, {})
        for component in components:
            for group in self.groups(tally.instance, component):
                gap = self.gap(tally, group)
                gaps.total += gap
                if group.network is None:
                    gaps.worst = max(gaps.worst, gap)
                else:
                    gaps.worst_network = max(gaps.worst_network, gap)
                    gaps.by_network[group.network] = max(gaps.by_network.get(group.network, 0), gap)
        return gaps


class Travel:
    """Kilometres from each proposed person's base to the venue, summed (``instance.travel_km``)."""

    name = "travel"
    tier = Tier.TRAVEL

    def express(self, build: "ModelBuild") -> None:
        pairs = build.instance.pairs
        charged = [(lit, pairs[index].km) for (index, _), lit in build.lits.items() if pairs[index].km]
        build.terms[Tier.TRAVEL].append(
            cp_model.LinearExpr.weighted_sum([lit for lit, _ in charged], [km for _, km in charged])
        )

    def measure(self, tally: "Tally") -> int:
        pairs = tally.instance.pairs
        return sum(pairs[index].km for index in tally.chosen)


FAIRNESS = Fairness()
TRAVEL = Travel()
