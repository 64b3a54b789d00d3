"""targets as records, snapshots, population and workforce shares, before and after (2026-12-06)"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401

revision, down_revision = "0011_representation", "0010_interest"
branch_labels = depends_on = None

MOVED = "moved from the campaign's text"

_campaign = sa.table(
    "campaign",
    sa.column("id", sa.Integer()),
    sa.column("starts_on", sa.Date()),
    sa.column("ends_on", sa.Date()),
    sa.column("targets", sa.JSON()),
)
_target = sa.table(
    "campaign_target",
    sa.column("id", sa.Integer()),
    sa.column("campaign_id", sa.Integer()),
    sa.column("measure", sa.String()),
    sa.column("unit", sa.String()),
    sa.column("baseline_value", sa.Float()),
    sa.column("baseline_on", sa.Date()),
    sa.column("target_value", sa.Float()),
    sa.column("target_on", sa.Date()),
    sa.column("source", sa.String()),
    sa.column("position", sa.Integer()),
    sa.column("revision", sa.Integer()),
    sa.column("created_at", app.db.UTCDateTime()),
    sa.column("updated_at", app.db.UTCDateTime()),
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _moved_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    """Each JSON target of each campaign as a row: over the campaign's period, as a count."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for campaign_id, starts_on, ends_on, targets in conn.execute(sa.select(_campaign)).all():
        for position, entry in enumerate(targets if isinstance(targets, list) else []):
            if not isinstance(entry, dict) or _number(entry.get("target")) is None:
                continue  # nothing to aim for: not a target
            baseline = _number(entry.get("baseline"))
            source = MOVED if baseline is not None else MOVED + "; no starting point was recorded"
            rows.append(
                {
                    "campaign_id": campaign_id,
                    "measure": str(entry.get("label") or f"target {position + 1}")[:200],
                    "unit": "count",
                    "baseline_value": baseline or 0.0,
                    "baseline_on": starts_on,
                    "target_value": _number(entry.get("target")),
                    "target_on": ends_on,
                    "source": source,
                    "position": position,
                    "revision": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def upgrade() -> None:
    op.create_table(
        "campaign_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("campaign_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_target_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "target_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=True),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["target_id"], ["campaign_target.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("target_id", "recorded_on", name="uq_target_snapshot_day"),
    )
    with op.batch_alter_table("target_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_snapshot_target_id"), ["target_id"], unique=False)

    op.create_table(
        "population_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("group", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("share_percent", sa.Float(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("area", "group", "year", name="uq_population_share"),
    )
    op.create_table(
        "workforce_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("group", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("area", "group", "as_of", name="uq_workforce_share"),
    )
    op.create_table(
        "before_after",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("before_start", sa.Date(), nullable=False),
        sa.Column("before_end", sa.Date(), nullable=False),
        sa.Column("before_count", sa.Integer(), nullable=False),
        sa.Column("before_total", sa.Integer(), nullable=False),
        sa.Column("after_start", sa.Date(), nullable=False),
        sa.Column("after_end", sa.Date(), nullable=False),
        sa.Column("after_count", sa.Integer(), nullable=False),
        sa.Column("after_total", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("before_after", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_before_after_campaign_id"), ["campaign_id"], unique=False)

    conn = op.get_bind()
    rows = _moved_rows(conn)
    if rows:
        conn.execute(sa.insert(_target), rows)
    if conn.dialect.name == "sqlite":
        # Natively (SQLite 3.35+): a batch copy of the table would drop it, and with foreign
        # keys on, the events and targets that refer to it refuse that.
        op.execute("ALTER TABLE campaign DROP COLUMN targets")
    else:
        op.drop_column("campaign", "targets")


def downgrade() -> None:
    # Back to a JSON list: whole numbers, as the old form took them; snapshots are lost.
    conn = op.get_bind()
    op.add_column("campaign", sa.Column("targets", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    found: dict[int, list[dict[str, Any]]] = {}
    query = sa.select(
        _target.c.campaign_id, _target.c.measure, _target.c.target_value, _target.c.baseline_value
    ).order_by(_target.c.campaign_id, _target.c.position, _target.c.id)
    for campaign_id, measure, target_value, baseline_value in conn.execute(query).all():
        found.setdefault(campaign_id, []).append(
            {"label": measure, "target": round(target_value), "baseline": round(baseline_value)}
        )
    for campaign_id, targets in found.items():
        conn.execute(sa.update(_campaign).where(_campaign.c.id == campaign_id).values(targets=targets))
    if conn.dialect.name != "sqlite":  # SQLite would copy the table to change a default
        op.alter_column("campaign", "targets", server_default=None)

    with op.batch_alter_table("before_after", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_before_after_campaign_id"))
    op.drop_table("before_after")
    op.drop_table("workforce_share")
    op.drop_table("population_share")
    with op.batch_alter_table("target_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_snapshot_target_id"))
    op.drop_table("target_snapshot")
    with op.batch_alter_table("campaign_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_target_campaign_id"))
    op.drop_table("campaign_target")
