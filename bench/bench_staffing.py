"""Benchmark: automatic staffing on generated forces, CP-SAT against the greedy baseline.

    .venv/bin/python bench/bench_staffing.py            # all four instances, table + JSON
    .venv/bin/python bench/bench_staffing.py --only a-loose --repeat 1

Instances (a) one month, 300 events, 200 people and (b) three months, 1,000 events, 500
people, each loose (about three times more capacity than demand) and tight (capacity barely
above demand, scarce networks and languages, many overlapping events). The generator is
seeded, so every run plans the same force. Each instance is solved ``--repeat`` times; the
table shows the median time and the figures of the median run (the machine is shared, so a
single time means little). Then each (b) instance once more with a longer limit
(``--proof-limit-b``, 120 s): how long a quarter takes to a proven plan. Results go to
bench/results/staffing.json.
"""

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.assignments.rules import Away, Schedule, Slot  # noqa: E402
from app.clock import from_london  # noqa: E402
from app.events.staffing import NetworkNeed, TeamMember  # noqa: E402
from app.staffing.engine import Outcome, plan  # noqa: E402
from app.staffing.greedy import greedy_choices  # noqa: E402
from app.staffing.instance import Place, PlanEvent, PlanPerson, build_instance  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "staffing.json"

TOWNS = {
    "Accrington": (53.7534, -2.3638),
    "Bacup": (53.7041, -2.2005),
    "Blackburn": (53.7486, -2.4875),
    "Burnley": (53.7893, -2.2405),
    "Darwen": (53.6980, -2.4610),
    "Nelson": (53.8346, -2.2180),
    "Rawtenstall": (53.7000, -2.2880),
    "Colne": (53.8560, -2.1760),
    "Clitheroe": (53.8711, -2.3916),
    "Haslingden": (53.7050, -2.3280),
    "Padiham": (53.7990, -2.3110),
    "Preston": (53.7632, -2.7031),
    "Chorley": (53.6530, -2.6320),
    "Leyland": (53.6970, -2.6880),
    "Lancaster": (54.0466, -2.8007),
    "Morecambe": (54.0690, -2.8610),
    "Blackpool": (53.8175, -3.0357),
    "Fleetwood": (53.9230, -3.0150),
    "Skelmersdale": (53.5500, -2.7760),
    "Ormskirk": (53.5665, -2.8869),
}
# (network id, name, share of people who opt in) — tight forces have scarcer networks.
NETWORKS = [
    (1, "Women's Network", 0.30),
    (2, "Black Police Association", 0.07),
    (3, "LGBT+ Network", 0.07),
    (4, "Disability Support Network", 0.05),
    (5, "Muslim Police Association", 0.05),
    (6, "Sikh Police Association", 0.02),
]
LANGUAGES = [("Urdu", 0.08), ("Punjabi", 0.06), ("Gujarati", 0.04), ("Polish", 0.03), ("Bengali", 0.02)]
SESSIONS = [
    ((10, 0), (17, 0), 0.4),
    ((10, 0), (13, 0), 0.2),
    ((13, 30), (16, 30), 0.2),
    ((15, 0), (19, 0), 0.2),
]


@dataclass(frozen=True)
class Spec:
    name: str
    events: int
    people: int
    first_month: date
    months: int
    tight: bool
    seed: int = 20270301


SPECS = [
    Spec("a-loose", 300, 200, date(2027, 3, 1), 1, False),
    Spec("a-tight", 300, 200, date(2027, 3, 1), 1, True),
    Spec("b-loose", 1000, 500, date(2027, 2, 1), 3, False),
    Spec("b-tight", 1000, 500, date(2027, 2, 1), 3, True),
]


def _weighted(rng: random.Random, options: list[tuple[Any, float]]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _jitter(rng: random.Random, town: str) -> tuple[float, float]:
    lat, lon = TOWNS[town]
    return lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.03, 0.03)


def _working_days(first: date, months: int) -> list[date]:
    days = []
    day = first
    end_month = (first.month - 1 + months) % 12 + 1
    end_year = first.year + (first.month - 1 + months) // 12
    end = date(end_year, end_month, 1)
    while day < end:
        if day.weekday() < 6:  # Monday to Saturday
            days.append(day)
        day += timedelta(days=1)
    return days


