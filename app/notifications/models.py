from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column

PENDING = "pending"


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one address, written in the same transaction as the change behind it.

    ``topic`` names what the message keeps someone up to date about ("duty:12" for a
    person's place on an event); at most one message per topic waits at a time, so several
    changes in a few minutes become one message, composed from the state when it is sent.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index(
            "ix_outbox_one_pending_per_topic",
            "topic",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_outbox_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Also the Message-ID's left part: a resent copy is recognisably the same message.
    idempotency_key: str = Field(max_length=160, sa_column_kwargs={"unique": True})
    topic: str = Field(max_length=160, index=True)
    kind: str = Field(max_length=40)
    subject_id: int | None = None
    recipient: str = Field(default="", max_length=254)
    status: str = Field(default=PENDING, max_length=20)
    due_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    claimed_by: str = Field(default="", max_length=120)
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    composed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # What the message said, as sent: shown on the outbox page and resent as-is after a crash.
    sent_kind: str = Field(default="", max_length=40)
    to_address: str = Field(default="", max_length=600)
    mail_subject: str = Field(default="", max_length=300)
    body_text: str = Field(default="", sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text)
    calendar: str = Field(default="", sa_type=sa.Text)
    calendar_method: str = Field(default="", max_length=20)
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    # What the recipient now knows (a duty's time, place, lead…): the next message's baseline.
    state: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class NotificationPreference(SQLModel, table=True):
    """What one e-mail address wants to hear; an address with no row gets the defaults.

    Keyed by address so that people with no sign-in (most ambassadors, to start with)
    can still unsubscribe from a kind of message in one click.
    """

    __tablename__ = "notification_preference"

    email: str = Field(max_length=254, primary_key=True)
    muted: list[str] = Field(default_factory=list, sa_column=json_column())
    reminder_hours: list[int] = Field(default_factory=lambda: [48], sa_column=json_column())
    morning_reminder: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ActionLink(SQLModel, table=True):
    """A single-use, expiring link in a message (accept a duty, confirm a booking, set a
    password). Only the token's SHA-256 is kept: a copy of the database opens nothing."""

    __tablename__ = "action_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    purpose: str = Field(max_length=40)
    subject_id: int
    recipient: str = Field(default="", max_length=254)
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
