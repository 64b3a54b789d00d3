"""Export and print links carry the period, view and filters on screen; an empty printout
or export says why and offers the nearest period that has events (issue 16, part 3)."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

from fastapi.testclient import TestClient

from app.clock import from_london
from app.events.models import Event
from tests.factories import Factory
from tests.forms import sign_in

CSV_LINK = re.compile(r'<a href="(/events\.csv\?[^"]*)">Download events \(CSV\)')
PRINT_LINK = re.compile(r'<a href="(/rosters\?[^"]*)">Print rosters')
NEAREST = re.compile(r'<a href="(/(?:rosters|events\.csv)\?[^"]*)">(?:Print the roster|Download the events)')
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _monday_in(weeks: int) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _at(day: date, hour: int = 10) -> datetime:
    return from_london(datetime(day.year, day.month, day.day, hour))


def _link(pattern: re.Pattern[str], page: str) -> str:
    found = pattern.search(page)
    assert found, f"no link matching {pattern.pattern}"
    return unescape(found.group(1))


def _titles(body: bytes) -> list[str]:
    return [row["event"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))]


def _week_of_two_venues(make: Factory) -> tuple[date, Event, Event, Event]:
    """Next-but-one week: an event at Accrington and one at Bacup; Accrington again the week after."""
    monday = _monday_in(2)
    accrington, bacup = make.venue("JCP Accrington", town="Accrington"), make.venue("JCP Bacup", town="Bacup")
    campaign = make.campaign("Jobs fairs")
    wed = make.event(
        venue=accrington, campaign=campaign, starts_at=_at(monday + timedelta(days=2)), title="Acc Wed"
    )
    thu = make.event(
        venue=bacup, campaign=campaign, starts_at=_at(monday + timedelta(days=3)), title="Bacup Thu"
    )
    later = make.event(
        venue=accrington, campaign=campaign, starts_at=_at(monday + timedelta(days=9)), title="Acc later"
    )
    return monday, wed, thu, later


def test_dashboard_links_carry_week_and_venue_filter(client: TestClient, make: Factory) -> None:
    monday, wed, _, _ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    page = client.get(f"/plan?view=week&d={monday.isoformat()}&venue={wed.venue_id}").text
    csv_href, print_href = _link(CSV_LINK, page), _link(PRINT_LINK, page)
    sunday = monday + timedelta(days=6)
    assert csv_href == f"/events.csv?start={monday}&end={sunday}&venue_id={wed.venue_id}"
    assert print_href == f"/rosters?start={monday}&end={sunday}&venue_id={wed.venue_id}"

    assert _titles(client.get(csv_href).content) == ["Acc Wed"]
    roster = client.get(print_href).text
    assert "Acc Wed" in roster
    assert "Bacup Thu" not in roster and "Acc later" not in roster
    assert "Venue: JCP Accrington" in roster


def test_dashboard_month_links_cover_the_month_with_status_and_town(
    client: TestClient, make: Factory
) -> None:
    monday, *_ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    thursday = monday + timedelta(days=3)
    page = client.get(f"/plan?d={thursday.isoformat()}&town=Bacup&status=draft").text
    first = thursday.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    assert _link(CSV_LINK, page) == f"/events.csv?start={first}&end={last}&town=Bacup&status=draft"
    assert _titles(client.get(_link(CSV_LINK, page)).content) == ["Bacup Thu"]


def test_events_list_links_cover_every_matching_event_when_undated(client: TestClient, make: Factory) -> None:
    monday, wed, *_ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    page = client.get(f"/plan/events?venue={wed.venue_id}").text
    csv_href = _link(CSV_LINK, page)
    wed_day, later_day = monday + timedelta(days=2), monday + timedelta(days=9)
    assert csv_href == f"/events.csv?start={wed_day}&end={later_day}&venue_id={wed.venue_id}"
    assert _titles(client.get(csv_href).content) == ["Acc Wed", "Acc later"]
    assert _link(PRINT_LINK, page) == f"/rosters?start={wed_day}&end={later_day}&venue_id={wed.venue_id}"


def test_events_list_links_keep_the_dates_chosen(client: TestClient, make: Factory) -> None:
    monday, *_ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    day = monday + timedelta(days=3)
    page = client.get(f"/plan/events?from={day}&to={day}").text
    assert _link(CSV_LINK, page) == f"/events.csv?start={day}&end={day}"
    assert _titles(client.get(_link(CSV_LINK, page)).content) == ["Bacup Thu"]


def test_empty_roster_says_why_and_offers_the_nearest_period(client: TestClient, make: Factory) -> None:
    monday, wed, _, _ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    before = monday - timedelta(days=14)
    answer = client.get(f"/rosters?start={before}&end={before + timedelta(days=6)}&venue_id={wed.venue_id}")
    assert answer.status_code == 200
    text = unescape(answer.text)
    assert "Nothing to print" in text
    assert f"No events from {before:%a %-d %b %Y} to {before + timedelta(days=6):%a %-d %b %Y}" in text
    assert "for Venue: JCP Accrington" in text
    nearest = _link(NEAREST, answer.text)
    wed_day = monday + timedelta(days=2)
    assert nearest == f"/rosters?start={wed_day}&end={wed_day + timedelta(days=6)}&venue_id={wed.venue_id}"
    assert "Acc Wed" in client.get(nearest).text


def test_empty_roster_offers_the_nearest_earlier_period(client: TestClient, make: Factory) -> None:
    monday, *_ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    after = monday + timedelta(days=40)
    answer = client.get(f"/rosters?start={after}&end={after + timedelta(days=1)}")
    later_day = monday + timedelta(days=9)
    assert _link(NEAREST, answer.text) == f"/rosters?start={later_day - timedelta(days=1)}&end={later_day}"


def test_empty_csv_explains_itself_to_a_browser_but_not_to_a_program(
    client: TestClient, make: Factory
) -> None:
    monday, *_ = _week_of_two_venues(make)
    sign_in(client, make.user("coordinator"))
    query = f"start={monday - timedelta(days=7)}&end={monday - timedelta(days=1)}&town=Bacup"
    page = client.get(f"/events.csv?{query}", headers=HTML)
    assert page.headers["content-type"].startswith("text/html")
    assert "Nothing to download" in page.text and "for Town: Bacup" in page.text
    thu = monday + timedelta(days=3)
    assert _link(NEAREST, page.text) == f"/events.csv?start={thu}&end={thu + timedelta(days=6)}&town=Bacup"

    program = client.get(f"/events.csv?{query}")
    assert program.headers["content-type"].startswith("text/csv")
    assert _titles(program.content) == []


def test_empty_roster_with_nothing_anywhere_says_so(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    answer = client.get("/rosters?status=completed")
    assert "There are no events with these filters in any other period either." in answer.text
    assert NEAREST.search(answer.text) is None


def test_printout_filters_refuse_unknown_venue_and_status(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    assert client.get("/rosters?venue_id=999999", headers=headers).status_code == 404
    assert client.get("/events.csv?status=lost", headers=headers).status_code == 422
