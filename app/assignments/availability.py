"""Load people's schedules around some events in a fixed number of queries (no N+1)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.assignments.rules import Away, Schedule, Slot
from app.clock import london_month_bounds
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, EventStatus
from app.events.models import Event
from app.people.models import Person, Unavailability
from app.venues.models import Venue


def slot_of(event: Event, venue_name: str) -> Slot:
    assert event.id is not None
    return Slot(
        event_id=event.id,
        title=event.title,
        venue_id=event.venue_id,
        venue_name=venue_name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
    )


def window_for(starts_at: datetime, ends_at: datetime, travel_buffer: timedelta) -> tuple[datetime, datetime]:
    """The span whose duties can matter: the whole London month(s) plus the travel buffer."""
    month_start, _ = london_month_bounds(starts_at)
    _, month_end = london_month_bounds(ends_at)
    return min(month_start, starts_at - travel_buffer), max(month_end, ends_at + travel_buffer)


def load_schedules(
    *,
    session: Session,
    person_ids: list[int] | None,
    window_start: datetime,
    window_end: datetime,
) -> dict[int, Schedule]:
    """Schedules of the given people (all active people when ``None``) in the window."""
    people_query = select(Person)
    if person_ids is not None:
        people_query = people_query.where(col(Person.id).in_(person_ids))
    people = session.exec(people_query).all()
    schedules = {
        p.id: Schedule(person_id=p.id, name=p.name, active=p.active, monthly_limit=p.monthly_limit)
        for p in people
        if p.id is not None
    }
    if not schedules:
        return schedules
    ids = list(schedules)
    duty_rows = session.exec(
        select(Assignment.person_id, Event, Venue.name)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(
            col(Assignment.person_id).in_(ids),
            col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
            Event.status != EventStatus.cancelled,
            Event.starts_at < window_end,
            Event.ends_at > window_start,
        )
    ).all()
    for person_id, event, venue_name in duty_rows:
        schedules[person_id].duties.append(slot_of(event, venue_name))
    away_rows = session.exec(
        select(Unavailability).where(
            col(Unavailability.person_id).in_(ids),
            Unavailability.starts_at < window_end,
            Unavailability.ends_at > window_start,
        )
    ).all()
    for away in away_rows:
        schedules[away.person_id].away.append(Away(away.starts_at, away.ends_at, str(away.reason)))
    return schedules
