"""A person's fields, declared once: the API's bodies and answers and the coordinator's form."""

from typing import Annotated

from pydantic import BaseModel, Field

from app.api_common import Code, Language, Latitude, Longitude, Name, Phone, Public, ShortText, Strict, Town
from app.clock import LondonDateTime
from app.enums import AssignmentRole, AssignmentStatus, EventStatus, PersonKind
from app.fields import OptionalEmail, Partial, Worded


class PersonFields(Worded, Strict):
    """What a coordinator records about a person; the lengths are the database's."""

    name: Name = Field(title="the person's name")
    staff_number: Code = Field(title="the staff number")
    kind: PersonKind = Field(title="what they are")
    rank_or_title: Annotated[ShortText, Field(max_length=120)] = Field("", title="the rank or title")
    base_town: Town = Field("", title="the base")
    latitude: Latitude | None = Field(None, title="the base's latitude", examples=[53.748])
    longitude: Longitude | None = Field(None, title="the base's longitude", examples=[-2.482])
    languages: Annotated[list[Language], Field(max_length=20)] = Field([], title="the languages")
    monthly_limit: Annotated[int, Field(ge=0, le=31)] = Field(4, title="the monthly limit", examples=[4])
    max_duties_per_week: Annotated[int, Field(ge=0, le=7)] | None = Field(
        None,
        title="the weekly limit",
        description="Most duties a week (Monday to Sunday); none: no weekly limit",
    )
    active: bool = Field(True, title="active")
    email: OptionalEmail = Field("", title="the e-mail address")
    phone: Phone = Field("", title="the phone number")


class PersonCreate(PersonFields):
    """A new person (``POST /api/v1/people``, and the coordinator's form)."""


class PersonUpdate(Partial[PersonFields]):
    """A change: the fields sent, each with the same rules; ``null`` clears the map position."""

    NULLABLE = frozenset({"latitude", "longitude"})


class RepresentationPublic(Public):
    id: int
    person_id: int
    network_id: int
    opted_in_at: LondonDateTime
    public_naming: bool
    public_naming_at: LondonDateTime | None


class PersonPublic(Public):
    id: int
    name: str
    staff_number: str
    kind: PersonKind
    rank_or_title: str
    base_town: str
    latitude: float | None
    longitude: float | None
    languages: list[str]
    monthly_limit: int
    max_duties_per_week: int | None
    active: bool
    email: str
    phone: str
    revision: int
    # Only for coordinators, administrators and the person: null for everyone else.
    representations: list[RepresentationPublic] | None = None


class AffectedPlace(BaseModel):
    assignment_id: int
    event_id: int
    title: str
    venue_name: str
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    event_status: EventStatus
    role: AssignmentRole
    status: AssignmentStatus


class PersonDeactivation(BaseModel):
    person_id: int
    name: str
    active: bool
    summary: str
    assignments: list[AffectedPlace]
