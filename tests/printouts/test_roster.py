"""Rosters for a date range, campaign, town or person: HTML, PDF and CSV."""

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.enums import EventStatus
from tests.factories import Factory
from tests.printouts.conftest import page_sizes, pdf_pages, pdf_text, write_pngs
from tests.printouts.demo import NETWORKS, Demo, build_week, london

A4_LANDSCAPE = (841.9, 595.3)


def _rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_roster_week_of_50_events_renders(client: TestClient, make: Factory) -> None:
    monday = build_week(make, count=50)
    sunday = monday + timedelta(days=6)
    response = client.get(f"/rosters.pdf?start={monday}&end={sunday}", headers=make.headers("coordinator"))
    assert (response.status_code, response.headers["content-type"]) == (200, "application/pdf")
    pages = pdf_pages(response.content)
    sizes = page_sizes(response.content)
    assert sizes == [A4_LANDSCAPE] * len(pages)
    assert len(pages) >= 3
    text = " ".join(" ".join(pages).split())
    for n in range(1, 51):
        assert f"Outreach session {n} " in text + " ", n
    assert f"Page 1 of {len(pages)}" in " ".join(pages[0].split())
    assert f"Page {len(pages)} of {len(pages)}" in " ".join(pages[-1].split())
    assert f"Roster, {monday:%-d} to {sunday:%-d %B %Y}" in " ".join(
        pages[-1].split()
    )  # header on every page
    assert "50 events" in text and "Printed " in text
    for day in range(7):
        assert f"{monday + timedelta(days=day):%A %-d %B %Y}" in text
    write_pngs("roster-week", response.content)


def test_roster_html_groups_events_by_london_day(client: TestClient, make: Factory, demo: Demo) -> None:
    late = make.event(
        venue=demo.venues[0], starts_at=london(demo.day, 22, 30), hours=3, title="Late shift briefing"
    )
    assert late.starts_at.date() == demo.day  # 21:30 or 22:30 UTC, still that London day
    day, next_day = demo.day.isoformat(), (demo.day + timedelta(days=1)).isoformat()
    response = client.get(f"/rosters?start={day}&end={next_day}", headers=make.headers("coordinator"))
    assert response.status_code == 200
    html = response.text
    assert html.count('<h2 id="day-') == 1
    assert html.index("Careers in policing: Accrington") < html.index("Late shift briefing")
    assert "22:30–" in html
    assert f'href="/rosters.pdf?start={day}&amp;end={next_day}"' in html
    assert f'href="/rosters.csv?start={day}&amp;end={next_day}"' in html


def test_roster_filters_by_campaign_town_and_person(client: TestClient, make: Factory, demo: Demo) -> None:
    headers = make.headers("coordinator")
    day = demo.day.isoformat()
    base = f"/rosters.pdf?start={day}&end={day}"
    by_town = pdf_text(client.get(f"{base}&town=blackburn", headers=headers).content)
    assert "Careers in policing: Blackburn" in by_town and "drop-in at Asda" in by_town
    assert "Burnley" not in by_town
    assert "Town: blackburn" in by_town
    by_campaign = pdf_text(client.get(f"{base}&campaign_id={demo.asda.campaign_id}", headers=headers).content)
    assert "drop-in at Asda" in by_campaign and "Careers in policing" not in by_campaign
    by_person = pdf_text(client.get(f"{base}&person_id={demo.people[7].id}", headers=headers).content)
    assert "Careers in policing: Burnley" in by_person and "Person: PC Mohammed Hussain" in by_person
    assert "Careers in policing: Accrington" not in by_person


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("start=2026-13-01", 422, "start: '2026-13-01' is not a date"),
        ("start=tomorrow", 422, "use YYYY-MM-DD"),
        ("start=2026-07-10&end=2026-07-01", 422, "end (2026-07-01) is before start (2026-07-10)"),
        ("start=2026-01-01&end=2026-12-31", 422, "at most 93 days"),
        ("campaign_id=abc", 422, "campaign_id"),
        ("person_id=0", 422, "person_id"),
        ("campaign_id=999", 404, "campaign 999 does not exist"),
        ("person_id=999", 404, "person 999 does not exist"),
    ],
)
def test_roster_bad_query_is_a_clear_client_error(
    client: TestClient, make: Factory, query: str, status: int, message: str
) -> None:
    headers = {**make.headers("coordinator"), "Accept": "application/json"}
    for path in ("/rosters", "/rosters.pdf"):
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == status, (path, response.text)
        assert message.lower() in response.json()["detail"].lower()


