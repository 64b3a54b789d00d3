"""A venue's fields, declared once: the API's bodies and answers and the coordinator's form."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from app.api_common import (
    Latitude,
    Longitude,
    MediumText,
    Name,
    Phone,
    Postcode,
    Public,
    ShortText,
    Strict,
    Town,
)
from app.clock import LondonDateTime
from app.enums import EventStatus, VenueKind
from app.fields import OptionalEmail, Partial, Worded
from app.planning.schemas import ClockTime, Weekday


class OpeningHoursDay(Worded, Strict):
    """One weekday the venue is open, London time; a weekday not listed is a closed day."""

    weekday: Weekday = Field(title="the weekday (0 Monday … 6 Sunday)")
    opens: ClockTime = Field(title="the opening time")
    closes: ClockTime = Field(title="the closing time")

    def refusals(self) -> dict[str, str]:
        if self.closes <= self.opens:
            return {"closes": "must be after the opening time"}
        return {}


def _one_row_a_day(days: list[OpeningHoursDay]) -> list[OpeningHoursDay]:
    weekdays = [d.weekday for d in days]
    if len(set(weekdays)) != len(weekdays):
        raise ValueError("may list each weekday once")
    return sorted(days, key=lambda d: d.weekday)


OpeningWeek = Annotated[list[OpeningHoursDay], Field(max_length=7), AfterValidator(_one_row_a_day)]


class VenueFields(Worded, Strict):
    """What a coordinator says about a venue; the lengths are the database's."""

    name: Name = Field(title="the venue's name")
    kind: VenueKind = Field(title="the kind of venue")
    address: Annotated[MediumText, Field(max_length=500)] = Field("", title="the address")
    town: Town = Field("", title="the town")
    postcode: Postcode = Field("", title="the postcode")
    latitude: Latitude | None = Field(None, title="the latitude", examples=[53.748])
    longitude: Longitude | None = Field(None, title="the longitude", examples=[-2.482])
    accessibility_notes: MediumText = Field("", title="the access notes")
    parking_notes: MediumText = Field("", title="the parking notes")
    opening_notes: MediumText = Field("", title="the opening notes")
    opening_hours: OpeningWeek | None = Field(
        None,
        title="the opening hours",
        description="The days the venue is open, each once; a weekday left out is closed, "
        "and an empty list means the hours are not recorded (nothing is flagged). "
        "Left out of a change: kept as they are.",
        examples=[[{"weekday": 0, "opens": "09:00", "closes": "17:00"}]],
    )
    partner_organisation: ShortText = Field("", title="the partner organisation")
    contact_name: ShortText = Field("", title="the contact's name")
    contact_phone: Phone = Field("", title="the contact's phone number")
    contact_email: OptionalEmail = Field("", title="the contact's e-mail address")
    active: bool = Field(True, title="in use")


class VenueCreate(VenueFields):
    """A new venue (``POST /api/v1/venues``, and the coordinator's form)."""


class VenueUpdate(Partial[VenueFields]):
    """A change: the fields sent, each with the same rules; ``null`` clears the map position."""

    NULLABLE = frozenset({"latitude", "longitude"})


class VenuePublic(Public):
    id: int
    name: str
    kind: VenueKind
    address: str
    town: str
    postcode: str
    latitude: float | None
    longitude: float | None
    accessibility_notes: str
    parking_notes: str
    opening_notes: str
    opening_hours: list[OpeningHoursDay] = Field(
        default=[],
        description="The days the venue is open; a weekday left out is closed; empty: not recorded",
    )
    partner_organisation: str
    contact_name: str
    contact_phone: str
    contact_email: str
    active: bool
    revision: int


class AffectedEvent(BaseModel):
    event_id: int
    title: str
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    status: EventStatus
    public: bool


class VenueDeactivation(BaseModel):
    venue_id: int
    name: str
    active: bool
    summary: str
    events: list[AffectedEvent]
