"""Helpers for the feed tests: read a feed with two independent parsers; a real server."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import icalendar
import ics
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from app.events.models import Event
from app.venues.models import Venue
from tests.factories import Factory
from tests.servers import free_port

BASE = "https://muster.test"


@dataclass(frozen=True)
class Seen:
    """One VEVENT as a parser read it, in plain values to compare with the database."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    status: str
    location: str
    description: str


def read_icalendar(body: str) -> list[Seen]:
    calendar = icalendar.Calendar.from_ical(body)
    return sorted(
        (
            Seen(
                uid=str(e["UID"]),
                summary=str(e["SUMMARY"]),
                starts_at=e["DTSTART"].dt.astimezone(UTC),
                ends_at=e["DTEND"].dt.astimezone(UTC),
                status=str(e["STATUS"]),
                location=str(e.get("LOCATION", "")),
                description=str(e.get("DESCRIPTION", "")),
            )
            for e in calendar.walk("VEVENT")
        ),
        key=lambda s: s.uid,
    )


def read_ics(body: str) -> list[Seen]:
    """The ``ics`` package: its own grammar and time zone handling, written independently."""
    calendar = ics.Calendar(body)
    return sorted(
        (
            Seen(
                uid=e.uid,
                summary=e.name or "",
                starts_at=e.begin.datetime.astimezone(UTC),
                ends_at=e.end.datetime.astimezone(UTC),
                status=e.status or "",
                location=e.location or "",
                description=e.description or "",
            )
            for e in calendar.events
        ),
        key=lambda s: s.uid,
    )


def rows_seen(body: str) -> list[tuple[str, str, datetime, datetime, str, str]]:
    """Each VEVENT as a row to compare with the database: uid, summary, times, status, location."""
    return [(s.uid, s.summary, s.starts_at, s.ends_at, s.status, s.location) for s in read_both(body)]


def location_of(venue: Venue) -> str:
    """A venue as a feed's LOCATION gives it."""
    return f"{venue.name}, {venue.address}, {venue.town}, {venue.postcode}"


def with_venues(db: Session, events: list[Event]) -> list[tuple[Event, Venue]]:
    """The events as the database holds them, each with its venue."""
    ids = [e.id for e in events]
    query = sa.select(Event, Venue).join(Venue, col(Venue.id) == Event.venue_id).where(col(Event.id).in_(ids))
    return [(event, venue) for event, venue in db.execute(query).all()]


def read_both(body: str) -> list[Seen]:
    """What both parsers read; the test fails if they disagree about anything."""
    first, second = read_icalendar(body), read_ics(body)
    assert first == second
    return first


def path_of(url: str) -> str:
    assert url.startswith(BASE)
    return url.removeprefix(BASE)


@pytest.fixture()
def feed_of(client: TestClient, make: Factory) -> Any:
    """Turn on a staff member's personal feed and give its path."""

    def _feed_of(person: Any) -> str:
        user = make.user("staff", person=person)
        response = client.post("/api/v1/me/feed", headers=make.token(user))
        assert response.status_code == 201
        return path_of(response.json()["link"]["url"])

    return _feed_of


@pytest.fixture()
def server(client: TestClient) -> Iterator[str]:
    """The app under a real uvicorn on a free loopback port (client: the app is set up)."""
    from app.main import app

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=True, lifespan="off"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)