def test_roster_csv_allows_a_year_but_not_more(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    assert client.get("/rosters.csv?start=2026-01-01&end=2026-12-31", headers=headers).status_code == 200
    too_long = client.get("/rosters.csv?start=2026-01-01&end=2027-01-02", headers=headers)
    assert too_long.status_code == 422


def test_roster_empty_range_says_so(client: TestClient, make: Factory) -> None:
    response = client.get("/rosters.pdf?start=2030-01-07&end=2030-01-13", headers=make.headers("admin"))
    assert response.status_code == 200
    assert "No events in this period." in pdf_text(response.content)


def test_roster_for_staff_is_their_own_duties(client: TestClient, make: Factory, demo: Demo) -> None:
    headers = make.token(make.user("staff", person=demo.people[7]))  # Burnley ambassador
    day = demo.day.isoformat()
    text = pdf_text(client.get(f"/rosters.pdf?start={day}&end={day}", headers=headers).content)
    assert "Careers in policing: Burnley" in text and "07700 900112" in text  # their team's numbers
    assert "Careers in policing: Accrington" not in text
    own = client.get(f"/rosters?start={day}&end={day}&person_id={demo.people[7].id}", headers=headers)
    assert own.status_code == 200


def test_roster_of_another_person_is_refused_to_staff(client: TestClient, make: Factory, demo: Demo) -> None:
    headers = make.token(make.user("staff", person=demo.people[7]))
    for path in ("/rosters", "/rosters.pdf", "/rosters.csv"):
        response = client.get(f"{path}?person_id={demo.people[1].id}", headers=headers)
        assert response.status_code == 403, path


def test_roster_is_refused_to_partners_and_anonymous(client: TestClient, make: Factory, demo: Demo) -> None:
    partner = make.token(make.user("partner", venues=[demo.venues[2]]))
    for path in ("/rosters", "/rosters.pdf", "/rosters.csv"):
        assert client.get(path, headers=partner).status_code == 403, path
        assert client.get(path, follow_redirects=False).status_code == 303, path
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 401, path


def test_roster_never_prints_representation(client: TestClient, make: Factory, demo: Demo) -> None:
    headers = make.headers("coordinator")
    day = demo.day.isoformat()
    outputs = [
        pdf_text(client.get(f"/rosters.pdf?start={day}&end={day}", headers=headers).content),
        client.get(f"/rosters?start={day}&end={day}", headers=headers).text,
        client.get(f"/rosters.csv?start={day}&end={day}", headers=headers).content.decode("utf-8-sig"),
    ]
    for output in outputs:
        for name in NETWORKS:
            assert name not in output and name.replace("'", "&#39;") not in output, name


def test_roster_csv_is_excel_ready(client: TestClient, make: Factory, demo: Demo) -> None:
    day = demo.day.isoformat()
    response = client.get(f"/rosters.csv?start={day}&end={day}", headers=make.headers("coordinator"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="roster-{day}-to-{day}.csv"'
    rows = _rows(response.content)
    aisha = next(r for r in rows if r["name"] == "Aisha Begum")
    assert {k: aisha[k] for k in ("date", "start", "end", "event", "role", "reply", "phone")} == {
        "date": day,
        "start": "10:00",
        "end": "17:00",
        "event": "Careers in policing: Blackburn",
        "role": "Ambassador",
        "reply": "Confirmed",
        "phone": "07700 900103",
    }
    assert aisha["starts_at"].startswith(f"{day}T10:00:00")
    asda = [r for r in rows if r["event"] == "Special constables: drop-in at Asda"]
    assert [(r["name"], r["staffing_gaps"]) for r in asda] == [
        ("", "needs 1 more ambassador; needs 1 more recruiter")
    ]


def test_roster_csv_neutralises_formulas(client: TestClient, make: Factory) -> None:
    venue = make.venue('=HYPERLINK("http://evil.test","Click")', town="+Town")
    event = make.event(venue=venue, title="@SUM(A1:A9)", status=EventStatus.confirmed)
    make.assign(event, make.person("-2+3", phone="+44 7700 900000", rank_or_title="\tPC"))
    day = event.starts_at.date().isoformat()
    rows = _rows(client.get(f"/rosters.csv?start={day}&end={day}", headers=make.headers("admin")).content)
    row = next(r for r in rows if r["event_id"] == str(event.id))
    assert (row["venue"], row["town"], row["event"], row["name"], row["phone"], row["rank_or_title"]) == (
        '\'=HYPERLINK("http://evil.test","Click")',
        "'+Town",
        "'@SUM(A1:A9)",
        "'-2+3",
        "'+44 7700 900000",
        "'\tPC",
    )
