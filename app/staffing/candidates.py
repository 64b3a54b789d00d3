"""Which pairs a model considers: the one place that chooses candidates.

The model of every pair is too large to search well, so each model holds the nearest few
people for each place and need (``for_places``), or everyone who could meet a need
(``for_needs``), and always the plan it starts from.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from app.staffing.instance import Instance
from app.staffing.rules import NEEDS, ROLES, SEATS


def nearest(instance: Instance, indices: Iterable[int], count: int | None) -> list[int]:
    """The ``count`` pairs (all if None) whose person is nearest the venue, ties by person id."""
    pairs, people = instance.pairs, instance.people
    ordered = sorted(indices, key=lambda i: (pairs[i].km, people[pairs[i].person].person_id))
    return ordered if count is None else ordered[:count]


def for_needs(
    instance: Instance, events: Sequence[int], *, per_need: int | None = None, keep: Iterable[int] = ()
) -> set[int]:
    """For each network or language need, the nearest ``per_need`` people per unit lacking
    who could meet it (everyone if None), and ``keep``."""
    chosen = set(keep)
    for e in events:
        for unit in NEEDS.units(instance, e):
            count = None if per_need is None else per_need * unit.lacking
            chosen.update(nearest(instance, NEEDS.serving(instance, unit), count))
    return chosen


def for_places(
    instance: Instance, events: Sequence[int], *, per_place: int, per_person: int, keep: Iterable[int]
) -> set[int]:
    """For every place and need, the nearest ``per_place`` people per place who could take
    it; for every person their nearest ``per_person`` events each month (so anyone can still
    be given work); and ``keep`` (the plan a model starts from)."""
    pairs = instance.pairs
    chosen = for_needs(instance, events, per_need=per_place, keep=keep)
    by_person_month: dict[tuple[int, str], list[int]] = defaultdict(list)
    for e in events:
        indices = instance.pairs_of_event[e]
        for index in indices:
            by_person_month[(pairs[index].person, instance.months[e])].append(index)
        for role in ROLES:
            fitting = [i for i in indices if role in pairs[i].roles]
            chosen.update(nearest(instance, fitting, per_place * max(1, SEATS.seats(instance, e, role))))
    for indices in by_person_month.values():
        indices.sort(key=lambda i: (pairs[i].km, instance.events[pairs[i].event].event_id))
        chosen.update(indices[:per_person])
    return chosen
