"""Calendar arithmetic for the dashboard, in London dates (pure; no database)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

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
