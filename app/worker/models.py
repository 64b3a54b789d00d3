from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column


class Job(SQLModel, table=True):
    """Long work for the background worker. ``dedupe_key`` makes a periodic task's run for
    one period, or any job asked for twice, a single row that one worker runs once."""

    __tablename__ = "job"
    __table_args__ = (sa.Index("ix_job_due", "status", "run_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    dedupe_key: str | None = Field(default=None, max_length=160, sa_column_kwargs={"unique": True})
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    status: str = Field(default="queued", max_length=20)
    run_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=120)
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    error: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    started_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Set by whoever asks a running job to stop; its handler notices and ends with what it has.
    stop_requested_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class WorkerHeartbeat(SQLModel, table=True):
    """Each running worker's last sign of life and what it has done, for the health page."""

    __tablename__ = "worker_heartbeat"

    worker_id: str = Field(max_length=120, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    beat_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    messages_sent: int = 0
    jobs_run: int = 0
    last_error: str = Field(default="", max_length=1000)
