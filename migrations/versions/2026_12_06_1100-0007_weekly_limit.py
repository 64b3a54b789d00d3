"""a person may have a weekly limit of duties as well as a monthly one (2026-12-06)"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0007_weekly_limit", "0006_job_stop"
branch_labels = depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_duties_per_week", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("max_duties_per_week")
