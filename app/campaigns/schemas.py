"""A campaign's fields, declared once: the API's bodies and answers and the coordinator's form."""

from datetime import date
from typing import Annotated

from pydantic import Field

from app.api_common import LongText, MediumText, Name, Public, ShortText, Strict
from app.fields import Partial, Worded

Words = Annotated[list[Annotated[ShortText, Field(min_length=1, max_length=100)]], Field(max_length=20)]


class CampaignFields(Worded, Strict):
    name: Name = Field(title="the campaign's name")
    description: LongText = Field("", title="the description")
    roles_recruited: Words = Field([], title="the roles recruited")
    target_groups: Words = Field([], title="the groups to reach")
    starts_on: date = Field(title="the first day")
    ends_on: date = Field(title="the last day")
    targets_text: MediumText = Field("", title="the targets in words")

    def refusals(self) -> dict[str, str]:
        # A PATCH may carry one of the two days: the service checks it against the other.
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            return {"ends_on": "must be the same as or after the first day"}
        return {}


class CampaignCreate(CampaignFields):
    """A new campaign (``POST /api/v1/campaigns``, and the coordinator's form)."""


class CampaignUpdate(Partial[CampaignFields]):
    """A change: the fields sent, each with the same rules."""


class CampaignPublic(Public):
    id: int
    name: str
    description: str
    roles_recruited: list[str]
    target_groups: list[str]
    starts_on: date
    ends_on: date
    targets_text: str
    revision: int
