from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column
from app.enums import VenueKind


class Venue(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: VenueKind = Field(sa_type=sa.String(30))
    address: str = Field(default="", max_length=500)
    town: str = Field(default="", max_length=120, index=True)
    postcode: str = Field(default="", max_length=12)
    latitude: float | None = None
    longitude: float | None = None
    accessibility_notes: str = Field(default="", max_length=2000)
    parking_notes: str = Field(default="", max_length=2000)
    opening_notes: str = Field(default="", max_length=2000)
    partner_organisation: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=254)
    active: bool = True
    # Bumped on every change: an edit made from an older copy is refused (If-Match).
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())

    @property
    def full_address(self) -> str:
        """'Name, street, town POSTCODE' for people to find it; the town is left out when
        the street line already ends with it ("Broadway, Nelson")."""
        street = self.address.strip()
        town = self.town.strip()
        if town and street.lower().endswith(town.lower()):
            town = ""
        place = ", ".join(p for p in (self.name.strip(), street, town) if p)
        return f"{place} {self.postcode.strip()}".strip()


class VenueOpeningHours(SQLModel, table=True):
    """When a venue is open on one weekday (0 Monday … 6 Sunday); a weekday without a row is
    a closed day, and a venue without any row has no hours recorded (nothing is flagged).

    A table rather than a JSON column: the database checks each row (weekday, opens before
    closes, one row a day), and the warnings read many venues' hours in one query."""

    __tablename__ = "venue_opening_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_venue_opening_hours_weekday"),
        sa.CheckConstraint("opens < closes", name="ck_venue_opening_hours_order"),
    )

    venue_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True)
    )
    weekday: int = Field(primary_key=True)
    opens: str = Field(max_length=5)
    closes: str = Field(max_length=5)
