"""calendar feeds: change counters per feed scope, and the nonce of HMAC-derived links (2026-11-22)"""

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db

revision, down_revision = "0002_feeds", "0001"
branch_labels = depends_on = None


def upgrade() -> None:
    feed_change = op.create_table(
        "feed_change",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    # Feeds built before this migration may have been cached by clients: start the
    # counter of everything now, so Last-Modified never goes back in time.
    op.bulk_insert(feed_change, [{"scope": "all", "version": 1, "changed_at": datetime.now(UTC)}])
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "nonce",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_column("nonce")
    op.drop_table("feed_change")
