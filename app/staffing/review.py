"""A plan as a coordinator reviews it: what it proposes, why, and how good it is.

Pure: the engine's outcome and the loaded events in, plain dataclasses out. A plan made in
the background is kept in its job's row as JSON (``to_json``) and read back for the review
page and the API (``from_json``), so the figures a person applies are the ones they saw.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from app.events.models import Event
from app.staffing import engine
from app.staffing.instance import travel_km


@dataclass
class ProposedAssignment:
    event_id: int
    event_title: str
    starts_at: datetime
    person_id: int
    person_name: str
    role: str
    travel_km: int
    assignment_id: int | None = None
    # Why this person, in the words the suggestions use (needs met, open places, distance, load).
    reasons: list[str] = field(default_factory=list)


@dataclass
class UnmetEvent:
    event_id: int
    title: str
    starts_at: datetime
    needs: list[str]


@dataclass
class ObjectiveFigure:
    name: str
    words: str
    value: int
    bound: int
    proven: bool
    gap: float


@dataclass
class Baseline:
    places_filled: int
    priority_unmet: int
    fairness: int
    worst_gap: int
    worst_network_gap: int
    travel_km: int


@dataclass
class LoadLine:
    person_id: int
    name: str
    before: int
    proposed: int
    after: int
    monthly_limit: int


@dataclass
class PlanReport:
    """What a plan proposes and how good it is, in the issue's terms."""

    scope: str
    campaign_id: int | None
    start: datetime | None
    end: datetime | None
    written: bool
    events: int
    people: int
    places_needed: int
    places_filled: int
    priority_needed: int
    priority_unmet: int
    proposed: int
    status: str
    gap: float
    objective: list[ObjectiveFigure]
    fairness: int
    worst_gap: int
    worst_network_gap: int
    network_gaps: dict[str, int]
    travel_km: int
    seconds: float
    time_limit: float
    seed: int
    components: int
    periods: list[str]
    variables: int
    pairs_considered: int
    pairs_total: int
    unmet: list[UnmetEvent]
    loads: list[LoadLine]
    assignments: list[ProposedAssignment]
    greedy: Baseline
    notes: list[str]
    stopped: bool = False


_REPORT = TypeAdapter(PlanReport)


def to_json(report: PlanReport) -> dict[str, Any]:
    """The report as JSON-ready data (instants as ISO 8601 UTC), for a job's row."""
    data: dict[str, Any] = _REPORT.dump_python(report, mode="json")
    return data


def from_json(data: dict[str, Any]) -> PlanReport:
    return _REPORT.validate_python(data)


def tier_words(name: str) -> str:
    """A figure's name in words ('places' → 'ambassador and recruiter places unmet')."""
    return str(engine.TIER_WORDS.get(name, name))


def build(
    *,
    scope: str,
    campaign_id: int | None,
    start: datetime | None,
    end: datetime | None,
    outcome: engine.Outcome,
    instance: Any,
    by_id: dict[int, Event],
    written: dict[tuple[int, int], int],
    dry_run: bool,
    network_names: dict[int, str],
    reasons: list[list[str]] | None = None,
) -> PlanReport:
    """The report of one plan; ``reasons`` line up with ``outcome.proposals``."""
    names = {p.person_id: p.name for p in instance.people}
    places = {e.event_id: e.place for e in instance.events}
    bases = {p.person_id: p.base for p in instance.people}
    f = outcome.figures
    notes = list(outcome.notes)
    if dry_run:
        notes.append("dry run: nothing was written")
    if outcome.pairs_considered < outcome.pairs_total:
        notes.append(
            "places, fairness and travel were optimised over each place's nearest candidates and "
            "everyone who meets a network or language need "
            f"({outcome.pairs_considered} of {outcome.pairs_total} possible person–event pairs); "
            "their bounds hold for that set"
        )
    why = reasons or [[] for _ in outcome.proposals]
    return PlanReport(
        scope=scope,
        campaign_id=campaign_id,
        start=start,
        end=end,
        written=bool(written),
        events=len(by_id),
        people=sum(1 for p in instance.pairs_of_person if p),
        places_needed=f.places_needed,
        places_filled=f.places_filled,
        priority_needed=f.priority_needed,
        priority_unmet=f.priority,
        proposed=len(outcome.proposals),
        status=outcome.status,
        gap=round(outcome.gap, 4),
        objective=[
            ObjectiveFigure(t.name, tier_words(t.name), t.value, t.bound, t.proven, round(t.gap, 4))
            for t in outcome.tiers
        ],
        fairness=f.fairness,
        worst_gap=f.worst_gap,
        worst_network_gap=f.worst_network_gap,
        network_gaps={network_names.get(n, f"network {n}"): gap for n, gap in sorted(f.network_gaps.items())},
        travel_km=f.travel,
        seconds=round(outcome.seconds, 3),
        time_limit=outcome.time_limit,
        seed=outcome.seed,
        components=outcome.components,
        periods=outcome.periods,
        variables=outcome.variables,
        pairs_considered=outcome.pairs_considered,
        pairs_total=outcome.pairs_total,
        unmet=[
            UnmetEvent(eid, by_id[eid].title, by_id[eid].starts_at, state.unmet)
            for eid, state in sorted(outcome.unmet.items(), key=lambda x: (by_id[x[0]].starts_at, x[0]))
        ],
        loads=[
            LoadLine(load.person_id, load.name, load.before, load.proposed, load.after, load.monthly_limit)
            for load in outcome.loads
        ],
        assignments=[
            ProposedAssignment(
                event_id=p.event_id,
                event_title=by_id[p.event_id].title,
                starts_at=by_id[p.event_id].starts_at,
                person_id=p.person_id,
                person_name=names.get(p.person_id, ""),
                role=p.role,
                travel_km=travel_km(bases[p.person_id], places[p.event_id]),
                assignment_id=written.get((p.event_id, p.person_id)),
                reasons=list(reason),
            )
            for p, reason in zip(outcome.proposals, why, strict=True)
        ],
        greedy=Baseline(
            places_filled=outcome.greedy.places_filled,
            priority_unmet=outcome.greedy.priority,
            fairness=outcome.greedy.fairness,
            worst_gap=outcome.greedy.worst_gap,
            worst_network_gap=outcome.greedy.worst_network_gap,
            travel_km=outcome.greedy.travel,
        ),
        notes=notes,
        stopped=outcome.stopped,
    )
