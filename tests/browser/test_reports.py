"""The campaign report in a browser: the sergeant opens it from the demo, reads the charts and
their tables, switches to the board version, downloads the PDF; and "where to go next" leads
to booking a town's venues. Each page is scanned with axe; screenshots go to artifacts/."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlmodel import select

from tests.browser.conftest import ROOT, Server, serious_violations, sign_in
from tests.ci import need

ARTIFACTS = ROOT / "artifacts"


def _with_outcomes(server: Server) -> int:
    """The constables campaign's id, after making sure the demo has outcomes, interest and
    targets (the demo loads them once wired in; until then this adds them the same way)."""
    from app.campaigns.models import Campaign
    from app.clock import utcnow
    from app.interest import demo as interest_demo
    from app.outcomes import demo as outcomes_demo
    from app.outcomes.models import EventOutcome
    from app.representation import demo as representation_demo
    from app.representation.models import CampaignTarget

    with server.session() as session:
        campaign = session.exec(select(Campaign).where(Campaign.name.startswith("Police constables"))).one()  # type: ignore[attr-defined]
        assert campaign.id is not None
        today = utcnow().date()
        if session.exec(select(EventOutcome)).first() is None:
            outcomes_demo.load_demo(session, today=today)
            interest_demo.load_demo(session, today=today)
        if session.exec(select(CampaignTarget)).first() is None:
            representation_demo.load_demo(session, today=today, campaign_id=campaign.id)
        return campaign.id


def _pdf_to_png(body: bytes) -> Path:
    if shutil.which("pdftoppm") is None:
        need("pdftoppm (poppler-utils) is not installed")
    pdf_path = ARTIFACTS / "campaign-report.pdf"
    pdf_path.write_bytes(body)
    for old in ARTIFACTS.glob("campaign-report-pdf-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf_path), str(ARTIFACTS / "campaign-report-pdf")], check=True
    )
    return ARTIFACTS / "campaign-report-pdf-1.png"


def test_sergeant_reads_prints_and_exports_the_campaign_report(page: Any, server: Server, look: Any) -> None:
    campaign_id = _with_outcomes(server)
    sign_in(page, server.logins.coordinator, server.logins.password)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"/plan/campaigns/{campaign_id}/report")
    assert page.get_by_role("heading", name="Campaign report").is_visible()
    assert page.get_by_text("Exact figures, for your screen only").is_visible()
    # Every chart is an image with a name, and its figures are in a table beside it.
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 4
    assert page.get_by_role("table", name="People spoken to, by town").is_visible()
    assert page.get_by_role("table", name="Ambassador hours, by staff network").count() == 1
    page.screenshot(path=str(ARTIFACTS / "campaign-report.png"), full_page=True)
    look("campaign-report")

    page.get_by_role("link", name="board version").click()
    assert "for=board" in page.url
    assert page.get_by_text("Board version: counts of 1 to 4 people").is_visible()
    assert serious_violations(page) == []

    answer = page.request.get(f"/plan/campaigns/{campaign_id}/report.pdf")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert _pdf_to_png(answer.body()).exists()

    csv = page.request.get(f"/plan/campaigns/{campaign_id}/report.csv")
    assert csv.status == 200
    assert csv.text().lstrip("\ufeff").startswith("table,group,row,column,value")


def test_where_next_leads_to_booking_the_towns_venues(page: Any, server: Server, look: Any) -> None:
    _with_outcomes(server)
    sign_in(page, server.logins.coordinator, server.logins.password)

    page.goto("/plan/where-next")
    assert page.get_by_role("heading", name="Where to go next").is_visible()
    look("where-next")
    first = page.locator("table.where-next tbody tr").first
    town = first.locator("th").inner_text().strip()
    first.get_by_role("link", name=f"in {town}").click()

    assert "/plan/book" in page.url
    ticked = page.locator("input[name=venue_ids]:checked")
    assert ticked.count() >= 1
