"""The report's figures as aggregate SQL: one GROUP BY statement per table, whatever the data's
size, so the report costs the same number of statements for ten events or twenty thousand."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import Session, col

from app.assignments.models import Assignment
from app.enums import EventStatus
from app.events.models import Event
from app.networks.models import Network
from app.outcomes.counting import counted_duty_clause
from app.outcomes.models import EventOutcome
from app.people.models import Representation
from app.venues.models import Venue

# Events that took place: still on (not cancelled, not a draft) and over by now.
HELD_STATUSES = (EventStatus.confirmed, EventStatus.completed)


class hours_between(FunctionElement[float]):
    """Hours from the first timestamp to the second, in SQL on either database."""

    type = sa.Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 24.0)"


@compiles(hours_between)
def _hours_default(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 3600.0)"


def event_hours() -> Any:
    return hours_between(col(Event.starts_at), col(Event.ends_at))


def held_clause(now: datetime) -> Any:
    return sa.and_(col(Event.status).in_(HELD_STATUSES), col(Event.ends_at) <= now)


def _campaign(query: Any, campaign_id: int | None) -> Any:
    return query if campaign_id is None else query.where(col(Event.campaign_id) == campaign_id)


@dataclass(frozen=True)
class VenueFigures:
    """One venue's events held and what their outcomes recorded."""

    venue_id: int
    name: str
    kind: str
    town: str
    events_held: int = 0
    with_outcome: int = 0
    people_spoken_to: int = 0
    interest_on_paper: int = 0
    leaflets: int = 0


def venue_figures(*, session: Session, campaign_id: int | None, now: datetime) -> list[VenueFigures]:
    """Per venue with a held event: events held, outcomes recorded and their sums (one statement)."""
    query = (
        sa.select(
            col(Venue.id),
            col(Venue.name),
            col(Venue.kind),
            col(Venue.town),
            sa.func.count(col(Event.id)),
            sa.func.count(col(EventOutcome.event_id)),
            sa.func.coalesce(sa.func.sum(col(EventOutcome.people_spoken_to)), 0),
            sa.func.coalesce(sa.func.sum(col(EventOutcome.interest_on_paper)), 0),
            sa.func.coalesce(sa.func.sum(col(EventOutcome.leaflets)), 0),
        )
        .select_from(Event)
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .outerjoin(EventOutcome, col(EventOutcome.event_id) == col(Event.id))
        .where(held_clause(now))
        .group_by(col(Venue.id), col(Venue.name), col(Venue.kind), col(Venue.town))
        .order_by(col(Venue.town), col(Venue.name))
    )
    rows = session.execute(_campaign(query, campaign_id)).all()
    return [VenueFigures(int(r[0]), r[1], str(r[2]), r[3] or "", *(int(v) for v in r[4:])) for r in rows]


def _counted_hours_query(*columns: Any) -> Any:
    """Duties done at events with a recorded outcome: the OUT rule, and the outcome says it happened."""
    return (
        sa.select(*columns)
        .select_from(Assignment)
        .join(Event, col(Event.id) == col(Assignment.event_id))
        .join(EventOutcome, col(EventOutcome.event_id) == col(Event.id))
        .where(counted_duty_clause())
    )


@dataclass(frozen=True)
class NetworkHours:
    network_id: int
    name: str
    people: int
    hours: float


def hours_by_network(*, session: Session, campaign_id: int | None) -> list[NetworkHours]:
    """Per staff network: people who represent it and did duties, and those duties' hours."""
    query = (
        _counted_hours_query(
            col(Network.id),
            col(Network.name),
            sa.func.count(sa.distinct(col(Assignment.person_id))),
            sa.func.coalesce(sa.func.sum(event_hours()), 0.0),
        )
        .join(Representation, col(Representation.person_id) == col(Assignment.person_id))
        .join(Network, col(Network.id) == col(Representation.network_id))
        .group_by(col(Network.id), col(Network.name))
        .order_by(col(Network.name))
    )
    rows = session.execute(_campaign(query, campaign_id)).all()
    return [NetworkHours(int(r[0]), r[1], int(r[2]), round(float(r[3]), 1)) for r in rows]


def all_hours(*, session: Session, campaign_id: int | None) -> tuple[int, float]:
    """Everyone's duties done: distinct people, and their hours."""
    query = _counted_hours_query(
        sa.func.count(sa.distinct(col(Assignment.person_id))),
        sa.func.coalesce(sa.func.sum(event_hours()), 0.0),
    )
    people, hours = session.execute(_campaign(query, campaign_id)).one()
    return int(people), round(float(hours), 1)


def hours_by_town(*, session: Session, since: datetime) -> dict[str, float]:
    """Duty hours at events with a recorded outcome that ended since ``since``, per venue town."""
    query = (
        _counted_hours_query(col(Venue.town), sa.func.coalesce(sa.func.sum(event_hours()), 0.0))
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .where(col(Event.ends_at) >= since)
        .group_by(col(Venue.town))
    )
    return {town or "": float(hours) for town, hours in session.execute(query).all()}


def paper_interest_by_town(*, session: Session, since: datetime) -> dict[str, int]:
    """Interest written on paper at events that ended since ``since``, per venue town."""
    query = (
        sa.select(col(Venue.town), sa.func.coalesce(sa.func.sum(col(EventOutcome.interest_on_paper)), 0))
        .select_from(EventOutcome)
        .join(Event, col(Event.id) == col(EventOutcome.event_id))
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .where(col(Event.ends_at) >= since)
        .group_by(col(Venue.town))
    )
    return {town or "": int(n) for town, n in session.execute(query).all()}


def active_venues_by_town(*, session: Session) -> dict[str, list[int]]:
    """The active venues' ids per town, for a booking link (venues are few: one statement)."""
    query = (
        sa.select(col(Venue.town), col(Venue.id))
        .where(col(Venue.active), col(Venue.town) != "")
        .order_by(col(Venue.town), col(Venue.id))
    )
    out: dict[str, list[int]] = {}
    for town, venue_id in session.execute(query).all():
        out.setdefault(town, []).append(int(venue_id))
    return out
