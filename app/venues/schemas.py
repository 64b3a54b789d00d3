"""A venue's fields, declared once: the API's bodies and answers and the coordinator's form."""

from typing import Annotated

from pydantic import BaseModel, Field

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
