"""The report and where-next cost the same number of SQL statements whatever the data's size:
every figure is a GROUP BY, never a loop over rows."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from tests.factories import Factory
from tests.reports.conftest import Scene, held, outcome


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _count(client: TestClient, engine: sa.Engine, path: str, headers: dict[str, str]) -> int:
    with counted(engine) as statements:
        assert client.get(path, headers=headers).status_code == 200
    return len(statements)


def test_report_and_where_next_statements_flat_in_data_size(
    client: TestClient, db: Session, make: Factory, scene: Scene, engine: sa.Engine
) -> None:
    headers = make.headers(Role.coordinator)
    paths = [f"/api/v1/campaigns/{scene.campaign.id}/report", "/api/v1/where-next"]
    client.get("/api/v1/campaigns", headers=headers)  # the token's first use is written down once
    before = [_count(client, engine, p, headers) for p in paths]

    for i in range(12):
        venue = make.venue(f"Venue {i}", town=f"Town {i % 4}")
        event = held(make, venue, scene.campaign, days_ago=30 + i, hours=3)
        outcome(db, event, spoken=7 + i, paper=i)
        for _ in range(3):
            make.assign(event, make.person())
    after = [_count(client, engine, p, headers) for p in paths]

    assert after == before
