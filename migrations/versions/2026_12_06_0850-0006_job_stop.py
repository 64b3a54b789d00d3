"""a running job can be asked to stop (a staffing plan keeps its best so far)

Revision ID: 0006_job_stop
Revises: 0005_rate_previous
Create Date: 2026-12-06 08:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0006_job_stop"
down_revision: str | None = "0005_rate_previous"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stop_requested_at", app.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("stop_requested_at")
