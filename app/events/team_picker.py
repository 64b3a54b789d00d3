"""The people picker on the event page: who could join the team, and why others cannot.

Who is free, and why, comes from the staffing suggestions (the same function as the
suggestions API, over the same booking rules), so the picker never offers someone the
booking would refuse and its reasons read as the API's. It lives with events, not with
staffing: it serves one event's page (search, the nearest-first pool, the two orders).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.assignments.rules import Clash
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, OPEN_STATUSES, EventStatus
from app.events.models import Event
from app.outcomes.counting import counted_duty_clause
from app.people import service as people_service
from app.people.models import Person, Representation
from app.staffing import suggestions as staffing
from app.venues.models import Venue

POOL_LIMIT = 200
"""How many people the picker checks at once; a search narrows the pool to whoever matches."""
SHOW_AVAILABLE = 25
SHOW_BLOCKED = 12


@dataclass(frozen=True)
class Search:
    q: str = ""
    network: int | None = None
    show: str = "available"
    order: str = "best"


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


def names_for(*, session: Session, person_ids: set[int]) -> dict[int, str]:
    """Each person's name by id, for messages about them."""
    if not person_ids:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(sorted(person_ids)))).all()
    return {pid: name for pid, name in rows if pid is not None}


LOAD_DAYS = 30
"""Fair load: people with fewer duties in the month either side come first."""


def _matching(query: Any, event: Event, exclude: set[int], search: Search) -> Any:
    query = query.where(col(Person.active).is_(True))
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
    return query


def _pool(
    session: Session, event: Event, exclude: set[int], search: Search, town: str
) -> tuple[list[Person], int]:
    """Matching active people, nearest first, then those with the fewest duties around the
    event's date, so the few members of a small network are not always asked first."""
    total = session.exec(
        select(func.count()).select_from(_matching(select(Person.id), event, exclude, search).subquery())
    ).one()
    window = timedelta(days=LOAD_DAYS)
    around = select(Event.id).where(
        Event.starts_at > event.starts_at - window,
        Event.starts_at < event.starts_at + window,
        Event.status != EventStatus.cancelled,
    )
    # The status is counted, not filtered: filtering on it lets SQLite pick the (unselective)
    # status index over the event one.
    active = case((counted_duty_clause(), 1), else_=0)
    load = (
        select(Assignment.person_id, func.sum(active).label("duties"))
        .where(col(Assignment.event_id).in_(around))
        .group_by(col(Assignment.person_id))
        .subquery()
    )
    nearby = case((col(Person.base_town) == town, 0), else_=1)
    query = _matching(select(Person), event, exclude, search).outerjoin(load, load.c.person_id == Person.id)
    rows = session.exec(
        query.order_by(nearby, func.coalesce(load.c.duties, 0), col(Person.name)).limit(POOL_LIMIT)
    ).all()
    return list(rows), int(total)


def candidates(
    *, session: Session, event: Event, team: list[tuple[Assignment, Person]], search: Search
) -> Picker:
    """People not on the team, the free ones first, each with the staffing engine's reasons
    (the suggestions API's words): best match first, so a wanted language or network comes
    before distance, or nearest and least used first. Each unavailable one comes with every
    reason the booking rules give."""
    if event.status not in OPEN_STATUSES:
        return _picker([], [], search, 0, False, ranked=False)
    assert event.id is not None
    on_team = {a.person_id for a, _ in team if a.status in ACTIVE_ASSIGNMENT_STATUSES}
    venue = session.get(Venue, event.venue_id)
    town = venue.town if venue else ""
    if search.order == "best":
        wanted = list(session.exec(_matching(select(Person.id), event, on_team, search)).all())
        found = staffing.suggestions_for_event(session=session, event_id=event.id)
        pool_total, limited = len(wanted), False
    else:
        pool, pool_total = _pool(session, event, on_team, search, town)
        wanted = [p.id for p in pool if p.id is not None]
        found = staffing.suggestions_for_event(session=session, event_id=event.id, person_ids=wanted)
        limited = pool_total > len(pool)
    available, blocked = _candidates(session, found, wanted, town)
    if search.order != "best":
        # The pool's order (nearest, then least used) instead of the ranking's.
        place = {pid: i for i, pid in enumerate(wanted)}
        available.sort(key=lambda c: place[c.person.id or 0])
        blocked.sort(key=lambda c: place[c.person.id or 0])
    return _picker(available, blocked, search, pool_total, limited, ranked=search.order == "best")


def _picker(
    available: list[Candidate],
    blocked: list[Candidate],
    search: Search,
    pool_total: int,
    limited: bool,
    *,
    ranked: bool,
) -> Picker:
    everyone = search.show == "all"
    return Picker(
        available=available if everyone else available[:SHOW_AVAILABLE],
        blocked=blocked if everyone else blocked[:SHOW_BLOCKED],
        available_total=len(available),
        blocked_total=len(blocked),
        pool_total=pool_total,
        pool_limited=limited,
        ranked=ranked,
    )


def _candidates(
    session: Session, found: staffing.Suggestions, wanted: list[int], town: str
) -> tuple[list[Candidate], list[Candidate]]:
    """The suggestions for the wanted people: the free ones with their reasons, best first,
    and the others with theirs."""
    keep = set(wanted)
    ids = [s.person_id for s in found.candidates if s.person_id in keep]
    ids += [u.person_id for u in found.unbookable if u.person_id in keep]
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    networks = people_service.network_names_by_person(session=session, person_ids=set(ids))
    available = [
        Candidate(
            person=people[s.person_id],
            networks=networks.get(s.person_id, []),
            reasons=list(s.reasons),
            local=bool(town) and people[s.person_id].base_town == town,
        )
        for s in found.candidates
        if s.person_id in people
    ]
    blocked = [
        Candidate(
            person=people[u.person_id],
            clashes=[Clash(code, reason) for code, reason in zip(u.codes, u.reasons, strict=False)],
        )
        for u in found.unbookable
        if u.person_id in people
    ]
    return available, blocked
