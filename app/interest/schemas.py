"""The fields of an expression of interest, declared once: the public form reads into
``InterestFields``, the API answers ``InterestPublic`` and takes ``InterestUpdate``."""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.api_common import MediumText, Patch, Public, Strict, _line, _text
from app.enums import InterestRole, InterestStatus
from app.fields import OptionalEmail, Worded

NAME_LIMIT = 120
PHONE_LIMIT = 30
MESSAGE_LIMIT = 1000

CONSENT_REFUSED = "is needed: tick the box to say we may contact you"
CONTACT_NEEDED = "or phone number is needed, so that we can get in touch"
_PHONE = re.compile(r"^\+?[0-9 ()\-.]+$")


def _phone_number(value: str) -> str:
    """UK and international numbers as people type them: 07700 900123, +44 (0)1254 123456."""
    if not value:
        return value
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 7 <= digits <= 15:
        raise ValueError("must be a phone number, like 07700 900123")
    return value


def _consented(value: bool) -> bool:
    if not value:
        raise ValueError(CONSENT_REFUSED)
    return value


class InterestFields(Worded, Strict):
    """What someone sends from the form: who they are, how to reach them, what interests them."""

    full_name: Annotated[str, *_line(1, NAME_LIMIT)] = Field(title="your name")
    email: Annotated[OptionalEmail, Field(max_length=254)] = Field("", title="your e-mail address")
    phone: Annotated[str, *_line(0, PHONE_LIMIT), AfterValidator(_phone_number)] = Field(
        "", title="your phone number"
    )
    roles: Annotated[list[InterestRole], Field(max_length=len(InterestRole))] = Field(
        [], title="the roles you are interested in"
    )
    message: Annotated[str, *_text(MESSAGE_LIMIT)] = Field("", title="your message")
    consent: Annotated[bool, AfterValidator(_consented)] = Field(False, title="your agreement")

    def refusals(self) -> dict[str, str]:
        if not self.email and not self.phone:
            return {"email": CONTACT_NEEDED}
        return {}


class InterestPublic(Public):
    """An expression of interest as coordinators read it over the API."""

    id: int
    event_id: int | None
    venue_id: int | None
    campaign_id: int | None
    town: str
    full_name: str
    email: str
    phone: str
    roles: list[str]
    message: str
    consent_given_at: datetime
    status: InterestStatus
    status_changed_at: datetime | None
    coordinator_note: str
    created_at: datetime
    erase_after: datetime
    revision: int


class InterestUpdate(Worded, Patch):
    """A coordinator's follow-up: the new status, and a note of what was done."""

    status: InterestStatus | None = Field(None, title="the status")
    coordinator_note: MediumText | None = Field(None, title="the note")


CountBy = Literal["event", "venue", "town", "campaign"]


class CountRow(Public):
    key: int | str | None = Field(description="The event, venue or campaign id, or the town; null: none")
    label: str = Field(description="Its name, for people")
    count: int


class InterestCounts(Public):
    by: CountBy
    campaign_id: int | None
    total: int
    rows: list[CountRow]


ROLE_WORDS: dict[str, str] = {
    InterestRole.police_constable: "Police constable",
    InterestRole.special_constable: "Special constable (a volunteer police officer)",
    InterestRole.pcso: "Police community support officer (PCSO)",
    InterestRole.police_staff: "Police staff (a civilian role)",
    InterestRole.control_room: "Control room (answering 999 and 101 calls)",
    InterestRole.detective: "Detective",
    InterestRole.other: "Something else, or not sure yet",
}
"""What each role is called on the form, for someone who does not know the force's words."""
