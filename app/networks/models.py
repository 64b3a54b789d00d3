from datetime import datetime

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column


class Network(SQLModel, table=True):
    """A staff support network or association (Black Police Association, LGBT+ network…)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    short_name: str = Field(default="", max_length=40)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
