"""The campaign report: exact for the coordinator's screen, protected in its board version,
its PDF, its CSV and the API; figures from held events only; refused to staff and partners."""

import csv
import io
import re
from html import unescape

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.enums import Role
from tests.factories import Factory
from tests.forms import sign_in
from tests.reports.conftest import Scene, interest


def _cells(html: str, table_key: str) -> dict[str, list[str]]:
    """A report table's rows on the page: the row's heading, then its cells' words."""
    section = html.split(f'id="table-{table_key}"', 1)[1].split("</section>", 1)[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head:
            key = unescape(head.group(1)).strip()
            rows[key] = [
                unescape(c).strip() for c in re.findall(r'<td class="num[^"]*">(.*?)</td>', row, re.S)
            ]
    return rows


def _signed_in(client: TestClient, make: Factory, role: Role = Role.coordinator) -> None:
    sign_in(client, make.user(role))


def test_report_page_shows_the_coordinator_exact_figures(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    _signed_in(client, make)

    page = client.get(f"/plan/campaigns/{scene.campaign.id}/report")

    assert page.status_code == 200
    assert "Exact figures, for your screen only" in page.text
    assert _cells(page.text, "people_spoken_to") == {
        "Bacup": ["3"],
        "Blackburn": ["49"],
        "Darwen": ["0"],
        "Nelson": ["12"],
        "All towns": ["64"],
    }
    assert _cells(page.text, "hours_by_network") == {
        "Women's Network": ["2", "18.0"],
        "Everyone on duty": ["3", "22.0"],
    }


def test_report_board_version_shows_small_counts_as_fewer_than_5(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    _signed_in(client, make)

    page = client.get(f"/plan/campaigns/{scene.campaign.id}/report?for=board")

    assert "Board version" in page.text
    # Bacup's 3 is small; Nelson's 12 is withheld too, or 64 − 49 − 0 − 12 would give Bacup away.
    assert _cells(page.text, "people_spoken_to") == {
        "Bacup": ["fewer than 5"],
        "Blackburn": ["49"],
        "Darwen": ["0"],
        "Nelson": ["withheld"],
        "All towns": ["64"],
    }
    assert _cells(page.text, "hours_by_network") == {
        "Women's Network": ["fewer than 5", "withheld"],
        "Everyone on duty": ["fewer than 5", "22.0"],
    }


def test_report_interest_by_venue_is_protected_within_its_town(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    _signed_in(client, make)

    board = client.get(f"/plan/campaigns/{scene.campaign.id}/report?for=board").text
    exact = client.get(f"/plan/campaigns/{scene.campaign.id}/report").text

    assert _cells(exact, "interest_by_town") == {
        "Bacup": ["1"],
        "Blackburn": ["12"],
        "Darwen": ["0"],
        "Nelson": ["2"],
        "Not at a venue": ["1"],
        "All towns": ["16"],
    }
    assert _cells(board, "interest_by_town")["Blackburn"] == ["12"]
    # Blackburn's 12 is shown, so its mosque's 2 takes the job centre's 10 with it.
    venues = _cells(board, "interest_by_venue")
    assert venues["Masjid-e-Noor"] == ["fewer than 5"]
    assert venues["Jobcentre Plus Blackburn"] == ["withheld"]
    assert venues["=Darwen Library"] == ["0"]


def test_report_counts_only_held_events(client: TestClient, make: Factory, scene: Scene) -> None:
    _signed_in(client, make)

    page = client.get(f"/plan/campaigns/{scene.campaign.id}/report")

    # The event ahead and the cancelled one are not held.
    assert _cells(page.text, "events_by_town")["All towns"] == ["5", "5"]
    assert _cells(page.text, "events_by_kind") == {
        "Job centre": ["1"],
        "Library": ["2"],
        "Place of worship": ["1"],
        "Supermarket": ["1"],
        "All venues": ["5"],
    }


def test_report_csv_is_the_board_version_and_formula_safe(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    _signed_in(client, make)

    answer = client.get(f"/plan/campaigns/{scene.campaign.id}/report.csv")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["table", "group", "row", "column", "value"]
    spoken = {r[2]: r[4] for r in rows if r[0] == "People spoken to, by town"}
    assert spoken == {
        "Bacup": "fewer than 5",
        "Blackburn": "49",
        "Darwen": "0",
        "Nelson": "withheld",
        "All towns": "64",
    }
    venues = {r[2]: r[4] for r in rows if r[0] == "Expressions of interest, by venue"}
    assert venues["'=Darwen Library"] == "0"
    assert "=Darwen Library" not in venues
    assert ["Headlines", "", "People spoken to", "value", "64"] in rows


def test_report_pdf_is_the_board_version(client: TestClient, make: Factory, scene: Scene) -> None:
    _signed_in(client, make)

    answer = client.get(f"/plan/campaigns/{scene.campaign.id}/report.pdf")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Constables until April" in text
    assert "fewer than 5" in text
    assert "withheld" in text


def test_report_api_is_protected_unless_the_coordinator_asks(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    headers = make.headers(Role.coordinator)
    path = f"/api/v1/campaigns/{scene.campaign.id}/report"

    board = client.get(path, headers=headers).json()
    exact = client.get(path, params={"for": "coordinator"}, headers=headers).json()

    def spoken(body: dict[str, object]) -> dict[str, object]:
        table = next(t for t in body["tables"] if t["key"] == "people_spoken_to")  # type: ignore[attr-defined]
        return {r["label"]: r["values"][0] for r in [*table["rows"], table["total"]]}

    assert board["suppressed"] is True
    assert spoken(board) == {
        "Bacup": "fewer than 5",
        "Blackburn": 49,
        "Darwen": 0,
        "Nelson": "withheld",
        "All towns": 64,
    }
    assert exact["suppressed"] is False
    assert spoken(exact)["Bacup"] == 3
    assert board["targets"][0]["latest"] == "101"
    assert board["targets"][0]["target"] == "111"


def test_report_api_refuses_an_unknown_audience_and_campaign(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    headers = make.headers(Role.admin)

    assert (
        client.get(f"/api/v1/campaigns/{scene.campaign.id}/report?for=press", headers=headers).status_code
        == 422
    )
    assert client.get("/api/v1/campaigns/999999/report", headers=headers).status_code == 404


def test_report_refused_to_staff_and_partners(client: TestClient, make: Factory, scene: Scene) -> None:
    path = f"/plan/campaigns/{scene.campaign.id}/report"
    for role in (Role.staff, Role.partner):
        headers = make.headers(role)
        assert client.get(f"/api/v1/campaigns/{scene.campaign.id}/report", headers=headers).status_code == 403
        for suffix in ("", ".pdf", ".csv"):
            assert client.get(path + suffix, headers=headers).status_code == 403


def test_report_of_a_campaign_with_nothing_held_shows_zeros(client: TestClient, make: Factory) -> None:
    campaign = make.campaign("Specials in spring")
    _signed_in(client, make)

    page = client.get(f"/plan/campaigns/{campaign.id}/report?for=board")

    assert page.status_code == 200
    assert "This campaign has no targets recorded." in page.text
    assert (
        '<span class="stat__number">0</span> <span class="stat__label">people spoken to</span>' in page.text
    )


def test_report_counts_interest_at_a_venue_with_no_event_held_yet(
    client: TestClient, db: Session, make: Factory, scene: Scene
) -> None:
    colne = make.venue("Colne Library", town="Colne")
    ahead = make.event(venue=colne, campaign=scene.campaign)
    interest(db, ahead, scene.campaign, colne, 6)
    _signed_in(client, make)

    page = client.get(f"/plan/campaigns/{scene.campaign.id}/report?for=board")

    assert _cells(page.text, "interest_by_venue")["Colne Library"] == ["6"]
    assert _cells(page.text, "interest_by_town")["Colne"] == ["6"]
    assert _cells(page.text, "interest_by_town")["All towns"] == ["22"]
