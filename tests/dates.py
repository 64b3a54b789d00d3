"""Days for tests, derived from today's clock so that a test written this year passes next year.

Events may not be booked in the past and feeds drop old events, so a test that writes a
fixed date rots on that date. A test about a calendar situation (a summer day in BST, a
winter day in GMT, the night the clocks change) asks here for the next such day far enough
ahead of today, and builds its expected London times from it::

    day = summer_day()                       # a Wednesday in July, at least a week ahead
    at(day, 10)                              # "2027-07-14T10:00", London wall-clock time
    london(day, 10)                          # the same instant as aware UTC
"""

from datetime import date, datetime, time, timedelta

from app.clock import LONDON, from_london, utcnow

AHEAD = 7  # days: far enough that a slow run, or one across midnight, never reaches "the past"
WEDNESDAY = 2
SUNDAY = 6


def today() -> date:
    """Today in London, the calendar people book against."""
    return utcnow().astimezone(LONDON).date()


def weekday_ahead(weekday: int = WEDNESDAY, *, weeks: int = 2) -> date:
    """The first ``weekday`` (Monday is 0) at least ``weeks`` weeks from today."""
    first = today() + timedelta(weeks=weeks)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def next_in_month(month: int, weekday: int = WEDNESDAY, *, ahead: int = AHEAD) -> date:
    """The first ``weekday`` of ``month`` at least ``ahead`` days from today (this year or next)."""
    day = today() + timedelta(days=ahead)
    while day.month != month or day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def summer_day(weekday: int = WEDNESDAY) -> date:
    """A day in July, when London keeps British Summer Time (UTC+1)."""
    return next_in_month(7, weekday)


def winter_day(weekday: int = WEDNESDAY) -> date:
    """A day in January, when London keeps Greenwich Mean Time (UTC+0)."""
    return next_in_month(1, weekday)


def spring_forward() -> date:
    """The next last Sunday of March ahead of today: 01:00–02:00 does not exist in London."""
    return _last_sunday(3)


def fall_back() -> date:
    """The next last Sunday of October ahead of today: 01:00–02:00 happens twice in London."""
    return _last_sunday(10)


def _last_sunday(month: int) -> date:
    day = next_in_month(month, SUNDAY)
    while (day + timedelta(weeks=1)).month == month:
        day += timedelta(weeks=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> str:
    """London wall-clock time as the API and forms take it, without an offset."""
    return datetime.combine(day, time(hour, minute)).isoformat(timespec="minutes")


def london(day: date, hour: int, minute: int = 0) -> datetime:
    """The aware UTC instant of ``hour:minute`` London time on ``day``."""
    return from_london(datetime.combine(day, time(hour, minute)))


def clear_days_ahead(ahead: int) -> int:
    """The fewest days, at least ``ahead``, from today to a day with no bank holiday or
    religious or cultural date on it, for a test about something else: booking on such a day
    asks for the planning warnings to be acknowledged first."""
    from app.planning.dates import calendar_dates  # here, so dates.py stays light for the rest

    days = ahead
    # A day either side too: a UTC instant ``days`` ahead may fall on the London day before or after.
    while calendar_dates(today() + timedelta(days=days - 1), today() + timedelta(days=days + 1)):
        days += 1
    return days
