"""a running job can be asked to stop (a staffing plan keeps its best so far) (2026-12-06)"""

import sqlalchemy as sa
from alembic import op

import app.db

revision, down_revision = "0006_job_stop", "0005_rate_previous"
branch_labels = depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stop_requested_at", app.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("stop_requested_at")
