"""The planning calendar: observances, bank holidays and local dates over a span of days."""

from datetime import date, datetime, timedelta

from sqlmodel import Session

from app.enums import label
from app.errors import Invalid
from app.planning import service
from app.planning.dates import PlanningDate, calendar_dates
from app.planning.models import LocalDate
from app.planning.schemas import EARLIEST_DAY, LATEST_DAY, LocalDateScope
from app.venues.models import Venue

__all__ = ["MAX_SPAN_DAYS", "PlanningDate", "check_instants", "check_span", "planning_dates"]

MAX_SPAN_DAYS = 400  # a year and a bit: enough to plan a campaign, small enough to answer fast


def check_span(*, start: date, end: date) -> None:
    """Refuse a span the calendar does not answer: backwards, too long, or out of range."""
    if end < start:
        raise Invalid(f"end ({end}) must be on or after start ({start})")
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise Invalid(f"the span may be at most {MAX_SPAN_DAYS} days; ask for shorter spans")
    if start < EARLIEST_DAY or end > LATEST_DAY:
        raise Invalid(f"dates must be between {EARLIEST_DAY} and {LATEST_DAY}")


def check_instants(*, starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a time the warnings do not answer: backwards, or longer than the calendar's span."""
    if ends_at <= starts_at:
        raise Invalid("ends_at must be after starts_at")
    if ends_at - starts_at > timedelta(days=MAX_SPAN_DAYS):
        raise Invalid(f"an event may last at most {MAX_SPAN_DAYS} days")


def planning_dates(
    session: Session, *, start: date, end: date, venue: Venue | None = None
) -> list[PlanningDate]:
    """Every planning date overlapping start..end (inclusive), by first day; with a venue,
    only the local dates whose scope covers it."""
    venues = [venue] if venue is not None else None
    local = service.local_dates_for(session=session, start=start, end=end, venues=venues)
    found = calendar_dates(start, end) + [as_planning_date(row) for row in local]
    return sorted(found, key=lambda d: (d.starts_on, d.kind, d.name))


def as_planning_date(row: LocalDate) -> PlanningDate:
    times = ""
    if row.starts_time or row.ends_time:
        times = (
            f" ({row.starts_time or 'all day'} on the first day to {row.ends_time or 'the end'} on the last)"
        )
    return PlanningDate(
        name=row.name,
        kind="local_date",
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        expected=False,
        note=row.note + times,
        source=f"local date {row.id}: {scope_words(row)}",
        venue_kinds=(row.venue_kind,) if row.scope == LocalDateScope.venue_kind else (),
    )


def scope_words(row: LocalDate) -> str:
    """'everywhere', 'in Blackburn', 'at venue 3', 'at every mosque'."""
    if row.scope == LocalDateScope.town:
        return f"in {row.town}"
    if row.scope == LocalDateScope.venue:
        return f"at venue {row.venue_id}"
    if row.scope == LocalDateScope.venue_kind:
        return f"at every {label(row.venue_kind).lower()}"
    return "everywhere"
