"""The simple baseline: least-loaded eligible person first.

It is what a careful sergeant does by hand — the scarce needs (networks, languages) of
every event first, then the plain counts, each time picking whoever has done least this
month (then the nearest). The solver starts from this plan and must never do worse on
what the objective ranks first. Whether a choice is allowed is the rules' to say
(``Tally.fits``); the order is greedy's own.
"""

from collections.abc import Sequence

from app.staffing.instance import Instance, Proposal
from app.staffing.rules import AMBASSADOR, NEEDS, RECRUITER, Choice, NeedUnit
from app.staffing.tally import Tally


def greedy_choices(
    instance: Instance,
    *,
    start: Sequence[Choice] = (),
    events: Sequence[int] | None = None,
    priority: bool = True,
) -> list[Choice]:
    """The baseline plan as (pair index, role) choices.

    ``start`` are choices already made (e.g. the solver's answer for the scarce needs),
    completed here; ``events`` limits the plan to some events; ``priority=False`` skips the
    first pass.
    """
    return list(greedy_tally(instance, start=start, events=events, priority=priority).chosen.items())


def greedy_tally(
    instance: Instance,
    *,
    start: Sequence[Choice] = (),
    events: Sequence[int] | None = None,
    priority: bool = True,
) -> Tally:
    """The baseline plan with greedy's own bookkeeping of it (see ``greedy_choices``)."""
    tally = Tally(instance, start)
    order = range(len(instance.events)) if events is None else sorted(events)
    # Pass 1: every event's network minimums and wanted languages, the scarcest first (the
    # fewest people who could meet it), so a rare language is not spent on an easy need.
    if priority:
        units = [unit for e in order for unit in NEEDS.units(instance, e)]
        scarcity = {unit: len(NEEDS.serving(instance, unit)) for unit in units}
        for unit in sorted(units, key=lambda u: (scarcity[u], u.event, _kind(u), str(u.key))):
            while NEEDS.met(tally, unit) < unit.lacking:
                best = _best(tally, unit.event, unit=unit)
                if best is None:
                    break
                tally.add(*best)
    # Pass 2: the remaining places, recruiter places (the scarcer role) first.
    for role in (RECRUITER, AMBASSADOR):
        for e in order:
            while _wanted(instance, e, role) > tally.added[role][e]:
                best = _best(tally, e, role=role)
                if best is None:
                    break
                tally.add(*best)
    return tally


def _kind(unit: NeedUnit) -> str:
    return "network" if isinstance(unit.key, int) else "language"


def _wanted(instance: Instance, event: int, role: str) -> int:
    lacking = instance.shortfall[event]
    return lacking.ambassadors if role == AMBASSADOR else lacking.recruiters


def _best(
    tally: Tally, event: int, *, unit: NeedUnit | None = None, role: str | None = None
) -> Choice | None:
    """The least-loaded person the rules allow on the event: one who meets ``unit`` (in any
    role with a seat left, extra ambassador seats included), or one for a ``role`` place."""
    instance = tally.instance
    month = instance.months[event]
    best: tuple[tuple[int, int, int, int], int, str] | None = None
    for index in instance.pairs_of_event[event]:
        pair = instance.pairs[index]
        person = instance.people[pair.person]
        if unit is not None and not NEEDS.meets(person, unit.key):
            continue
        roles = pair.roles if role is None else (role,)
        # Recruitment staff are kept for recruiter places (the scarcer role) unless nobody
        # else can take the place; then the least loaded this month, then the nearest.
        rank = (tally.load[(pair.person, month)], pair.km, person.person_id)
        if best is not None and (int(person.can_recruit and RECRUITER not in roles), *rank) >= best[0]:
            continue  # not better whichever role it took
        seat = next((r for r in roles if tally.fits(index, r)), None)
        if seat is None:
            continue
        key = (int(seat == AMBASSADOR and person.can_recruit), *rank)
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