def generate(spec: Spec) -> tuple[list[PlanEvent], list[PlanPerson]]:
    """A force with venues, people, their leave and other duties, and events with needs."""
    rng = random.Random(f"{spec.seed}-{spec.name}")
    towns = list(TOWNS)
    venues = []
    for v in range(60):
        town = towns[v % len(towns)]
        lat, lon = _jitter(rng, town)
        venues.append((1000 + v, f"{town} venue {v // len(towns) + 1}", Place(town, lat, lon)))
    days = _working_days(spec.first_month, spec.months)
    # Tight forces hold their events on fewer days, so more of them overlap.
    if spec.tight:
        days = [d for d in days if d.weekday() in (1, 2, 3)]

    # Network and language needs in proportion to who can meet them: loose forces ask
    # about a third of what their members could give, tight ones nearly all of it.
    factor = 1.1 if spec.tight else 3.0
    scarcity = 0.5 if spec.tight else 1.0
    expected_places = 2.4 * spec.events / spec.months
    mean_limit = factor * expected_places / spec.people
    pressure = 0.8 if spec.tight else 1 / 3
    events: list[PlanEvent] = []
    for n in range(spec.events):
        day = rng.choice(days)
        (h1, m1), (h2, m2) = _weighted(rng, [((s, e), w) for s, e, w in SESSIONS])
        starts = from_london(datetime(day.year, day.month, day.day, h1, m1))
        ends = from_london(datetime(day.year, day.month, day.day, h2, m2))
        venue_id, venue_name, place = rng.choice(venues)
        needs: list[NetworkNeed] = []
        for nid, name, share in NETWORKS:
            members = spec.people * share * (scarcity if nid != 1 else 1.0)
            chance = members * mean_limit * pressure / (spec.events / spec.months)
            if rng.random() < min(0.5, chance):
                needs.append(NetworkNeed(nid, name, 1))
        languages = []
        for language, share in LANGUAGES:
            speakers = spec.people * share * scarcity
            if rng.random() < min(0.5, speakers * mean_limit * pressure / (spec.events / spec.months)):
                languages.append(language)
        events.append(
            PlanEvent(
                slot=Slot(n + 1, f"Outreach {n + 1}", venue_id, venue_name, starts, ends),
                place=place,
                ambassadors_needed=rng.choice((1, 2, 2)),
                recruiters_needed=rng.choice((0, 1, 1, 1)),
                network_needs=needs,
                wanted_languages=languages,
            )
        )

    demand_per_month = sum(e.ambassadors_needed + e.recruiters_needed for e in events) / spec.months
    mean_limit = factor * demand_per_month / spec.people
    people: list[PlanPerson] = []
    for p in range(spec.people):
        pid = 10_000 + p
        town = rng.choice(towns)
        lat, lon = _jitter(rng, town)
        located = rng.random() > 0.1
        networks = frozenset(
            nid for nid, _, share in NETWORKS if rng.random() < share * (scarcity if nid != 1 else 1.0)
        )
        languages = frozenset(lang.casefold() for lang, share in LANGUAGES if rng.random() < share * scarcity)
        # Limits spread around the mean so that total capacity hits the factor above.
        low = max(1, math.floor(mean_limit))
        limit = low + (1 if rng.random() < mean_limit - low else 0)
        away: list[Away] = []
        if rng.random() < 0.25:  # a week of annual leave
            day = rng.choice(days)
            start = from_london(datetime(day.year, day.month, day.day))
            away.append(Away(start, start + timedelta(days=7), "annual_leave"))
        for _ in range(rng.randint(0, 3 * spec.months)):  # shifts
            day = rng.choice(days)
            start = from_london(datetime(day.year, day.month, day.day, 7))
            away.append(Away(start, start + timedelta(hours=10), "shift"))
        duties: list[Slot] = []
        if rng.random() < 0.15:  # already committed to another event (not in this plan)
            day = rng.choice(days)
            start = from_london(datetime(day.year, day.month, day.day, 18))
            duties.append(
                Slot(900_000 + p, "Careers evening", 999, "Elsewhere", start, start + timedelta(hours=2))
            )
        people.append(
            PlanPerson(
                schedule=Schedule(
                    person_id=pid,
                    name=f"Person {p + 1}",
                    active=rng.random() > 0.02,
                    monthly_limit=limit,
                    duties=duties,
                    away=away,
                ),
                base=Place(town, lat if located else None, lon if located else None),
                networks=networks,
                languages=languages,
                can_recruit=rng.random() < 0.25,
            )
        )
    # A few confirmed assignments already exist on the events: pinned, never moved.
    by_id = {p.person_id: p for p in people}
    for event in rng.sample(events, len(events) // 20):
        person = by_id[rng.choice(list(by_id))]
        if person.schedule.active and not any(
            d.starts_at < event.slot.ends_at + timedelta(hours=1)
            and event.slot.starts_at < d.ends_at + timedelta(hours=1)
            for d in person.schedule.duties
        ):
            event.team.append(
                TeamMember(person.person_id, "ambassador", "confirmed", person.networks, person.languages)
            )
            person.schedule.duties.append(event.slot)
    return events, people


def row(spec: Spec, runs: list[tuple[float, Outcome, float]], greedy_seconds: list[float]) -> dict[str, Any]:
    """The median-time run's figures, every run's time and tiers, and whether the plans agreed."""
    ordered = sorted(runs, key=lambda r: r[0])
    _, outcome, build = ordered[len(ordered) // 2]
    f, g = outcome.figures, outcome.greedy
    return {
        "instance": spec.name,
        "events": spec.events,
        "people": spec.people,
        "months": spec.months,
        "pairs": outcome.pairs_total,
        "pairs_considered": outcome.pairs_considered,
        "variables": outcome.variables,
        "components": outcome.components,
        "status": outcome.status,
        "gap": round(outcome.gap, 4),
        "tiers": [_tier(t) for t in outcome.tiers],
        "solver": _figures(f),
        "greedy": _figures(g),
        "seconds_median": round(statistics.median(r[0] for r in runs), 2),
        "seconds_all": [round(r[0], 2) for r in runs],
        "greedy_seconds_median": round(statistics.median(greedy_seconds), 2),
        "build_seconds": round(build, 2),
        "time_limit": round(outcome.time_limit + build, 2),
        "runs": [{"seconds": round(r[0], 2), "tiers": [_tier(t) for t in r[1].tiers]} for r in runs],
        "same_plan_every_run": all(r[1].proposals == runs[0][1].proposals for r in runs),
        "notes": outcome.notes,
    }


def _tier(t: Any) -> dict[str, Any]:
    return {"name": t.name, "value": t.value, "bound": t.bound, "proven": t.proven, "gap": round(t.gap, 4)}


def _figures(f: Any) -> dict[str, Any]:
    return {
        "places_filled": f.places_filled,
        "places_needed": f.places_needed,
        "priority_unmet": f.priority,
        "places_unmet": f.places,
        "fairness_sum": f.fairness,
        "worst_gap": f.worst_gap,
        "worst_network_gap": f.worst_network_gap,
        "travel_km": f.travel,
        "proposed": f.proposed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", action="append", help="instance name(s): a-loose, a-tight, b-loose, b-tight"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit-a", type=float, default=10.0, help="time limit for (a), seconds")
    parser.add_argument("--limit-b", type=float, default=30.0, help="time limit for (b), seconds")
    parser.add_argument(
        "--proof-limit-b",
        type=float,
        default=120.0,
        help="also one run of each (b) instance with this limit, to see how long a proof takes (0: skip)",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()
    for spec in SPECS:
        if args.only and spec.name not in args.only:
            continue
        limit = args.limit_a if spec.name.startswith("a") else args.limit_b
        rows.append(measure(spec, limit=limit, repeat=args.repeat, seed=args.seed, workers=args.workers))
        _print_row(rows[-1])
    if args.proof_limit_b:
        # How long a quarter takes to a proven plan, given more time than target (b)'s.
        for spec in SPECS:
            if spec.name.startswith("b") and (not args.only or spec.name in args.only):
                rows.append(
                    measure(spec, limit=args.proof_limit_b, repeat=1, seed=args.seed, workers=args.workers)
                )
                rows[-1]["instance"] = f"{spec.name}, limit {args.proof_limit_b:g} s"
                _print_row(rows[-1])
    if not args.no_write and rows:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "generated_at": datetime.now().isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
            },
            "solver_workers": args.workers,
            "repeat": args.repeat,
            "seed": args.seed,
            "rows": rows,
        }
        RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print()
    print(table(rows))


def measure(spec: Spec, *, limit: float, repeat: int, seed: int, workers: int) -> dict[str, Any]:
    """Greedy and the solver on one generated force, ``repeat`` times each."""
    events, people = generate(spec)
    runs: list[tuple[float, Outcome, float]] = []
    greedy_seconds: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        instance = build_instance(events=events, people=people, travel_buffer=timedelta(minutes=30))
        greedy_choices(instance)
        greedy_seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        instance = build_instance(events=events, people=people, travel_buffer=timedelta(minutes=30))
        build = time.perf_counter() - started
        # The whole run — eligibility, greedy, solver — is held to the limit.
        outcome = plan(instance, time_limit=max(0.5, limit - build), seed=seed, workers=workers)
        runs.append((time.perf_counter() - started, outcome, build))
    return row(spec, runs, greedy_seconds)


def _print_row(r: dict[str, Any]) -> None:
    print(f"{r['instance']}: {r['status']} gap {r['gap']:.2%} in {r['seconds_median']} s", flush=True)


def _gaps(r: dict[str, Any]) -> str:
    short = {"priority": "needs", "places": "places", "fairness": "fair", "travel": "travel"}
    return ", ".join(
        f"{short[t['name']]} {'proven' if t['proven'] else format(t['gap'], '.1%')}" for t in r["tiers"]
    )


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| instance | method | places filled/needed | network+language needs unmet | load gap: worst, "
        "worst in a network, sum | travel km | time s (median) | solver's gap to its bound, per figure |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for method in ("greedy", "solver"):
            f = r[method]
            solver = method == "solver"
            priority = r["tiers"][0]
            needs = (
                f"{f['priority_unmet']} (bound {priority['bound']})" if solver else str(f["priority_unmet"])
            )
            lines.append(
                f"| {r['instance']} | {method} | {f['places_filled']}/{f['places_needed']} | {needs} "
                f"| {f['worst_gap']}, {f['worst_network_gap']}, {f['fairness_sum']} | {f['travel_km']} "
                f"| {r['seconds_median'] if solver else r['greedy_seconds_median']} "
                f"| {_gaps(r) if solver else '—'} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
