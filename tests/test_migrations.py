"""Migrations: one head; empty → head → base → head works; the migrated schema is the models'.

Runs on a fresh SQLite file, and on PostgreSQL (a scratch database made on the server of
``MUSTER_TEST_DATABASE_URL`` or ``MUSTER_TEST_POSTGRES_URL``, never the shared test database)
when either is set.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app import migrate
from app.db import make_engine
from tests.ci import need


def postgres_base_url() -> str:
    """A PostgreSQL test server's URL; skip without one, but never under CI.

    ``MUSTER_TEST_DATABASE_URL`` when the suite runs on PostgreSQL; otherwise
    ``MUSTER_TEST_POSTGRES_URL``, so these tests also cover PostgreSQL on the SQLite pass.
    """
    for variable in ("MUSTER_TEST_DATABASE_URL", "MUSTER_TEST_POSTGRES_URL"):
        url = os.environ.get(variable, "")
        if url.startswith("postgresql"):
            return url
    reason = (
        "PostgreSQL tests need MUSTER_TEST_DATABASE_URL or MUSTER_TEST_POSTGRES_URL=postgresql+psycopg://…"
    )
    need(reason)


@contextmanager
def scratch_postgres_database(base_url: str, purpose: str) -> Iterator[str]:
    """A new, empty database on the test server (the role needs CREATEDB), dropped afterwards."""
    url = sa.engine.make_url(base_url)
    name = f"{url.database or 'muster'}_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _schema_differences(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def _head() -> str:
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1
    return heads[0]


def _current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _round_trip_and_compare(url: str) -> None:
    model_tables = set(SQLModel.metadata.tables)
    assert _tables(url) == set()

    migrate.upgrade(url)
    assert _tables(url) == model_tables | {"alembic_version"}
    assert _current_revision(url) == _head()

    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    assert _current_revision(url) is None

    migrate.upgrade(url)
    assert _current_revision(url) == _head()
    assert _schema_differences(url) == []


def test_migrations_have_exactly_one_head() -> None:
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()

    assert len(heads) == 1, f"Alembic has {len(heads)} heads {heads}: merge them (alembic merge heads)"


def test_migrations_round_trip_and_match_models_on_sqlite(tmp_path: Path) -> None:
    _round_trip_and_compare(f"sqlite:///{tmp_path / 'migrations.db'}")


@pytest.mark.postgres
def test_migrations_round_trip_and_match_models_on_postgres() -> None:
    with scratch_postgres_database(postgres_base_url(), "migr") as url:
        _round_trip_and_compare(url)
