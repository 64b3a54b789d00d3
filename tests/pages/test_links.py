"""Every link on the main pages leads somewhere: no 404s, no errors (print views, feeds too)."""

import re

from fastapi.testclient import TestClient

from app.enums import AssignmentStatus, EventStatus
from tests.factories import Factory, future
from tests.forms import sign_in

HREF = re.compile(r'href="(/[^"#]*)')


def _broken_links(client: TestClient, pages: list[str]) -> list[str]:
    broken = []
    seen: set[str] = set()
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        for href in HREF.findall(answer.text):
            href = href.replace("&amp;", "&")
            if href in seen or href.startswith(("/static/", "/logout")):
                continue
            seen.add(href)
            status = client.get(href, follow_redirects=False).status_code
            if status >= 400:
                broken.append(f"{page} → {href}: {status}")
    return broken


def test_planner_pages_link_only_to_pages_that_exist(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    event = make.event(venue=venue, starts_at=future(2), status=EventStatus.confirmed, public=True)
    person = make.person()
    make.assign(event, person, status=AssignmentStatus.confirmed)
    sign_in(client, make.user("admin"))
    pages = [
        "/plan",
        f"/plan/events/{event.id}",
        f"/plan/campaigns/{event.campaign_id}",
        f"/plan/venues/{venue.id}",
        f"/plan/people/{person.id}",
    ]
    assert _broken_links(client, pages) == []


def test_staff_partner_and_public_pages_link_only_to_pages_that_exist(
    client: TestClient, make: Factory
) -> None:
    venue = make.venue()
    event = make.event(venue=venue, starts_at=future(2), status=EventStatus.confirmed, public=True)
    person = make.person()
    make.assign(event, person, status=AssignmentStatus.confirmed)
    sign_in(client, make.user("staff", person=person))
    assert _broken_links(client, ["/my", f"/my/events/{event.id}", "/my/data"]) == []
    client.cookies.clear()
    sign_in(client, make.user("partner", venues=[venue]))
    assert _broken_links(client, ["/partner", f"/partner/events/{event.id}"]) == []
    client.cookies.clear()
    assert _broken_links(client, ["/events", f"/events/{event.id}", f"/venues/{venue.id}"]) == []
