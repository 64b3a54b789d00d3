"""Migration 0011 moves each campaign's JSON targets into target records (and back on a
downgrade), on SQLite and on PostgreSQL."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import migrate
from app.db import UTCDateTime, make_engine
from tests.test_migrations import postgres_base_url, scratch_postgres_database

BEFORE = "0010_interest"
CAMPAIGN = {
    "name": "Police constables",
    "description": "",
    "roles_recruited": [],
    "target_groups": [],
    "starts_on": date(2026, 9, 1),
    "ends_on": date(2027, 3, 31),
    "targets_text": "111 by April",
    "created_at": datetime(2026, 9, 1, tzinfo=UTC),
    "updated_at": datetime(2026, 9, 1, tzinfo=UTC),
    "revision": 0,
}


def _moves_targets(url: str) -> None:
    migrate.upgrade(url, BEFORE)
    engine = make_engine(url)
    kinds = {"roles_recruited": sa.JSON(), "target_groups": sa.JSON(), "created_at": UTCDateTime()}
    kinds["updated_at"] = UTCDateTime()
    campaign = sa.table(
        "campaign",
        *(sa.column(c, kinds.get(c)) for c in CAMPAIGN),
        sa.column("id"),
        sa.column("targets", sa.JSON()),
    )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(campaign),
            [
                {
                    **CAMPAIGN,
                    "targets": [
                        {"label": "ethnic-minority officers", "target": 111, "baseline": 97},
                        {"label": "women", "target": 20},
                        {"label": "not a number", "target": "lots"},
                    ],
                },
                {**CAMPAIGN, "name": "Specials", "targets": []},
            ],
        )

    migrate.upgrade(url)

    with engine.connect() as conn:
        target = sa.table(
            "campaign_target",
            *(sa.column(c) for c in ("measure", "unit", "source", "position")),
            *(sa.column(c, sa.Float()) for c in ("baseline_value", "target_value")),
            *(sa.column(c, sa.Date()) for c in ("baseline_on", "target_on")),
        )
        rows = conn.execute(
            sa.select(
                target.c.measure,
                target.c.unit,
                target.c.baseline_value,
                target.c.baseline_on,
                target.c.target_value,
                target.c.target_on,
                target.c.source,
            ).order_by(target.c.position)
        ).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("campaign")}
    assert [tuple(r) for r in rows] == [
        (
            "ethnic-minority officers",
            "count",
            97,
            date(2026, 9, 1),
            111,
            date(2027, 3, 31),
            "moved from the campaign's text",
        ),
        (
            "women",
            "count",
            0,
            date(2026, 9, 1),
            20,
            date(2027, 3, 31),
            "moved from the campaign's text; no starting point was recorded",
        ),
    ]
    assert "targets" not in columns and "targets_text" in columns

    migrate.downgrade(url, BEFORE)

    with engine.connect() as conn:
        back = conn.execute(sa.select(campaign.c.name, campaign.c.targets).order_by(campaign.c.id)).all()
    assert [tuple(r) for r in back] == [
        (
            "Police constables",
            [
                {"label": "ethnic-minority officers", "target": 111, "baseline": 97},
                {"label": "women", "target": 20, "baseline": 0},
            ],
        ),
        ("Specials", []),
    ]
    engine.dispose()


def test_migration_moves_json_targets_into_records_on_sqlite(tmp_path: Path) -> None:
    _moves_targets(f"sqlite:///{tmp_path / 'targets.db'}")


@pytest.mark.postgres
def test_migration_moves_json_targets_into_records_on_postgres() -> None:
    with scratch_postgres_database(postgres_base_url(), "targets") as url:
        _moves_targets(url)
