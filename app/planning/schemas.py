"""The planning calendar's fields, declared once for the API and the administrator's forms."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from app.api_common import MediumText, Name, Public, RefId, Strict, Town
from app.clock import LondonDateTime
from app.enums import VenueKind
from app.fields import Partial, Worded
from app.planning.dates import EXPECTED, PlanningDate

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def _clock(value: str) -> str:
    """'9:00' or '09:00' → '09:00'; the text form keeps times comparable as text."""
    hours, sep, minutes = value.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError("must be a time of day, like 13:00")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError("must be a time of day, like 13:00")
    return f"{int(hours):02d}:{minutes}"


def _plausible_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


ClockTime = Annotated[str, Field(max_length=5, examples=["13:00"]), AfterValidator(_clock)]
# An optional time: empty text (a form's box left empty) is no time.
OptionalClock = Annotated[ClockTime | None, BeforeValidator(lambda v: None if v == "" else v)]
Day = Annotated[date, AfterValidator(_plausible_day)]
Weekday = Annotated[int, Field(ge=0, le=6, examples=[4])]


class LocalDateScope(StrEnum):
    everywhere = "everywhere"
    town = "town"
    venue = "venue"
    venue_kind = "venue_kind"


class LocalDateFields(Worded, Strict):
    """A local date: a school holiday, a town's mela, a venue's own closure."""

    name: Name = Field(title="the name", examples=["Blackburn with Darwen school summer holidays"])
    starts_on: Day = Field(title="the first day")
    ends_on: Day = Field(title="the last day")
    starts_time: OptionalClock = Field(None, title="the start time on the first day")
    ends_time: OptionalClock = Field(None, title="the end time on the last day")
    scope: LocalDateScope = Field(LocalDateScope.everywhere, title="where it matters")
    town: Town = Field("", title="the town")
    venue_id: RefId | None = Field(None, title="the venue")
    venue_kind: VenueKind | None = Field(None, title="the kind of venue")
    note: MediumText = Field("", title="the note")

    def refusals(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.starts_on is None or self.ends_on is None:  # a PATCH: checked once merged
            return found
        if self.ends_on < self.starts_on:
            found["ends_on"] = "must be on or after the first day"
        elif (
            self.starts_on == self.ends_on
            and self.starts_time
            and self.ends_time
            and self.ends_time <= self.starts_time
        ):
            found["ends_time"] = "must be after the start time"
        if self.scope == LocalDateScope.town and not self.town:
            found["town"] = "is required for a date in one town"
        if self.scope == LocalDateScope.venue and self.venue_id is None:
            found["venue_id"] = "is required for a date at one venue"
        if self.scope == LocalDateScope.venue_kind and self.venue_kind is None:
            found["venue_kind"] = "is required for a date at one kind of venue"
        return found


class LocalDateCreate(LocalDateFields):
    """A new local date (``POST /api/v1/planning-calendar/local-dates``)."""


class LocalDateUpdate(Partial[LocalDateFields]):
    """A change to a local date: the fields sent; ``null`` clears a time, venue or kind."""

    NULLABLE = frozenset({"starts_time", "ends_time", "venue_id", "venue_kind"})


class LocalDatePublic(Public):
    id: int
    name: str
    starts_on: date
    ends_on: date
    starts_time: str | None
    ends_time: str | None
    scope: LocalDateScope
    town: str
    venue_id: int | None
    venue_kind: str
    note: str
    revision: int


class WeeklyPatternFields(Worded, Strict):
    """A weekly time at a kind of venue; a time left empty means sunset at the venue."""

    name: Name = Field(title="the name", examples=["Friday prayers"])
    venue_kind: VenueKind = Field(title="the kind of venue")
    weekday: Weekday = Field(title="the day it starts (0 Monday … 6 Sunday)")
    starts: OptionalClock = Field(None, title="the start time (empty: sunset)")
    end_weekday: Weekday = Field(title="the day it ends (0 Monday … 6 Sunday)")
    ends: OptionalClock = Field(None, title="the end time (empty: sunset)")
    note: MediumText = Field("", title="the note")
    active: bool = Field(True, title="in use")

    def refusals(self) -> dict[str, str]:
        if self.weekday is None or self.end_weekday is None:  # a PATCH: checked once merged
            return {}
        same_day = self.weekday == self.end_weekday
        if same_day and self.starts and self.ends and self.ends <= self.starts:
            return {"ends": "must be after the start time on the same day"}
        if same_day and self.starts is None and self.ends is None:
            return {"ends": "must be a time, or a later day, when the pattern starts at sunset"}
        return {}


class WeeklyPatternCreate(WeeklyPatternFields):
    """A new weekly pattern (``POST /api/v1/planning-calendar/weekly-patterns``)."""


class WeeklyPatternUpdate(Partial[WeeklyPatternFields]):
    """A change to a weekly pattern; ``null`` makes a time sunset."""

    NULLABLE = frozenset({"starts", "ends"})


class WeeklyPatternPublic(Public):
    id: int
    name: str
    venue_kind: str
    weekday: int
    starts: str | None
    end_weekday: int
    ends: str | None
    note: str
    active: bool
    revision: int


class PlanningDatePublic(BaseModel):
    """One planning date as answered."""

    name: str
    kind: str = Field(description="observance, bank_holiday or local_date")
    starts_on: date
    ends_on: date
    expected: bool = Field(description="waits on the moon being sighted: the date may move a day")
    expected_words: str = Field(description="'expected, ±1 day' for an expected date, else empty")
    note: str
    source: str
    venue_kinds: list[str] = Field(description="empty: matters wherever the event is")

    @classmethod
    def of(cls, found: PlanningDate) -> "PlanningDatePublic":
        return cls(
            name=found.name,
            kind=found.kind,
            starts_on=found.starts_on,
            ends_on=found.ends_on,
            expected=found.expected,
            expected_words=EXPECTED if found.expected else "",
            note=found.note,
            source=found.source,
            venue_kinds=list(found.venue_kinds),
        )


class PlanningCalendar(BaseModel):
    start: date
    end: date
    venue_id: int | None
    dates: list[PlanningDatePublic]
    weekly_patterns: list[WeeklyPatternPublic] = Field(
        description="the weekly patterns in use (at the venue's kind, when a venue is asked for)"
    )


class PlanningWarningPublic(BaseModel):
    kind: str = Field(
        description="observance, bank_holiday, weekly_pattern, local_date, opening_hours or after_sunset"
    )
    text: str = Field(description="The warning in plain words")
    day: date
    expected: bool = Field(description="about a date that waits on the moon being sighted (±1 day)")


class PlanningWarnings(BaseModel):
    venue_id: int
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    warnings: list[PlanningWarningPublic]
