"""Calendar arithmetic for the dashboard, in London dates (pure; no database)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from app.clock import from_london, to_london, utcnow


def today_in_london() -> date:
    return to_london(utcnow()).date()


def london_date(value: datetime) -> date:
    return to_london(value).date()


def start_of_week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_grid(anchor: date) -> list[list[date]]:
    """The Monday-to-Sunday weeks that cover the month of ``anchor``."""
    first = anchor.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    day = start_of_week(first)
    weeks: list[list[date]] = []
    while day < next_first:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks


def shift_month(anchor: date, months: int) -> date:
    index = anchor.year * 12 + anchor.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def utc_range(first: date, last_exclusive: date) -> tuple[datetime, datetime]:
    """UTC instants bounding whole London days (the clocks may change in between)."""
    return from_london(datetime.combine(first, time.min)), from_london(
        datetime.combine(last_exclusive, time.min)
    )


@dataclass
class Day:
    date: date
    in_month: bool = True
    events: list[Any] = field(default_factory=list)
    more: int = 0
    # The planning dates (bank holidays, religious and cultural dates, local dates) on the day.
    marks: list["Mark"] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == today_in_london()


def fill_days(days: list[date], events: list[Any], *, per_day: int, month: int | None = None) -> list[Day]:
    """Spread events (or ``(id, starts_at)`` pairs) over the days they start on, keeping at
    most ``per_day`` on each and counting the rest."""
    by_day: dict[date, Day] = {d: Day(d, in_month=month is None or d.month == month) for d in days}
    for event in events:
        starts_at = event[1] if isinstance(event, tuple) else event.starts_at
        slot = by_day.get(london_date(starts_at))
        if slot is None:
            continue
        if len(slot.events) < per_day:
            slot.events.append(event)
        else:
            slot.more += 1
    return [by_day[d] for d in days]


def swap_in(days: list[Day], records: dict[int, Any]) -> None:
    """Replace the ``(id, starts_at)`` pairs placed by ``fill_days`` with the records."""
    for day in days:
        day.events = [records[item[0]] if isinstance(item, tuple) else item for item in day.events]
        day.events = [e for e in day.events if not isinstance(e, tuple)]


class DatedSpan(Protocol):
    """A planning date as the calendar needs it (``app.planning.calendar.PlanningDate``)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date: ...
    @property
    def expected(self) -> bool: ...


@dataclass(frozen=True)
class KeyEntry:
    """One line of the calendar's key: a kind of band, its letter, and what it means."""

    kind: str
    letter: str
    words: str


KEY: dict[str, KeyEntry] = {
    entry.kind: entry
    for entry in (
        KeyEntry("bank_holiday", "B", "Bank holiday: job centres and many venues are closed"),
        KeyEntry("observance", "R", "Religious or cultural date"),
        KeyEntry("local_date", "L", "Local date: school holidays, a town's event, a venue's closure"),
        KeyEntry("expected", "±", "Expected date: waits on the moon being sighted, ±1 day"),
    )
}


@dataclass(frozen=True)
class Mark:
    """A planning date on one day of the calendar, drawn as a band across the day.
    ``first`` on the day it starts (or the first day shown), where its name is written out."""

    name: str
    kind: str
    expected: bool
    first: bool
    last: bool

    @property
    def letter(self) -> str:
        return KEY[self.kind].letter if self.kind in KEY else "•"

    @property
    def words(self) -> str:
        return self.name + (" (expected, ±1 day)" if self.expected else "")


def mark_planning_dates(days: list[Day], dates: Sequence[DatedSpan]) -> list[KeyEntry]:
    """Lay each planning date across the days it covers (bank holidays first, then by start)
    and return the key of the kinds shown, so the key explains only what is on screen."""
    if not days:
        return []
    shown = [d.date for d in days]
    order = {"bank_holiday": 0, "local_date": 1, "observance": 2}
    ordered = sorted(dates, key=lambda d: (order.get(d.kind, 3), d.starts_on, d.name))
    kinds: set[str] = set()
    for day in days:
        for span in ordered:
            if not span.starts_on <= day.date <= span.ends_on:
                continue
            first = day.date == span.starts_on or day.date == shown[0] or day.date.weekday() == 0
            last = day.date == span.ends_on or day.date == shown[-1] or day.date.weekday() == 6
            day.marks.append(Mark(span.name, span.kind, span.expected, first, last))
            kinds.add(span.kind)
            if span.expected:
                kinds.add("expected")
    return [entry for kind, entry in KEY.items() if kind in kinds]
