"""Local search between the greedy plan and the solver: hand a place to someone else.

One move: on one event, the person in a place is replaced by another who could take the
same role there. A move is kept when it keeps every network and language need the event
had met, and makes the plan fairer (the sum of load gaps falls) or, as fair, shorter in
travel. It costs little and gives CP-SAT a far better starting plan than the greedy one,
which matters because CP-SAT's bound on a max − min gap is weak and its search from a poor
start is slow. Deterministic: moves are tried in a fixed order, for a fixed number of rounds.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Sequence

from app.staffing.instance import Instance

Choice = tuple[int, str]


class _Plan:
    def __init__(
        self, instance: Instance, events: Sequence[int], groups: Sequence[tuple[str, list[int]]]
    ) -> None:
        self.instance = instance
        self.events = set(events)
        self.load = dict(instance.pinned)
        self.busy: dict[int, set[int]] = defaultdict(set)  # person → events they hold here
        self.on_event: dict[int, set[int]] = defaultdict(set)  # event → people proposed
        self.networks: list[Counter[int]] = [Counter() for _ in instance.events]
        self.languages: list[Counter[str]] = [Counter() for _ in instance.events]
        self.groups_of: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.counts: list[Counter[int]] = []
        for g, (month, members) in enumerate(groups):
            for p in members:
                self.groups_of[(p, month)].append(g)
            self.counts.append(Counter())
        self.group_members = groups

    def start(self, choices: Sequence[Choice]) -> None:
        for index, _ in choices:
            self._apply(index, +1)
        for g, (month, members) in enumerate(self.group_members):
            self.counts[g] = Counter(self.load[(p, month)] for p in members)

    def _apply(self, index: int, sign: int) -> None:
        instance = self.instance
        pair = instance.pairs[index]
        person = instance.people[pair.person]
        self.load[(pair.person, instance.months[pair.event])] += sign
        if sign > 0:
            self.busy[pair.person].add(pair.event)
            self.on_event[pair.event].add(pair.person)
        else:
            self.busy[pair.person].discard(pair.event)
            self.on_event[pair.event].discard(pair.person)
        for network in person.networks:
            self.networks[pair.event][network] += sign
        for language in person.languages:
            self.languages[pair.event][language] += sign

    def priority_unmet(self, event: int, networks: Counter[int], languages: Counter[str]) -> int:
        need = self.instance.residual[event]
        unmet = sum(max(0, lacking - networks[n]) for n, lacking in need.networks.items())
        return unmet + sum(1 for lang in need.languages if languages[lang.casefold()] <= 0)

    def unmet(self, event: int) -> int:
        return self.priority_unmet(event, self.networks[event], self.languages[event])

    def unmet_if_replaced(self, event: int, leaving: int, joining: int) -> int:
        """The event's network and language units unmet if person ``joining`` took person
        ``leaving``'s place on it (``unmet``: as it is)."""
        out, into = self.instance.people[leaving], self.instance.people[joining]
        networks = Counter(self.networks[event])
        networks.subtract(out.networks)
        networks.update(into.networks)
        languages = Counter(self.languages[event])
        languages.subtract(out.languages)
        languages.update(into.languages)
        return self.priority_unmet(event, networks, languages)

    def gap_change(self, leaving: tuple[int, str], joining: tuple[int, str]) -> int:
        """How the sum of group gaps changes when one load moves from ``leaving`` to ``joining``."""
        change = 0
        out_groups = self.groups_of.get(leaving, ())
        in_groups = self.groups_of.get(joining, ())
        for g in set(out_groups).union(in_groups):
            counts = dict(self.counts[g])
            before = max(counts) - min(counts)
            if g in out_groups:
                level = self.load[leaving]
                counts[level] -= 1
                counts[level - 1] = counts.get(level - 1, 0) + 1
            if g in in_groups:
                level = self.load[joining]
                counts[level] -= 1
                counts[level + 1] = counts.get(level + 1, 0) + 1
            levels = [k for k, v in counts.items() if v > 0]
            change += (max(levels) - min(levels)) - before
        return change

    def move(self, old: int, new: int) -> None:
        instance = self.instance
        old_key = (instance.pairs[old].person, instance.months[instance.pairs[old].event])
        new_key = (instance.pairs[new].person, instance.months[instance.pairs[new].event])
        for key, step in ((old_key, -1), (new_key, +1)):
            for g in self.groups_of.get(key, []):
                self.counts[g][self.load[key]] -= 1
                self.counts[g][self.load[key] + step] += 1
                if self.counts[g][self.load[key]] == 0:
                    del self.counts[g][self.load[key]]
        self._apply(old, -1)
        self._apply(new, +1)


def polish(
    instance: Instance,
    choices: Sequence[Choice],
    *,
    events: Sequence[int],
    groups: Sequence[tuple[str, list[int]]],
    rounds: int = 8,
    deadline: float | None = None,
) -> list[Choice]:
    """Improve fairness, then travel, by replacing people one place at a time (until ``deadline``)."""
    plan = _Plan(instance, events, groups)
    plan.start(choices)
    current = {index: role for index, role in choices}
    pairs = instance.pairs
    alternatives: dict[int, list[int]] = {
        e: sorted(
            instance.pairs_of_event[e],
            key=lambda i: (pairs[i].km, instance.people[pairs[i].person].person_id),
        )
        for e in events
    }
    for _ in range(rounds):
        improved = False
        for old in sorted(current, key=lambda i: (pairs[i].event, pairs[i].person)):
            if deadline is not None and time.perf_counter() > deadline:
                return sorted(current.items())
            role = current[old]
            event = pairs[old].event
            month = instance.months[event]
            old_key = (pairs[old].person, month)
            base_unmet = plan.unmet(event)
            for new in alternatives[event]:
                pair = pairs[new]
                if role not in pair.roles or pair.person in plan.on_event[event]:
                    continue
                new_key = (pair.person, month)
                if plan.load[new_key] - instance.pinned[new_key] >= instance.capacity[new_key]:
                    continue
                # Only a nearer person, or a less loaded one, can make the plan better.
                if pair.km >= pairs[old].km and plan.load[new_key] + 1 >= plan.load[old_key]:
                    continue
                if not instance.conflicts[event].isdisjoint(plan.busy[pair.person]):
                    continue
                gap = plan.gap_change(old_key, new_key)
                # Ties on the gap are broken by the spread of loads (a sum of squares falls
                # when a place moves from someone busier to someone less busy), which walks
                # the plan across the plateaus a max − min objective is full of.
                spread = plan.load[new_key] + 1 - plan.load[old_key]
                if (gap, spread, pair.km - pairs[old].km) >= (0, 0, 0):
                    continue
                if plan.unmet_if_replaced(event, pairs[old].person, pair.person) > base_unmet:
                    continue
                plan.move(old, new)
                del current[old]
                current[new] = role
                improved = True
                break
        if not improved:
            break
    return sorted(current.items())
