"""A venue's opening hours: one row a weekday it is open (see ``VenueOpeningHours``)."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, delete

from app import records
from app.venues.models import VenueOpeningHours

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class OpenHours:
    weekday: int  # 0 Monday … 6 Sunday
    opens: str  # "09:00", London time
    closes: str


Week = dict[int, OpenHours]
"""A venue's open days by weekday; a weekday missing is a closed day; empty: not recorded."""


def hours_of(*, session: Session, venue_ids: Iterable[int]) -> dict[int, Week]:
    """Each venue's week, in one query per 500 venues; venues without hours are left out."""
    found: dict[int, Week] = {}
    for row in records.where_in(session, VenueOpeningHours, VenueOpeningHours.venue_id, venue_ids):
        found.setdefault(row.venue_id, {})[row.weekday] = OpenHours(row.weekday, row.opens, row.closes)
    return found


def week_of(*, session: Session, venue_id: int) -> list[OpenHours]:
    """The venue's open days, Monday first."""
    week = hours_of(session=session, venue_ids=[venue_id]).get(venue_id, {})
    return [week[day] for day in sorted(week)]


def replace_week(*, session: Session, venue_id: int, week: list[OpenHours]) -> None:
    """The venue's hours become exactly ``week`` (an empty list: not recorded); the caller
    commits, with the venue's own change."""
    session.exec(delete(VenueOpeningHours).where(col(VenueOpeningHours.venue_id) == venue_id))
    for day in week:
        session.add(
            VenueOpeningHours(venue_id=venue_id, weekday=day.weekday, opens=day.opens, closes=day.closes)
        )
    session.flush()


def describe(week: list[OpenHours]) -> str:
    """'Mon 09:00–17:00, Tue 09:00–17:00, …; closed Sat, Sun', for notes and audit lines."""
    if not week:
        return "not recorded"
    open_days = {d.weekday for d in week}
    parts = [f"{WEEKDAYS[d.weekday][:3]} {d.opens}–{d.closes}" for d in sorted(week, key=lambda d: d.weekday)]
    closed = [WEEKDAYS[i][:3] for i in range(7) if i not in open_days]
    return ", ".join(parts) + (f"; closed {', '.join(closed)}" if closed else "")
