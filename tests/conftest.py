"""Test set-up: a real, migrated database (SQLite file, or PostgreSQL when
``MUSTER_TEST_DATABASE_URL`` is set), emptied between tests, and the app over HTTP."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="muster-test-"))
TEST_DATABASE_URL = os.environ.get("MUSTER_TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
os.environ["MUSTER_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["MUSTER_SECRET_KEY"] = "test-secret-key-not-for-production-0123456789"
os.environ["MUSTER_BASE_URL"] = "https://muster.test"
# Messages are due at once in tests; the coalescing tests set their own delay.
os.environ["MUSTER_NOTIFY_DELAY_SECONDS"] = "0"
os.environ.pop("MUSTER_SMTP_URL", None)

import sqlalchemy as sa  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from app import migrate, tracking  # noqa: E402
from app.db import get_engine  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.servers import LiveServer, start_live_server  # noqa: E402

IS_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture(scope="session")
def engine() -> Iterator[sa.Engine]:
    engine = get_engine()
    if IS_POSTGRES:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    migrate.upgrade(TEST_DATABASE_URL)
    tracking.install()
    yield engine


def _empty(engine: sa.Engine) -> None:
    import app.models  # noqa: F401

    tables = [t for t in SQLModel.metadata.sorted_tables]
    with engine.begin() as conn:
        if IS_POSTGRES:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.exec_driver_sql("DELETE FROM sqlite_sequence") if _has_sequence(conn) else None


def _has_sequence(conn: sa.Connection) -> bool:
    return bool(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'").first())


@pytest.fixture()
def db(engine: sa.Engine) -> Iterator[Session]:
    """A session on the emptied test database; what services commit is really committed."""
    _empty(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture()
def make(db: Session) -> Factory:
    """Builders for test data: ``make.venue()``, ``make.event(...)``, ``make.user("staff")``."""
    return Factory(db)


@pytest.fixture()
def client(db: Session) -> Iterator[TestClient]:
    from app.main import app

    with TestClient(app, base_url="https://muster.test") as test_client:
        yield test_client


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app under uvicorn with several workers, for one test module's simultaneous requests:
    on a SQLite file, and on a PostgreSQL database made for it (skipped without a server)."""
    from tests.test_migrations import postgres_base_url, scratch_postgres_database

    folder = tmp_path_factory.mktemp(f"live-{request.param}")
    log = folder / "uvicorn.log"
    if request.param == "sqlite":
        with start_live_server(f"sqlite:///{folder / 'muster.db'}", log) as server:
            yield server
        return
    with (
        scratch_postgres_database(postgres_base_url(), "live") as url,
        start_live_server(url, log) as server,
    ):
        yield server
