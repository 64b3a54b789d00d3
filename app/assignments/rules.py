"""The booking rules as pure functions: who can be put on which event, and why not.

Nothing here touches the database, so the same rules serve booking, moving an event,
the picker on the event page and the matching engine — and are tested fast and alone.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.clock import to_london


@dataclass(frozen=True)
class Slot:
    """An event as far as the rules care: when and where."""

    event_id: int
    title: str
    venue_id: int
    venue_name: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Away:
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass
class Schedule:
    """One person's commitments around the time in question."""

    person_id: int
    name: str
    active: bool
    monthly_limit: int
    duties: list[Slot] = field(default_factory=list)
    away: list[Away] = field(default_factory=list)


@dataclass(frozen=True)
class Clash:
    """A reason someone cannot be booked; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str
    event_id: int | None = None


def away_span(starts_at: datetime, ends_at: datetime, *, this_year: int | None = None) -> str:
    """Time away as it was entered: whole days end on their last day ("Tue 12 Jan to Thu 14
    Jan"), since the stored end is the midnight after it. Days outside ``this_year`` (when
    given) carry their year."""
    start, end = to_london(starts_at), to_london(ends_at)

    def day(at: datetime | date, year: bool = True) -> str:
        shown = f"{at:%a %-d %b}"
        return f"{shown} {at:%Y}" if year and this_year is not None and at.year != this_year else shown

    if start.time() == time(0, 0) and end.time() == time(0, 0) and end > start:
        last = (end - timedelta(days=1)).date()
        if last == start.date():
            return day(last)
        return f"{day(start, start.year != last.year)} to {day(last)}"
    if start.date() == end.date():
        return f"{day(start)}, {start:%H:%M} to {end:%H:%M}"
    return f"{day(start, start.year != end.year)}, {start:%H:%M} to {day(end)}, {end:%H:%M}"


def _when(slot: Slot) -> str:
    start = to_london(slot.starts_at)
    end = to_london(slot.ends_at)
    return f"{start:%a %-d %b %H:%M}–{end:%H:%M}"


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def gap_between(a: Slot, b: Slot) -> timedelta:
    """Time between two non-overlapping slots, whichever comes first."""
    if a.ends_at <= b.starts_at:
        return b.starts_at - a.ends_at
    return a.starts_at - b.ends_at


def clashes(
    schedule: Schedule,
    target: Slot,
    *,
    travel_buffer: timedelta,
) -> list[Clash]:
    """Every reason this person cannot take a place on ``target``; empty means bookable.

    ``schedule.duties`` must not contain ``target`` itself.
    """
    found: list[Clash] = []
    if not schedule.active:
        found.append(Clash("inactive", f"{schedule.name} is not active"))
    for duty in schedule.duties:
        if duty.event_id == target.event_id:
            continue
        if overlaps(duty.starts_at, duty.ends_at, target.starts_at, target.ends_at):
            found.append(
                Clash(
                    "overlap",
                    f"{schedule.name} is already on '{duty.title}' at {duty.venue_name} "
                    f"({_when(duty)}, event {duty.event_id})",
                    duty.event_id,
                )
            )
        elif duty.venue_id != target.venue_id and gap_between(duty, target) < travel_buffer:
            minutes = int(travel_buffer.total_seconds() // 60)
            found.append(
                Clash(
                    "travel",
                    f"{schedule.name} is on '{duty.title}' at {duty.venue_name} "
                    f"({_when(duty)}, event {duty.event_id}): less than the {minutes}-minute "
                    "travel time between venues",
                    duty.event_id,
                )
            )
    for away in schedule.away:
        if overlaps(away.starts_at, away.ends_at, target.starts_at, target.ends_at):
            found.append(
                Clash(
                    "unavailable",
                    f"{schedule.name} is unavailable ({away.reason.replace('_', ' ')}): "
                    f"{away_span(away.starts_at, away.ends_at)}",
                )
            )
    month = to_london(target.starts_at).strftime("%Y-%m")
    in_month = sum(
        1
        for duty in schedule.duties
        if duty.event_id != target.event_id and to_london(duty.starts_at).strftime("%Y-%m") == month
    )
    if in_month >= schedule.monthly_limit:
        found.append(
            Clash(
                "monthly_limit",
                f"{schedule.name} has reached their limit of {schedule.monthly_limit} "
                f"event(s) in {to_london(target.starts_at):%B %Y}",
            )
        )
    return found
