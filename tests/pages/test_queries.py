"""No N+1: the main pages run the same number of SQL statements with more rows."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.events.models import Event
from app.venues.models import Venue
from tests.factories import Factory, future
from tests.pages.conftest import sign_in


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)


def _add_events(make: Factory, venue: Venue, start: int, count: int) -> list[Event]:
    """``count`` public, confirmed events on separate days, each with a two-person team."""
    made = []
    network = make.network()
    for i in range(start, start + count):
        event = make.event(
            venue=venue,
            starts_at=future(3 + i, hour=9),
            hours=2,
            status=EventStatus.confirmed,
            public=True,
            wanted_languages=["Urdu"],
            title=f"Event {i}",
        )
        first, second = make.person(), make.person()
        make.represent(first, network, public_naming=True)
        make.assign(event, first, status=AssignmentStatus.confirmed)
        make.assign(event, second, role=AssignmentRole.recruiter)
        made.append(event)
    return made


PLANNER_PAGES = [
    "/plan",
    "/plan?view=week&d={day}",
    "/plan?view=list&d={day}",
    "/plan/events",
    "/plan/events/{event}",
    "/plan/people",
    "/plan/venues",
    "/plan/venues/{venue}",
    "/plan/campaigns",
    "/plan/campaigns/{campaign}",
    "/plan/audit",
    "/events",
    "/events/{event}",
    "/venues/{venue}",
]


def _counts(client: TestClient, engine: sa.Engine, pages: list[str], **ids: object) -> dict[str, int]:
    result = {}
    for template in pages:
        path = template.format(**ids)
        with counting(engine) as statements:
            answer = client.get(path)
        assert answer.status_code == 200, path
        result[template] = len(statements)
    return result


def test_planner_and_public_pages_do_not_grow_with_rows(
    client: TestClient, make: Factory, engine: sa.Engine
) -> None:
    venue = make.venue()
    first = _add_events(make, venue, 0, 3)
    event = first[0]
    from app.clock import to_london

    ids = {
        "day": to_london(event.starts_at).date().isoformat(),
        "event": event.id,
        "venue": venue.id,
        "campaign": event.campaign_id,
    }
    sign_in(client, make.user("admin"))
    _counts(client, engine, PLANNER_PAGES, **ids)  # warm caches
    before = _counts(client, engine, PLANNER_PAGES, **ids)
    assert min(before.values()) > 2, before
    more = _add_events(make, venue, 3, 6)
    for other in more:  # more people and events everywhere, including on the same campaign
        assert other.id
    after = _counts(client, engine, PLANNER_PAGES, **ids)
    assert after == before


def test_staff_and_partner_pages_do_not_grow_with_rows(
    client: TestClient, make: Factory, engine: sa.Engine
) -> None:
    venue = make.venue()
    person = make.person("Counted Person", monthly_limit=20)
    events = _add_events(make, venue, 0, 2)
    for event in events:
        make.assign(event, person)
    staff = make.user("staff", person=person)
    partner = make.user("partner", venues=[venue])
    pages = ["/my", f"/my/events/{events[0].id}", "/my/data", "/my/unavailability", "/my/calendar"]
    sign_in(client, staff)
    _counts(client, engine, pages)
    before = _counts(client, engine, pages)
    for event in _add_events(make, venue, 2, 5):
        make.assign(event, person)
    assert _counts(client, engine, pages) == before
    client.cookies.clear()
    sign_in(client, partner)
    partner_pages = ["/partner", f"/partner/events/{events[0].id}"]
    _counts(client, engine, partner_pages)
    partner_before = _counts(client, engine, partner_pages)
    _add_events(make, venue, 7, 4)
    assert _counts(client, engine, partner_pages) == partner_before
