from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column
from app.enums import AssignmentRole, AssignmentStatus, AttendanceStatus


class Assignment(SQLModel, table=True):
    """A person on an event in a role. Never deleted: declined and withdrawn stay on record."""

    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: AssignmentRole = Field(sa_type=sa.String(20))
    status: AssignmentStatus = Field(default=AssignmentStatus.proposed, sa_type=sa.String(20), index=True)
    # Bumped on every change of role or status: the personal calendar's SEQUENCE adds it.
    revision: int = 0
    # Set when an event moved onto this person's other duty and the coordinator accepted it.
    conflict_note: str = Field(default="", max_length=500)
    decline_reason: str = Field(default="", max_length=500)
    # Recorded with the event's outcome (app/outcomes); None until then. Once recorded, only
    # duties attended count towards a person's load (app/outcomes/counting.py).
    attendance: AttendanceStatus | None = Field(default=None, sa_type=sa.String(20))
    absence_reason: str = Field(default="", max_length=500)
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
