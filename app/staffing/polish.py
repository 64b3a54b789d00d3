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
    allowed: set[int] | None = None,
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
            leaving = instance.people[pairs[old].person]
            old_key = (pairs[old].person, month)
            base_unmet = plan.priority_unmet(event, plan.networks[event], plan.languages[event])
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
                joining = instance.people[pair.person]
                networks = Counter(plan.networks[event])
                networks.subtract(leaving.networks)
                networks.update(joining.networks)
                languages = Counter(plan.languages[event])
                languages.subtract(leaving.languages)
                languages.update(joining.languages)
                if plan.priority_unmet(event, networks, languages) > base_unmet:
                    continue
                plan.move(old, new)
                del current[old]
                current[new] = role
                improved = True
                break
        if not improved:
            break
    return sorted(current.items())


def balance(
    instance: Instance,
    choices: Sequence[Choice],
    *,
    events: Sequence[int],
    groups: Sequence[tuple[str, list[int]]],
    network_groups: set[int] | frozenset[int] = frozenset(),
    deadline: float | None = None,
    max_moves: int = 2000,
) -> list[Choice]:
    """Lower the worst load gap, then the worst gap in a network, then the sum of gaps.

    A move takes one place from a person at a group's highest load: either straight to
    someone at least two places lighter who could take it (same event, same role), or by a
    chain of two — a third person takes that place and hands one of theirs to the lighter
    one. Who could take what comes from the instance's pairs and conflicts (the booking
    rules), monthly limits are kept, and no move may leave a network or language need of
    either event unmet that was met. A move is kept when it lowers (worst gap, worst gap in
    a network, sum of gaps, sum of squared loads, travel) — the squares walk across the
    plateaus where one move cannot yet lower a max − min gap. Deterministic: candidates
    are tried in order of ids, the first improving move is taken.
    """
    plan = _Plan(instance, events, groups)
    plan.start(choices)
    current = {index: role for index, role in choices}
    pairs = instance.pairs
    people = instance.people
    alternatives: dict[int, list[int]] = {
        e: sorted(instance.pairs_of_event[e], key=lambda i: people[pairs[i].person].person_id) for e in events
    }
    holder: dict[tuple[int, int], int] = {(pairs[i].event, pairs[i].person): i for i in current}

    def gaps_after(changes: dict[tuple[int, str], int]) -> tuple[int, int, int]:
        touched: set[int] = set()
        for key in changes:
            touched.update(plan.groups_of.get(key, ()))
        worst = network = total = 0
        for g, (month, members) in enumerate(groups):
            if g in touched:
                levels = [plan.load[(p, month)] + changes.get((p, month), 0) for p in members]
                gap = max(levels) - min(levels)
            else:
                counts = plan.counts[g]
                gap = max(counts) - min(counts) if counts else 0
            total += gap
            if g in network_groups:
                network = max(network, gap)
            else:
                worst = max(worst, gap)
        return worst, network, total

    def needs_kept(event: int, leaving: int, joining: int) -> bool:
        base = plan.priority_unmet(event, plan.networks[event], plan.languages[event])
        networks = Counter(plan.networks[event])
        networks.subtract(people[leaving].networks)
        networks.update(people[joining].networks)
        languages = Counter(plan.languages[event])
        languages.subtract(people[leaving].languages)
        languages.update(people[joining].languages)
        return plan.priority_unmet(event, networks, languages) <= base

    def can_take(new: int, role: str, event: int, giving_up: int | None = None) -> bool:
        pair = pairs[new]
        if role not in pair.roles or pair.person in plan.on_event[event]:
            return False
        busy = plan.busy[pair.person]
        if giving_up is not None:
            busy = busy - {giving_up}
        return instance.conflicts[event].isdisjoint(busy)

    def room(person: int, month: str) -> bool:
        key = (person, month)
        return plan.load[key] - instance.pinned[key] < instance.capacity[key]

    def replace(old: int, new: int) -> None:
        role = current.pop(old)
        del holder[(pairs[old].event, pairs[old].person)]
        plan.move(old, new)
        current[new] = role
        holder[(pairs[new].event, pairs[new].person)] = new

    for _ in range(max_moves):
        if deadline is not None and time.perf_counter() > deadline:
            break
        score = (*gaps_after({}), 0, 0)
        # The people at some group's highest and lowest load, where that group's gap is 2+.
        heavy: set[tuple[int, str]] = set()
        light: set[tuple[int, str]] = set()
        for g, (month, members) in enumerate(groups):
            counts = plan.counts[g]
            if not counts or max(counts) - min(counts) < 2:
                continue
            top, bottom = max(counts), min(counts)
            for p in members:
                if plan.load[(p, month)] == top:
                    heavy.add((p, month))
                elif plan.load[(p, month)] == bottom:
                    light.add((p, month))
        if not heavy:
            break
        light_people = {p for p, _ in light}
        found: tuple[tuple[int, int, int, int, int], list[tuple[int, int]]] | None = None
        for old in sorted(current, key=lambda i: (people[pairs[i].person].person_id, pairs[i].event)):
            if deadline is not None and time.perf_counter() > deadline:
                break
            e1 = pairs[old].event
            month = instance.months[e1]
            a = pairs[old].person
            if (a, month) not in heavy:
                continue
            la = plan.load[(a, month)]
            role = current[old]
            for new in alternatives[e1]:
                c = pairs[new].person
                if c == a or not can_take(new, role, e1) or not needs_kept(e1, a, c):
                    continue
                lc = plan.load[(c, month)]
                if lc <= la - 2 and room(c, month):
                    # Straight move: a → c.
                    worst, network, total = gaps_after({(a, month): -1, (c, month): +1})
                    squares = 2 * (lc - la) + 2
                    candidate = (worst, network, total, squares, pairs[new].km - pairs[old].km)
                    if candidate < score and (found is None or candidate < found[0]):
                        found = (candidate, [(old, new)])
                if c in light_people:
                    continue
                # Chain: c takes e1 and hands one of their places (e2) to a light person b.
                for e2 in sorted(plan.busy[c]):
                    if instance.months[e2] != month or e2 == e1:
                        continue
                    held = holder[(e2, c)]
                    role2 = current[held]
                    if not instance.conflicts[e1].isdisjoint(plan.busy[c] - {e2}):
                        continue
                    for new2 in alternatives[e2]:
                        b = pairs[new2].person
                        if b not in light_people or b in (a, c) or (b, month) not in light:
                            continue
                        lb = plan.load[(b, month)]
                        if lb > la - 2 or not room(b, month):
                            continue
                        if not can_take(new2, role2, e2) or not needs_kept(e2, c, b):
                            continue
                        worst, network, total = gaps_after({(a, month): -1, (b, month): +1})
                        squares = 2 * (lb - la) + 2
                        km = pairs[new].km - pairs[old].km + pairs[new2].km - pairs[held].km
                        candidate = (worst, network, total, squares, km)
                        if candidate < score and (found is None or candidate < found[0]):
                            found = (candidate, [(old, new), (held, new2)])
            if found is not None:
                break
        if found is None:
            break
        for old, new in found[1]:
            replace(old, new)
    return sorted(current.items())
