"""Planning warnings: plain sentences about an event's days, times and venue; never a block.

``warnings_for_many`` reads what it needs for any number of events in three queries (local
dates, weekly patterns, opening hours); the observances and bank holidays are computed.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from app.clock import LONDON, to_london
from app.enums import VenueKind, label
from app.planning import service
from app.planning.dates import PlanningDate, calendar_dates, day_words
from app.planning.models import LocalDate, WeeklyPattern
from app.planning.sun import Place, hhmm, place_of, sunset_at
from app.venues.hours import WEEKDAYS, Week, hours_of
from app.venues.models import Venue

# Observances whose fast is broken at sunset: an event running past it clashes with iftar.
FAST_BROKEN_AT_SUNSET = frozenset({"Ramadan"})
# Without a place for the venue, a pattern "from sunset" is taken as from the earliest
# sunset in the UK, and "to sunset" as to the latest: a warning too many, never one too few.
EARLIEST_SUNSET = time(15, 30)
LATEST_SUNSET = time(22, 0)


@dataclass(frozen=True)
class PlanningWarning:
    # "observance" | "bank_holiday" | "weekly_pattern" | "local_date" | "opening_hours" | "after_sunset"
    kind: str
    text: str  # the sentence
    day: date
    expected: bool


@dataclass(frozen=True)
class _Known:
    """What the warnings read for a batch of events, loaded once."""

    calendar: list[PlanningDate]
    local_dates: list[LocalDate]
    patterns: list[WeeklyPattern]
    hours: dict[int, Week]


def planning_warnings(
    session: Session, *, venue: Venue, starts_at: datetime, ends_at: datetime
) -> list[PlanningWarning]:
    """The warnings for one event at a venue, by day."""
    return warnings_for_many(session, items=[(venue, starts_at, ends_at)])[0]


def warnings_for_many(
    session: Session, *, items: list[tuple[Venue, datetime, datetime]]
) -> list[list[PlanningWarning]]:
    """The warnings for many events, one list per item in the same order, from three queries."""
    if not items:
        return []
    first = min(to_london(s).date() for _, s, _ in items)
    last = max(_last_day(s, e) for _, s, e in items)
    venues = list({id(v): v for v, _, _ in items}.values())
    known = _Known(
        calendar=calendar_dates(first, last),
        local_dates=service.local_dates_for(session=session, start=first, end=last, venues=venues),
        patterns=service.list_patterns(session=session, active_only=True),
        hours=hours_of(session=session, venue_ids=[v.id for v in venues if v.id is not None]),
    )
    return [_warnings(venue, starts_at, ends_at, known) for venue, starts_at, ends_at in items]


def _warnings(venue: Venue, starts_at: datetime, ends_at: datetime, known: _Known) -> list[PlanningWarning]:
    start, end = to_london(starts_at), to_london(ends_at)
    if end <= start:
        return []
    place = place_of(venue)
    found = [
        *_calendar(venue, start, end, known.calendar, place),
        *_local(venue, start, end, known.local_dates),
        *_patterns(venue, start, end, known.patterns, place),
        *_opening(start, end, known.hours.get(venue.id or 0, {})),
    ]
    seen: set[str] = set()
    unique = []
    for warning in sorted(found, key=lambda w: w.day):  # stable: same-day order as above
        if warning.text not in seen:
            seen.add(warning.text)
            unique.append(warning)
    return unique


def _last_day(starts_at: datetime, ends_at: datetime) -> date:
    """The last London day the event touches (an end at midnight touches the day before)."""
    end = to_london(ends_at)
    return max(to_london(starts_at).date(), (end - timedelta(microseconds=1)).date())


def _days(start: datetime, end: datetime) -> Iterator[date]:
    day, last = start.date(), (end - timedelta(microseconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _at(day: date, clock: str) -> datetime:
    hours, minutes = clock.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=LONDON)


def _an(clock: str) -> str:
    """'an 18:30', 'a 19:00': the article as the time is said."""
    return "an" if int(clock.split(":")[0]) in (8, 11, 18) else "a"


# ---- observances and bank holidays -------------------------------------------------------


def _calendar(
    venue: Venue, start: datetime, end: datetime, calendar: list[PlanningDate], place: Place | None
) -> Iterator[PlanningWarning]:
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    for entry in calendar:
        if not entry.overlaps(first, last):
            continue
        if entry.venue_kinds and str(venue.kind) not in entry.venue_kinds:
            continue
        day = max(entry.starts_on, first)
        words = day_words(day)
        if entry.kind == "bank_holiday":
            closed = ": job centres are closed" if venue.kind == VenueKind.job_centre else ""
            yield PlanningWarning(
                "bank_holiday", f"{words} is a bank holiday ({entry.name}){closed}", day, False
            )
            continue
        if entry.starts_on == entry.ends_on:
            text = (
                f"{words} is expected to be {entry.name} (±1 day)"
                if entry.expected
                else f"{words} is {entry.name}"
            )
            yield PlanningWarning("observance", text, day, entry.expected)
            continue
        text = f"{words} falls in {entry.name}" + (" (expected)" if entry.expected else "")
        after = _after_sunset(venue, end, place) if entry.name in FAST_BROKEN_AT_SUNSET else ""
        if after and entry.overlaps(end.date(), end.date()):
            yield PlanningWarning("after_sunset", f"{text}; {after}, when people break their fast", day, True)
        else:
            yield PlanningWarning("observance", text, day, entry.expected)


def _after_sunset(venue: Venue, end: datetime, place: Place | None) -> str:
    """'an 18:30 end is after sunset in Blackburn (17:37)', or '' when it is not (or no
    place is known for the venue)."""
    sunset = sunset_at(place, end.date()) if place else None
    if sunset is None or end <= sunset:
        return ""
    where = venue.town.strip() or venue.name
    finish = hhmm(end)
    return f"{_an(finish)} {finish} end is after sunset in {where} ({hhmm(sunset)})"


# ---- local dates ------------------------------------------------------------------------


def _local(venue: Venue, start: datetime, end: datetime, rows: list[LocalDate]) -> Iterator[PlanningWarning]:
    for row in rows:
        if not service.applies(row, venue):
            continue
        begins = _at(row.starts_on, row.starts_time or "00:00")
        ends = (
            _at(row.ends_on, row.ends_time)
            if row.ends_time
            else datetime.combine(row.ends_on + timedelta(days=1), time(), tzinfo=LONDON)
        )
        if not (begins < end and start < ends):
            continue
        day = max(row.starts_on, start.date())
        verb = "is" if row.starts_on == row.ends_on else "falls in"
        yield PlanningWarning("local_date", f"{day_words(day)} {verb} {row.name}{_times(row)}", day, False)


def _times(row: LocalDate) -> str:
    if row.starts_time and row.ends_time:
        return f" ({row.starts_time}–{row.ends_time})"
    if row.starts_time:
        return f" (from {row.starts_time})"
    if row.ends_time:
        return f" (until {row.ends_time})"
    return ""


# ---- weekly patterns ---------------------------------------------------------------------


def _patterns(
    venue: Venue, start: datetime, end: datetime, patterns: list[WeeklyPattern], place: Place | None
) -> Iterator[PlanningWarning]:
    first = start.date() - timedelta(days=6)
    last = (end - timedelta(microseconds=1)).date()
    for pattern in patterns:
        if pattern.venue_kind != str(venue.kind):
            continue
        day = first
        while day <= last:
            if day.weekday() == pattern.weekday:
                end_day = day + timedelta(days=(pattern.end_weekday - pattern.weekday) % 7)
                begins, begins_words = _bound(day, pattern.starts, place, EARLIEST_SUNSET)
                ends, ends_words = _bound(end_day, pattern.ends, place, LATEST_SUNSET)
                if begins < end and start < ends:
                    yield _pattern_warning(venue, start, end, pattern, day, end_day, begins_words, ends_words)
                    break
            day += timedelta(days=1)


def _bound(day: date, clock: str | None, place: Place | None, fallback: time) -> tuple[datetime, str]:
    """A pattern's start or end on the day: its time, else sunset at the venue (its words)."""
    if clock:
        return _at(day, clock), clock
    sunset = sunset_at(place, day) if place else None
    if sunset is None:
        return datetime.combine(day, fallback, tzinfo=LONDON), "sunset"
    return sunset, f"sunset ({hhmm(sunset)})"


