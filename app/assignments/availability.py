"""Load people's schedules around some events in a fixed number of queries (no N+1)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.assignments.rules import Away, Schedule, Slot
from app.clock import london_month_bounds, london_week_bounds
from app.enums import EventStatus
from app.events.models import Event
from app.outcomes.counting import counts_as_duty
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
    """The span whose duties can matter: the whole London months and weeks (monthly and
    weekly limits) plus the travel buffer."""
    month_start, _ = london_month_bounds(starts_at)
    _, month_end = london_month_bounds(ends_at)
    week_start, _ = london_week_bounds(starts_at)
    _, week_end = london_week_bounds(ends_at)
    return (
        min(month_start, week_start, starts_at - travel_buffer),
        max(month_end, week_end, ends_at + travel_buffer),
    )


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
    # Driven by the events' time index: a filter on assignment status would make SQLite
    # walk the status index, which covers nearly every assignment. Status is sifted here.
    duty_query = (
        select(Assignment, Event, Venue.name)
        .select_from(Event)
        .join(Assignment, col(Assignment.event_id) == Event.id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(
            Event.status != EventStatus.cancelled,
            Event.starts_at < window_end,
            Event.ends_at > window_start,
        )
    )
    if person_ids is not None:
        duty_query = duty_query.where(col(Assignment.person_id).in_(ids))
    for assignment, event, venue_name in session.exec(duty_query).all():
        if counts_as_duty(assignment.status, assignment.attendance) and assignment.person_id in schedules:
            schedules[assignment.person_id].duties.append(slot_of(event, venue_name))
    away_query = select(Unavailability).where(
        Unavailability.starts_at < window_end, Unavailability.ends_at > window_start
    )
    if person_ids is not None:
        away_query = away_query.where(col(Unavailability.person_id).in_(ids))
    for away in session.exec(away_query).all():
        if away.person_id in schedules:
            schedules[away.person_id].away.append(Away(away.starts_at, away.ends_at, str(away.reason)))
    return schedules
