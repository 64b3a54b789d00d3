"""The planning warnings of events already booked: for the event API, the event page and the
staffing review, worked out for many events at once (never a query per event)."""

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from app import records
from app.enums import EventStatus
from app.events import service
from app.events.models import Event
from app.planning.calendar import PlanningDate, planning_dates
from app.planning.warnings import PlanningWarning, warnings_for_many
from app.venues.models import Venue

OPEN = (EventStatus.draft, EventStatus.confirmed)


def event_warnings(
    *, session: Session, events: Sequence[Event], venues: dict[int, Venue] | None = None
) -> dict[int, list[PlanningWarning]]:
    """Each event's current planning warnings by id; none for a cancelled or completed event,
    which nobody is still planning."""
    venues = venues if venues is not None else service.venues_of(session=session, events=events)
    result: dict[int, list[PlanningWarning]] = {e.id: [] for e in events if e.id is not None}
    open_events = [e for e in events if e.id is not None and e.status in OPEN and e.venue_id in venues]
    if not open_events:
        return result
    found = warnings_for_many(
        session, items=[(venues[e.venue_id], e.starts_at, e.ends_at) for e in open_events]
    )
    for event, warnings in zip(open_events, found, strict=True):
        assert event.id is not None
        result[event.id] = warnings
    return result


def warnings_of_events(*, session: Session, event_ids: Sequence[int]) -> dict[int, list[PlanningWarning]]:
    """:func:`event_warnings` for events known by id (a staffing plan's), in a fixed number of queries."""
    events = records.where_in(session, Event, Event.id, event_ids)
    return event_warnings(session=session, events=events)


def dates_for_calendar(
    *, session: Session, start: date, end: date, venue_id: int | None = None
) -> list[PlanningDate]:
    """The planning dates over a calendar's days, for its venue when the calendar is filtered
    to one (a mosque's calendar shows what matters there)."""
    venue = session.get(Venue, venue_id) if venue_id else None
    return planning_dates(session, start=start, end=end, venue=venue)
