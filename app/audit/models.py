from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    actor_label: str = Field(max_length=200)
    action: str = Field(max_length=40)
    record_type: str = Field(max_length=40, index=True)
    record_id: int = Field(index=True)
    summary: str = Field(default="", max_length=500)
    before: dict[str, Any] | None = Field(default=None, sa_column=json_column(nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=json_column(nullable=True))
