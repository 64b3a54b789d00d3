"""The simple baseline: least-loaded eligible person first.

It is what a careful sergeant does by hand — the scarce needs (networks, languages) of
every event first, then the plain counts, each time picking whoever has done least this
month (then the nearest). The solver starts from this plan and must never do worse on
what the objective ranks first.
"""

from collections import defaultdict
from collections.abc import Sequence

from app.staffing.instance import AMBASSADOR, RECRUITER, Instance, Pair, Proposal


class _State:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.load = dict(instance.pinned)
        self.left = dict(instance.capacity)
        self.taken: dict[int, set[int]] = defaultdict(set)
        self.added = {AMBASSADOR: [0] * len(instance.events), RECRUITER: [0] * len(instance.events)}
        self.covered_networks: list[dict[int, int]] = [defaultdict(int) for _ in instance.events]
        self.covered_languages: list[set[str]] = [set() for _ in instance.events]
        self.chosen: list[tuple[int, str]] = []  # (pair index, role)
        self.used_pairs: set[int] = set()

    def seat_for(self, pair: Pair, *, extra_ok: bool) -> str | None:
        """The role this pair would take now, or None if no fitting place is left."""
        need = self.instance.residual[pair.event]
        ambassador_cap = need.ambassador_seats if extra_ok else need.ambassadors
        if AMBASSADOR in pair.roles and self.added[AMBASSADOR][pair.event] < ambassador_cap:
            return AMBASSADOR
        if RECRUITER in pair.roles and self.added[RECRUITER][pair.event] < need.recruiters:
            return RECRUITER
        return None

    def free(self, index: int) -> bool:
        pair = self.instance.pairs[index]
        month = self.instance.months[pair.event]
        return (
            index not in self.used_pairs
            and self.left[(pair.person, month)] > 0
            and self.instance.conflicts[pair.event].isdisjoint(self.taken[pair.person])
        )

    def key(self, index: int, role: str | None) -> tuple[int, int, int, int]:
        """Least loaded this month first, then nearest; recruitment staff are kept for
        recruiter places (they are the scarcer role) unless nobody else can take the place."""
        pair = self.instance.pairs[index]
        person = self.instance.people[pair.person]
        spare_recruiter = int(role == AMBASSADOR and person.can_recruit)
        load = self.load[(pair.person, self.instance.months[pair.event])]
        return (spare_recruiter, load, pair.km, person.person_id)

    def place(self, index: int, role: str) -> None:
        pair = self.instance.pairs[index]
        person = self.instance.people[pair.person]
        month = self.instance.months[pair.event]
        self.load[(pair.person, month)] += 1
        self.left[(pair.person, month)] -= 1
        self.taken[pair.person].add(pair.event)
        self.added[role][pair.event] += 1
        for network in person.networks:
            self.covered_networks[pair.event][network] += 1
        self.covered_languages[pair.event].update(lang.casefold() for lang in person.languages)
        self.chosen.append((index, role))
        self.used_pairs.add(index)


def greedy_choices(
    instance: Instance,
    *,
    start: Sequence[tuple[int, str]] = (),
    events: Sequence[int] | None = None,
    priority: bool = True,
) -> list[tuple[int, str]]:
    """The baseline plan as (pair index, role) choices.

    ``start`` are choices already made (e.g. the solver's answer for the scarce needs),
    completed here; ``events`` limits the plan to some events; ``priority=False`` skips the
    first pass.
    """
    state = _State(instance)
    for index, role in start:
        state.place(index, role)
    order = range(len(instance.events)) if events is None else sorted(events)
    # Pass 1: every event's network minimums and wanted languages, the scarcest first (the
    # fewest people who could meet it), so a rare language is not spent on an easy need.
    if priority:
        wanted: list[tuple[int, int, int, str, int | str]] = []
        for e in order:
            need = instance.residual[e]
            for network, lacking in sorted(need.networks.items()):
                count = sum(
                    1
                    for i in instance.pairs_of_event[e]
                    if network in instance.people[instance.pairs[i].person].networks
                )
                wanted.append((count, e, lacking, "network", network))
            for language in need.languages:
                key = language.casefold()
                count = sum(
                    1
                    for i in instance.pairs_of_event[e]
                    if key in instance.people[instance.pairs[i].person].languages
                )
                wanted.append((count, e, 1, "language", key))
        for _, e, lacking, kind, what in sorted(wanted, key=lambda w: (w[0], w[1], w[3], str(w[4]))):
            if kind == "network":
                assert isinstance(what, int)
                while state.covered_networks[e][what] < lacking:
                    best = _best(state, e, network=what, extra_ok=True)
                    if best is None:
                        break
                    state.place(*best)
            elif str(what) not in state.covered_languages[e]:
                best = _best(state, e, language=str(what), extra_ok=True)
                if best is not None:
                    state.place(*best)
    # Pass 2: the remaining places, recruiter places (the scarcer role) first.
    for role in (RECRUITER, AMBASSADOR):
        for e in order:
            need = instance.residual[e]
            places = need.recruiters if role == RECRUITER else need.ambassadors
            while state.added[role][e] < places:
                best = _best(state, e, role=role, extra_ok=False)
                if best is None:
                    break
                state.place(*best)
    return state.chosen


def _best(
    state: _State,
    event: int,
    *,
    extra_ok: bool,
    network: int | None = None,
    language: str | None = None,
    role: str | None = None,
) -> tuple[int, str] | None:
    """The least-loaded free person for the event, optionally of a network, language or role."""
    instance = state.instance
    best: tuple[tuple[int, int, int, int], int, str] | None = None
    for index in instance.pairs_of_event[event]:
        pair = instance.pairs[index]
        person = instance.people[pair.person]
        if network is not None and network not in person.networks:
            continue
        if language is not None and language not in person.languages:
            continue
        if not state.free(index):
            continue
        if role is not None:
            need = instance.residual[event]
            cap = need.ambassadors if role == AMBASSADOR else need.recruiters
            if role not in pair.roles or state.added[role][event] >= cap:
                continue
            seat: str | None = role
        else:
            seat = state.seat_for(pair, extra_ok=extra_ok)
        if seat is None:
            continue
        key = state.key(index, seat)
        if best is None or key < best[0]:
            best = (key, index, seat)
    return None if best is None else (best[1], best[2])


def greedy(instance: Instance) -> list[Proposal]:
    """The baseline plan as proposals."""
    return [
        Proposal(
            instance.events[instance.pairs[i].event].event_id,
            instance.people[instance.pairs[i].person].person_id,
            role,
        )
        for i, role in greedy_choices(instance)
    ]
