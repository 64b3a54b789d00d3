"""planning calendar: local dates, weekly patterns by venue kind, opening hours (2026-12-06)"""

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401

revision, down_revision = "0008_planning_calendar", "0007_weekly_limit"
branch_labels = depends_on = None

# The standard weekly patterns, editable afterwards; a copy, not an import, so that this
# migration stays as it was run (app.planning.service.STANDARD_PATTERNS adds them elsewhere).
STANDARD_PATTERNS = [
    {
        "name": "Friday prayers",
        "venue_kind": "mosque",
        "weekday": 4,
        "starts": "13:00",
        "end_weekday": 4,
        "ends": "14:00",
        "note": "Jumu'ah: the mosque's busiest hour; the time moves with the seasons, so ask the mosque.",
    },
    {
        "name": "Sabbath",
        "venue_kind": "synagogue",
        "weekday": 4,
        "starts": None,
        "end_weekday": 5,
        "ends": None,
        "note": "Shabbat, from sunset on Friday to nightfall on Saturday.",
    },
    {
        "name": "Sunday services",
        "venue_kind": "church",
        "weekday": 6,
        "starts": "10:00",
        "end_weekday": 6,
        "ends": "12:00",
        "note": "Morning services; many churches hold more in the evening.",
    },
]


def upgrade() -> None:
    op.create_table(
        "local_date",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("starts_time", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("ends_time", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("town", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("venue_kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name="ck_local_date_order"),
        sa.CheckConstraint("scope IN ('everywhere', 'town', 'venue', 'venue_kind')", name="ck_local_date_scope"),
        sa.ForeignKeyConstraint(["venue_id"], ["venue.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_local_date_starts_on", "local_date", ["starts_on"])
    op.create_index("ix_local_date_ends_on", "local_date", ["ends_on"])
    op.create_index("ix_local_date_venue_id", "local_date", ["venue_id"])

    patterns = op.create_table(
        "weekly_pattern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("venue_kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("end_weekday", sa.Integer(), nullable=False),
        sa.Column("ends", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_weekly_pattern_weekday"),
        sa.CheckConstraint("end_weekday BETWEEN 0 AND 6", name="ck_weekly_pattern_end_weekday"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_weekly_pattern_venue_kind", "weekly_pattern", ["venue_kind"])

    op.create_table(
        "venue_opening_hours",
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("closes", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_venue_opening_hours_weekday"),
        sa.CheckConstraint("opens < closes", name="ck_venue_opening_hours_order"),
        sa.ForeignKeyConstraint(["venue_id"], ["venue.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("venue_id", "weekday"),
    )

    now = datetime.now(UTC)
    op.bulk_insert(
        patterns,
        [{**row, "active": True, "revision": 0, "created_at": now, "updated_at": now} for row in STANDARD_PATTERNS],
    )


def downgrade() -> None:
    op.drop_table("venue_opening_hours")
    op.drop_index("ix_weekly_pattern_venue_kind", table_name="weekly_pattern")
    op.drop_table("weekly_pattern")
    op.drop_index("ix_local_date_venue_id", table_name="local_date")
    op.drop_index("ix_local_date_ends_on", table_name="local_date")
    op.drop_index("ix_local_date_starts_on", table_name="local_date")
    op.drop_table("local_date")
