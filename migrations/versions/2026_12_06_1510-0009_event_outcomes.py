"""event outcomes and who of the team attended (2026-12-06)"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision, down_revision = "0009_event_outcomes", "0008_planning_calendar"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_outcome",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("people_spoken_to", sa.Integer(), nullable=False),
        sa.Column("interest_on_paper", sa.Integer(), nullable=False),
        sa.Column("leaflets", sa.Integer(), nullable=False),
        sa.Column("what_worked", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "people_spoken_to >= 0 AND interest_on_paper >= 0 AND leaflets >= 0",
            name="event_outcome_counts_not_negative",
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column(
                "absence_reason",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("absence_reason")
        batch_op.drop_column("attendance")
    op.drop_table("event_outcome")
