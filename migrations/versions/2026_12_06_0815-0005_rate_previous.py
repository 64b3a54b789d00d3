"""rate counters remember the previous window (a sliding estimate) (2026-12-06)"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0005_rate_previous", "0004_accounts"
branch_labels = depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rate_counter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("rate_counter", schema=None) as batch_op:
        batch_op.drop_column("previous_count")
