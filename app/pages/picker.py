"""The people picker on the event page: who could join the team, and why others cannot.

The reasons come from the booking rules themselves (``clashes_for_booking``), so the
picker never offers someone the booking would refuse.
"""

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy import case
from sqlmodel import Session, col, select

from app.accounts.principal import Principal
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.assignments.rules import Clash
from app.enums import ACTIVE_ASSIGNMENT_STATUSES
from app.events.models import Event
from app.networks.models import Network
from app.pages.common import int_param, text_param
from app.people.models import Person, Representation
from app.venues.models import Venue

POOL_LIMIT = 300
"""How many people the picker checks at once; a search narrows the pool to whoever matches."""
SHOW_AVAILABLE = 25
SHOW_BLOCKED = 12


@dataclass(frozen=True)
class Search:
    q: str = ""
    network: int | None = None
    show: str = "available"

    @classmethod
    def from_request(cls, request: Request) -> "Search":
        show = request.query_params.get("show", "available")
        return cls(
            q=text_param(request, "q", 80),
            network=int_param(request, "network"),
            show=show if show in ("available", "all") else "available",
        )


@dataclass
class Candidate:
    person: Person
    clashes: list[Clash] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    local: bool = False

    @property
    def available(self) -> bool:
        return not self.clashes


@dataclass
class Picker:
    available: list[Candidate]
    blocked: list[Candidate]
    available_total: int
    blocked_total: int
    pool_total: int
    pool_limited: bool
    ranked: bool = False


def network_names_by_person(session: Session, person_ids: set[int]) -> dict[int, list[str]]:
    """Which networks each person represents (planners only: special-category data)."""
    result: dict[int, list[str]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return result
    rows = session.exec(
        select(Representation.person_id, Network.name)
        .join(Network, col(Network.id) == Representation.network_id)
        .where(col(Representation.person_id).in_(sorted(person_ids)))
        .order_by(col(Network.name))
    ).all()
    for person_id, name in rows:
        result[person_id].append(name)
    return result


def names_for(session: Session, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(sorted(person_ids)))).all()
    return {pid: name for pid, name in rows if pid is not None}


def _pool(
    session: Session, event: Event, exclude: set[int], search: Search, town: str
) -> tuple[list[Person], int]:
    query = select(Person).where(col(Person.active).is_(True))
    if exclude:
        query = query.where(col(Person.id).not_in(sorted(exclude)))
    if search.q:
        pattern = f"%{search.q}%"
        query = query.where(
            col(Person.name).ilike(pattern)
            | col(Person.staff_number).ilike(pattern)
            | col(Person.base_town).ilike(pattern)
        )
    if search.network is not None:
        members = select(Representation.person_id).where(Representation.network_id == search.network)
        query = query.where(col(Person.id).in_(members))
    from sqlalchemy import func

    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    nearby = case((col(Person.base_town) == town, 0), else_=1)
    rows = session.exec(query.order_by(nearby, col(Person.name)).limit(POOL_LIMIT)).all()
    return list(rows), int(total)


def candidates(
    *, session: Session, event: Event, team: list[tuple[Assignment, Person]], search: Search
) -> Picker:
    """People not on the team, the free ones first (nearest, then by name), each blocked one
    with every reason the booking rules give."""
    on_team = {a.person_id for a, _ in team if a.status in ACTIVE_ASSIGNMENT_STATUSES}
    venue = session.get(Venue, event.venue_id)
    town = venue.town if venue else ""
    people, pool_total = _pool(session, event, on_team, search, town)
    ids = [p.id for p in people if p.id is not None]
    found = assignments.clashes_for_booking(session=session, event=event, person_ids=ids) if ids else {}
    networks = network_names_by_person(session, set(ids))
    ranked = ranking(session=session, event=event, person_ids=ids)
    available: list[Candidate] = []
    blocked: list[Candidate] = []
    for person in people:
        assert person.id is not None
        candidate = Candidate(
            person=person,
            clashes=found.get(person.id, []),
            networks=networks.get(person.id, []),
            reasons=ranked.get(person.id, (0.0, []))[1],
            local=bool(town) and person.base_town == town,
        )
        (available if candidate.available else blocked).append(candidate)
    if ranked:
        available.sort(key=lambda c: (-ranked.get(c.person.id or 0, (0.0, []))[0], c.person.name))
    everyone = search.show == "all"
    return Picker(
        available=available if everyone else available[:SHOW_AVAILABLE],
        blocked=blocked if everyone else blocked[:SHOW_BLOCKED],
        available_total=len(available),
        blocked_total=len(blocked),
        pool_total=pool_total,
        pool_limited=pool_total > len(people),
        ranked=bool(ranked),
    )


# --- the staffing engine, when it is installed ------------------------------------


def _staffing_service() -> Any:
    try:
        from app.staffing import service
    except ImportError:
        return None
    return service


def ranking(*, session: Session, event: Event, person_ids: list[int]) -> dict[int, tuple[float, list[str]]]:
    """The staffing engine's score and reasons per person (empty without the engine)."""
    service = _staffing_service()
    suggest = getattr(service, "suggestions_for_event", None) if service else None
    if suggest is None or not person_ids or event.id is None:
        return {}
    try:
        suggestions = suggest(session=session, event_id=event.id, limit=len(person_ids))
    except Exception:
        return {}
    result: dict[int, tuple[float, list[str]]] = {}
    for item in suggestions or []:
        person_id = getattr(item, "person_id", None)
        if person_id in person_ids:
            reasons = [str(r) for r in (getattr(item, "reasons", None) or [])]
            result[person_id] = (float(getattr(item, "score", 0.0) or 0.0), reasons)
    return result


def plan_staffing_available() -> bool:
    service = _staffing_service()
    return service is not None and hasattr(service, "plan_event")


def fill_with_suggestions(*, session: Session, principal: Principal, event: Event) -> list[str]:
    service = _staffing_service()
    if service is None or not hasattr(service, "plan_event") or event.id is None:
        return []
    made = service.plan_event(session=session, actor=principal.actor, event_id=event.id)
    names = names_for(session, {getattr(a, "person_id", 0) for a in made or []})
    return sorted(names.values())
