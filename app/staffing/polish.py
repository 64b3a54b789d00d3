"""Local search between the greedy plan and the solver: hand a place to someone else.

One move: on one event, the person in a place is replaced by another who could take the
same role there (as the rules allow: ``Tally.fits``). A move is kept when it keeps every
network and language need the event had met, and makes the plan fairer (the sum of load
gaps falls) or, as fair, shorter in travel. It costs little and gives CP-SAT a far better
starting plan than the greedy one, which matters because CP-SAT's bound on a max − min gap
is weak and its search from a poor start is slow. Deterministic: moves are tried in a
fixed order, for a fixed number of rounds.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Sequence

from app.staffing.instance import Instance
from app.staffing.objectives import FairnessGroup
from app.staffing.rules import Choice
from app.staffing.tally import Tally


class _Levels:
    """How many members of each fairness group sit at each load: a group's gap, and how a
    move would change it, without scanning the group."""

    def __init__(self, tally: Tally, groups: Sequence[FairnessGroup]) -> None:
        self.tally = tally
        self.groups_of: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.counts: list[Counter[int]] = []
        for g, group in enumerate(groups):
            for p in group.people:
                self.groups_of[(p, group.month)].append(g)
            self.counts.append(Counter(tally.load[(p, group.month)] for p in group.people))

    def gap_change(self, leaving: tuple[int, str], joining: tuple[int, str]) -> int:
        """How the sum of group gaps changes when one load moves from ``leaving`` to ``joining``."""
        load = self.tally.load
        change = 0
        out_groups = self.groups_of.get(leaving, ())
        in_groups = self.groups_of.get(joining, ())
        for g in set(out_groups).union(in_groups):
            counts = dict(self.counts[g])
            before = max(counts) - min(counts)
            if g in out_groups:
                counts[load[leaving]] -= 1
                counts[load[leaving] - 1] = counts.get(load[leaving] - 1, 0) + 1
            if g in in_groups:
                counts[load[joining]] -= 1
                counts[load[joining] + 1] = counts.get(load[joining] + 1, 0) + 1
            levels = [k for k, v in counts.items() if v > 0]
            change += (max(levels) - min(levels)) - before
        return change

    def moved(self, key: tuple[int, str], step: int) -> None:
        """Record that ``key``'s load is about to change by ``step``."""
        level = self.tally.load[key]
        for g in self.groups_of.get(key, ()):
            self.counts[g][level] -= 1
            self.counts[g][level + step] += 1
            if self.counts[g][level] == 0:
                del self.counts[g][level]


def polish(
    instance: Instance,
    choices: Sequence[Choice],
    *,
    events: Sequence[int],
    groups: Sequence[FairnessGroup],
    rounds: int = 8,
    deadline: float | None = None,
) -> list[Choice]:
    """Improve fairness, then travel, by replacing people one place at a time (until ``deadline``)."""
    tally = Tally(instance, choices)
    levels = _Levels(tally, groups)
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
        movable = [i for i in tally.chosen if pairs[i].event in alternatives]
        for old in sorted(movable, key=lambda i: (pairs[i].event, pairs[i].person)):
            if deadline is not None and time.perf_counter() > deadline:
                return tally.choices()
            role = tally.chosen[old]
            event = pairs[old].event
            month = instance.months[event]
            old_key = (pairs[old].person, month)
            needs_unmet = tally.lacking(event).needs
            for new in alternatives[event]:
                pair = pairs[new]
                new_key = (pair.person, month)
                # Only a nearer person, or a less loaded one, can make the plan better.
                if pair.km >= pairs[old].km and tally.load[new_key] + 1 >= tally.load[old_key]:
                    continue
                if not tally.fits(new, role, replacing=old):
                    continue
                gap = levels.gap_change(old_key, new_key)
                # Ties on the gap are broken by the spread of loads (a sum of squares falls
                # when a place moves from someone busier to someone less busy), which walks
                # the plan across the plateaus a max − min objective is full of.
                spread = tally.load[new_key] + 1 - tally.load[old_key]
                if (gap, spread, pair.km - pairs[old].km) >= (0, 0, 0):
                    continue
                if tally.needs_unmet_if(event, pairs[old].person, pair.person) > needs_unmet:
                    continue
                levels.moved(old_key, -1)
                levels.moved(new_key, +1)
                tally.remove(old)
                tally.add(new, role)
                improved = True
                break
        if not improved:
            break
    return tally.choices()