def _pattern_warning(
    venue: Venue,
    start: datetime,
    end: datetime,
    pattern: WeeklyPattern,
    day: date,
    end_day: date,
    begins_words: str,
    ends_words: str,
) -> PlanningWarning:
    kind = label(str(venue.kind)).lower()
    if day == end_day:
        window = f"{begins_words}–{ends_words}"
    else:
        window = f"from {begins_words} on {WEEKDAYS[day.weekday()]} to {ends_words} on {WEEKDAYS[end_day.weekday()]}"
    text = (
        f"{WEEKDAYS[start.weekday()]} {hhmm(start)}–{hhmm(end)} at a {kind} overlaps "
        f"{pattern.name} ({window})"
    )
    return PlanningWarning("weekly_pattern", text, max(day, start.date()), False)


# ---- opening hours -----------------------------------------------------------------------


def _opening(start: datetime, end: datetime, week: Week) -> Iterator[PlanningWarning]:
    if not week:
        return
    for day in _days(start, end):
        hours = week.get(day.weekday())
        if hours is None:
            yield PlanningWarning(
                "opening_hours", f"the venue is closed on {WEEKDAYS[day.weekday()]}s", day, False
            )
            continue
        midnight = datetime.combine(day, time(), tzinfo=LONDON)
        begins = max(start, midnight)
        ends = min(end, midnight + timedelta(days=1))
        if begins < _at(day, hours.opens):
            yield PlanningWarning("opening_hours", f"the venue opens at {hours.opens}", day, False)
        if ends > _at(day, hours.closes):
            yield PlanningWarning("opening_hours", f"the venue closes at {hours.closes}", day, False)
