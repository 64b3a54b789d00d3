"""No N+1: the main pages run the same number of SQL statements with more rows.

Each test measures its pages, then adds rows to the very records those pages show (events
on the same campaign, venue and days, teammates on the same event, duties for the same
person), checks that every page now shows some of the new rows, and measures again."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.campaigns.models import Campaign
from app.clock import to_london
from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.events.models import Event
from app.venues.models import Venue
from tests.factories import Factory, future
from tests.forms import sign_in


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


class Rows:
    """Events on one campaign and venue, four a day from a first day, each with a team of two."""

    def __init__(self, make: Factory, venue: Venue, campaign: Campaign) -> None:
        self.make, self.venue, self.campaign = make, venue, campaign
        self.network = make.network()
        self.first_day = future(3, hour=8)
        self.made = 0
        self.names: list[str] = []  # every title and person name added, to find on the pages

    def events(self, count: int) -> list[Event]:
        made = []
        for _ in range(count):
            i, self.made = self.made, self.made + 1
            event = self.make.event(
                venue=self.venue,
                campaign=self.campaign,
                starts_at=self.first_day + timedelta(days=i // 4, hours=3 * (i % 4)),
                hours=2,
                status=EventStatus.confirmed,
                public=True,
                wanted_languages=["Urdu"],
                title=f"Event {i}",
                ambassadors_needed=8,
            )
            self.names.append(event.title)
            self.team(event, 1)
            made.append(event)
        return made

    def team(self, event: Event, count: int) -> None:
        """``count`` more ambassadors (one confirmed, in a network) and a recruiter each."""
        for _ in range(count):
            first = self.make.person(f"Ambassador {len(self.names)}")
            second = self.make.person(f"Recruiter {len(self.names)}")
            self.names += [first.name, second.name]
            self.make.represent(first, self.network, public_naming=True)
            self.make.assign(event, first, status=AssignmentStatus.confirmed)
            self.make.assign(event, second, role=AssignmentRole.recruiter)


def _counts(client: TestClient, engine: sa.Engine, pages: list[str]) -> dict[str, int]:
    result = {}
    for path in pages:
        with counting(engine) as statements:
            answer = client.get(path)
        assert answer.status_code == 200, path
        result[path] = len(statements)
    return result


def _show_new_rows(client: TestClient, pages: list[str], new_names: list[str]) -> None:
    """Every page lists some of the rows added since it was first measured."""
    blind = [path for path in pages if not any(name in client.get(path).text for name in new_names)]
    assert blind == [], f"these pages show none of the added rows, so they prove nothing: {blind}"


def test_planner_and_public_pages_do_not_grow_with_rows(
    client: TestClient, make: Factory, engine: sa.Engine
) -> None:
    venue, campaign = make.venue(), make.campaign()
    rows = Rows(make, venue, campaign)
    event = rows.events(3)[0]
    day = to_london(event.starts_at).date().isoformat()
    pages = [
        "/plan",
        f"/plan?view=week&d={day}",
        f"/plan?view=list&d={day}",
        "/plan/events",
        f"/plan/events/{event.id}",
        "/plan/people",
        "/plan/venues",
        f"/plan/venues/{venue.id}",
        "/plan/campaigns",
        f"/plan/campaigns/{campaign.id}",
        "/plan/audit",
        "/events",
        f"/events/{event.id}",
        f"/venues/{venue.id}",
    ]
    sign_in(client, make.user("admin"))
    _counts(client, engine, pages)  # warm caches
    before = _counts(client, engine, pages)
    assert min(before.values()) > 2, before
    already = len(rows.names)

    rows.events(9)  # on the same campaign, venue and first days
    rows.team(event, 3)  # and a bigger team on the measured event
    rows.names += [make.venue().name, make.campaign().name]  # and the lists of both grow

    _show_new_rows(client, pages, rows.names[already:])
    assert _counts(client, engine, pages) == before


def test_staff_and_partner_pages_do_not_grow_with_rows(
    client: TestClient, make: Factory, engine: sa.Engine
) -> None:
    venue, campaign = make.venue(), make.campaign()
    rows = Rows(make, venue, campaign)
    person = make.person("Counted Person", monthly_limit=20)
    events = rows.events(2)
    for event in events:
        make.assign(event, person)
    staff = make.user("staff", person=person)
    partner = make.user("partner", venues=[venue])
    pages = ["/my", f"/my/events/{events[0].id}", "/my/data", "/my/unavailability", "/my/calendar"]
    sign_in(client, staff)
    _counts(client, engine, pages)
    before = _counts(client, engine, pages)
    already = len(rows.names)

    for event in rows.events(5):  # more duties for the same person
        make.assign(event, person)
    rows.team(events[0], 3)  # and more teammates on the measured duty

    # (the others show the person's data, leave and calendar link, not duties)
    _show_new_rows(client, ["/my", f"/my/events/{events[0].id}"], rows.names[already:])
    assert _counts(client, engine, pages) == before

    client.cookies.clear()
    sign_in(client, partner)
    partner_pages = ["/partner", f"/partner/events/{events[0].id}"]
    _counts(client, engine, partner_pages)
    partner_before = _counts(client, engine, partner_pages)
    already = len(rows.names)

    rows.events(4)  # more bookings at the partner's venue
    rows.team(events[0], 2)  # and a bigger team at the measured one (its page names nobody)

    _show_new_rows(client, ["/partner"], rows.names[already:])
    assert _counts(client, engine, partner_pages) == partner_before
