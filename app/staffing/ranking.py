"""Ranked suggestions for one event, with the reasons in words — a pure function.

Who comes first: whoever meets more of the event's unmet network and language needs, then
whoever can take an open place, then whoever has done least lately (the "minority tax" is
spread, not concentrated), then the nearest, then whoever knows the venue. The order is
explained to the coordinator in the reasons, so it can be overruled with confidence.
"""

from dataclasses import dataclass, field

from app.events.staffing import StaffingState
from app.staffing.instance import UNKNOWN_TRAVEL_KM, Place, distance_km


@dataclass(frozen=True)
class Prospect:
    """A bookable person and the facts the ranking weighs."""

    person_id: int
    name: str
    kind: str
    base: Place
    networks: dict[int, str]  # network id → name, for the person's own opt-ins
    languages: tuple[str, ...]
    can_recruit: bool
    last_30_days: int
    next_30_days: int
    this_month: int
    monthly_limit: int
    venue_visits: int


@dataclass
class Suggestion:
    person_id: int
    name: str
    rank: int
    score: float
    roles: list[str]
    covers: list[str]
    distance_km: float | None
    last_30_days: int
    next_30_days: int
    this_month: int
    monthly_limit: int
    venue_visits: int
    reasons: list[str] = field(default_factory=list)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _open_places(count: int, role: str) -> str:
    if count == 1:
        return f"can take the open {role} place"
    return f"can take one of the {count} open {role} places"


def describe_distance(base: Place, venue: Place, venue_name: str) -> tuple[float | None, str]:
    km = distance_km(base, venue)
    town = base.town or "an unknown town"
    if base.located and venue.located and km is not None:
        if km < 1:
            return km, f"based in {town}, less than 1 km from {venue_name}"
        return km, f"{km:.0f} km from their base in {town} to {venue_name}"
    if km == 0.0:
        return km, f"based in {town}, the venue's town"
    return None, f"based in {town}; the distance to {venue_name} is not known (no coordinates)"


def rank(
    *,
    prospects: list[Prospect],
    state: StaffingState,
    venue: Place,
    venue_name: str,
    month_label: str,
) -> list[Suggestion]:
    """Order the bookable people for an event and say why, best first."""
    open_ambassador = max(0, state.ambassadors_needed - state.ambassadors)
    open_recruiter = max(0, state.recruiters_needed - state.recruiters)
    lacking_networks = {
        int(str(n["network_id"])): (str(n["name"]), int(str(n["needed"])) - int(str(n["have"])))
        for n in state.networks
        if int(str(n["have"])) < int(str(n["needed"]))
    }
    lacking_languages = {
        str(lang["language"]).casefold(): str(lang["language"])
        for lang in state.languages
        if not lang["have"]
    }
    scored = []
    for p in prospects:
        covers: list[str] = []
        reasons: list[str] = []
        for network_id, (name, lacking) in sorted(lacking_networks.items(), key=lambda x: x[1][0]):
            if network_id in p.networks:
                covers.append(f"the {name}")
                reasons.append(f"represents the {name}, which the event still needs ({lacking} more)")
        spoken = {lang.casefold() for lang in p.languages}
        for key, language in lacking_languages.items():
            if key in spoken:
                covers.append(f"{_article(language)} {language} speaker")
                reasons.append(f"speaks {language}, which the event wants and nobody on the team speaks yet")
        roles = []
        if open_ambassador or lacking_networks or lacking_languages:
            roles.append("ambassador")
        if open_recruiter and p.can_recruit:
            roles.append("recruiter")
            reasons.append(_open_places(open_recruiter, "recruiter") + " (recruitment staff)")
        if open_ambassador:
            reasons.append(_open_places(open_ambassador, "ambassador"))
        if not roles:
            reasons.append("the event's places are all taken; they would be an extra")
        km, distance_words = describe_distance(p.base, venue, venue_name)
        reasons.append(distance_words)
        reasons.append(
            f"{_plural(p.last_30_days, 'event')} in the last 30 days and {p.next_30_days} in the next 30; "
            f"{p.this_month} of their limit of {p.monthly_limit} in {month_label}"
        )
        if p.venue_visits:
            reasons.append(f"has worked at {venue_name} before ({_plural(p.venue_visits, 'event')})")
        else:
            reasons.append(f"has not worked at {venue_name} before")
        priority = len(covers)
        takes_place = 1 if (open_ambassador or (open_recruiter and p.can_recruit)) else 0
        recent = p.last_30_days + p.next_30_days
        travel = km if km is not None else float(UNKNOWN_TRAVEL_KM)
        order = (
            -priority,
            -takes_place,
            recent,
            p.this_month,
            round(travel, 1),
            -p.venue_visits,
            p.name,
            p.person_id,
        )
        # A readable score for the picker: needs met dominate, then load, then distance.
        score = 100.0 * priority + 20.0 * takes_place - 5.0 * recent - travel / 10.0 + min(p.venue_visits, 3)
        scored.append(
            (
                order,
                Suggestion(
                    person_id=p.person_id,
                    name=p.name,
                    rank=0,
                    score=round(score, 2),
                    roles=roles,
                    covers=covers,
                    distance_km=None if km is None else round(km, 1),
                    last_30_days=p.last_30_days,
                    next_30_days=p.next_30_days,
                    this_month=p.this_month,
                    monthly_limit=p.monthly_limit,
                    venue_visits=p.venue_visits,
                    reasons=reasons,
                ),
            )
        )
    scored.sort(key=lambda item: item[0])
    result = []
    for position, (_, suggestion) in enumerate(scored, start=1):
        suggestion.rank = position
        result.append(suggestion)
    return result
