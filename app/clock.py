"""Europe/London wall-clock time: parsing what people type, storing aware UTC.

Every instant is stored as aware UTC. People think in London local time, which jumps an
hour at the end of March and back at the end of October; these helpers are the one place
that knows how.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

LONDON = ZoneInfo("Europe/London")


# The instants the API accepts: wide enough for history and plans, narrow enough that date
# arithmetic (month bounds, travel buffers, London offsets) can never overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class NonexistentLocalTime(ValueError):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


def from_london(wall: datetime) -> datetime:
    """Turn a naive London wall-clock time into aware UTC.

    A time in the spring-forward gap (e.g. 01:30 on the last Sunday of March) does not
    exist and is refused. An ambiguous autumn time (01:30 on the last Sunday of October
    happens twice) is taken as the *first* occurrence, still in BST (``fold=0``), because
    an event booked "at 01:30" is most likely meant before the clocks go back.
    """
    local = wall.replace(tzinfo=LONDON, fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(LONDON).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise NonexistentLocalTime(
            f"{wall:%Y-%m-%d %H:%M} does not exist in Europe/London (the clocks go forward an hour then)"
        )
    return as_utc


def to_utc(value: datetime) -> datetime:
    """Aware values keep their instant; naive ones mean London wall-clock time."""
    if value.tzinfo is None:
        return from_london(value)
    return value.astimezone(UTC)


def to_london(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def london_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a London calendar day starts and ends (23 or 25 h long)."""
    start = from_london(datetime.combine(day, time.min))
    end = from_london(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


def london_month_bounds(instant: datetime) -> tuple[datetime, datetime]:
    local = to_london(instant)
    first = local.date().replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    return london_day_bounds(first)[0], london_day_bounds(next_first)[0]


def london_week_bounds(instant: datetime) -> tuple[datetime, datetime]:
    """The London week (Monday to Sunday) around an instant, as UTC bounds."""
    local = to_london(instant).date()
    monday = local - timedelta(days=local.weekday())
    return london_day_bounds(monday)[0], london_day_bounds(monday + timedelta(days=7))[0]


def _parse_instant(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(
                "not an ISO 8601 date-time; use e.g. 2026-07-15T10:00 (London time) or 2026-07-15T09:00:00Z"
            ) from exc
    if isinstance(value, datetime):
        try:
            instant = to_utc(value)
        except OverflowError as exc:  # e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
            raise ValueError("the date-time is out of range") from exc
        if not EARLIEST <= instant < LATEST:
            raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year - 1}")
        return instant
    return value


def _serialize_london(value: datetime) -> str:
    return to_london(value).isoformat()


LondonDateTime = Annotated[
    datetime,
    BeforeValidator(_parse_instant),
    PlainSerializer(_serialize_london, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with an offset, or without one meaning Europe/London "
            "wall-clock time. Answers are in London time with its offset.",
            "example": "2026-07-15T10:00:00+01:00",
        }
    ),
]
"""An instant in the API: parsed from offset or London wall-clock time, shown in London."""
