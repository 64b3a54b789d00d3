"""A staff network's fields, declared once: the API's bodies and answers and the form."""

from typing import Annotated

from pydantic import Field

from app.api_common import Abbreviation, MediumText, Name, Public, Strict
from app.fields import Partial, Worded


class NetworkFields(Worded, Strict):
    """A network's name, as its members know it; the lengths are the database's."""

    name: Annotated[Name, Field(max_length=120)] = Field(title="the network's name")
    short_name: Abbreviation = Field("", title="the short name")
    description: MediumText = Field("", title="the description")


class NetworkCreate(NetworkFields):
    """A new network (``POST /api/v1/networks``, and the coordinator's form)."""


class NetworkUpdate(Partial[NetworkFields]):
    """A change: the fields sent, each with the same rules."""


class NetworkPublic(Public):
    id: int
    name: str
    short_name: str
    description: str
